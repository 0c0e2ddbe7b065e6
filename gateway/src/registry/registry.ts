import { decodeGlobalId, DomainError, ErrorCode, isInstitutionCode, type GlobalIdKind } from '@kyoyo/domain';
import type { Logger } from '@kyoyo/server-kit';
import type { RegistryRepository } from './registry.repository';
import type { Health, RegisteredInstitution } from './registry.types';

interface State {
  health: Health;
  /** Last instrument count the institution reported. */
  instrumentCount: number;
}

/**
 * The member institutions and how the gateway last saw each one. Loaded from the gateway's database at
 * start and on `refresh()`; health follows every call the gateway makes.
 */
export class InstitutionRegistry {
  private institutions = new Map<string, RegisteredInstitution>();
  private readonly states = new Map<string, State>();
  private readonly healthListeners: ((code: string, health: Health) => void)[] = [];
  private readonly moveListeners: ((code: string) => void)[] = [];

  constructor(
    private readonly repository: RegistryRepository,
    private readonly logger: Logger,
  ) {}

  async refresh(): Promise<void> {
    const list = await this.repository.list();
    const before = this.institutions;
    this.institutions = new Map(list.map((i) => [i.code, i]));
    for (const member of list) {
      const previous = before.get(member.code);
      if (previous && previous.serviceUrl !== member.serviceUrl) {
        this.logger.info('institution moved', { institution: member.code, serviceUrl: member.serviceUrl });
        for (const listener of this.moveListeners) listener(member.code);
      }
    }
  }

  /** Every member, by code. */
  all(): RegisteredInstitution[] {
    return [...this.institutions.values()];
  }

  get(code: string): RegisteredInstitution | undefined {
    return this.institutions.get(code);
  }

  /** The member with this code, or `BAD_USER_INPUT` on `field` when there is none (the code not echoed unless well-formed). */
  requireMember(code: string, field: string): RegisteredInstitution {
    const member = this.institutions.get(code);
    if (member) return member;
    const message = isInstitutionCode(code)
      ? `${code} is not a member institution`
      : `${field} is not an institution code (such as kyoto-u)`;
    throw new DomainError(ErrorCode.BAD_USER_INPUT, message, field);
  }

  /**
   * The member institution and local id a global id names: `BAD_USER_INPUT` on `field` when it is not a
   * global id of `kind`'s shape, `NOT_FOUND` when it names another kind or an institution that is not a member.
   */
  locate(id: string, kind: GlobalIdKind, field: string): { institution: string; localId: string } {
    const { institution, localId } = decodeGlobalId(id, kind, field);
    if (!this.institutions.has(institution)) {
      throw new DomainError(ErrorCode.NOT_FOUND, `No ${kind.toLowerCase()} has this id`, field);
    }
    return { institution, localId };
  }

  health(code: string): Health {
    return this.states.get(code)?.health ?? 'DOWN';
  }

  lastInstrumentCount(code: string): number {
    return this.states.get(code)?.instrumentCount ?? 0;
  }

  /** Calls `listener` whenever an institution's health changes (after the change is recorded). */
  onHealthChange(listener: (code: string, health: Health) => void): void {
    this.healthListeners.push(listener);
  }

  /** Calls `listener` when a refresh finds that a member's service answers at a new address. */
  onMove(listener: (code: string) => void): void {
    this.moveListeners.push(listener);
  }

  markUp(code: string, instrumentCount?: number): void {
    const state = this.states.get(code);
    this.states.set(code, { health: 'UP', instrumentCount: instrumentCount ?? state?.instrumentCount ?? 0 });
    if (state?.health !== 'UP') {
      this.logger.info('institution up', { institution: code });
      for (const listener of this.healthListeners) listener(code, 'UP');
    }
  }

  markDown(code: string, reason: string): void {
    const state = this.states.get(code);
    this.states.set(code, { health: 'DOWN', instrumentCount: state?.instrumentCount ?? 0 });
    if (state?.health !== 'DOWN') {
      this.logger.warn('institution down', { institution: code, reason });
      for (const listener of this.healthListeners) listener(code, 'DOWN');
    }
  }
}
