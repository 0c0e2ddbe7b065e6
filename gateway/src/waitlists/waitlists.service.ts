import { requireResearcher, requireSignedIn, type Identity } from '@kyoyo/auth';
import type { RequestNotices } from '../bookings/bookings.service';
import { fanOut, type CallContext, type InstitutionClient } from '../federation/institution-client';
import type { InstitutionRegistry } from '../registry/registry';
import {
  JOIN_WAITLIST,
  LEAVE_WAITLIST,
  MY_WAITLIST,
  type JoinWaitlistData,
  type LeaveWaitlistData,
  type MyWaitlistData,
} from './waitlists.documents';
import type { FederatedWaitlistEntry } from './waitlists.types';

/** A period to wait for as GraphQL hands it over (the instrument by global id). */
export interface WaitlistInput {
  instrumentId: string;
  start: Date;
  end: Date;
}

/**
 * The waitlist use cases of one gateway request. The owning institution holds the waitlist and decides
 * everything (whether the period is held, the period's rules, who may leave which entry); the gateway routes
 * by global id, refuses what the caller's token alone settles (signed in, a researcher) before asking, and
 * never retries a call.
 */
export class WaitlistsService {
  constructor(
    private readonly registry: InstitutionRegistry,
    private readonly client: InstitutionClient,
    private readonly call: CallContext,
    private readonly notices: RequestNotices,
  ) {}

  /** Researchers only (`requireResearcher`), refused before the owning institution is asked. */
  async join(input: WaitlistInput, identity: Identity | null): Promise<FederatedWaitlistEntry> {
    requireResearcher(identity);
    const { institution, localId } = this.registry.locate(input.instrumentId, 'Instrument', 'input.instrumentId');
    const data = await this.client.request<JoinWaitlistData>(
      institution,
      'JoinWaitlist',
      JOIN_WAITLIST,
      { input: { instrumentId: localId, start: input.start, end: input.end } },
      this.call,
    );
    return { ...data.joinWaitlist, institutionCode: institution };
  }

  /** Signed in; the owner answers FORBIDDEN for someone else's entry (only it knows whose it is). */
  async leave(id: string, identity: Identity | null): Promise<FederatedWaitlistEntry> {
    requireSignedIn(identity);
    const { institution, localId } = this.registry.locate(id, 'WaitlistEntry', 'id');
    const data = await this.client.request<LeaveWaitlistData>(
      institution,
      'LeaveWaitlist',
      LEAVE_WAITLIST,
      { id: localId },
      this.call,
    );
    return { ...data.leaveWaitlist, institutionCode: institution };
  }

  /**
   * The viewer's entries that still wait, at every institution, by start. Institutions that do not answer
   * are named in the response's `extensions.unavailableInstitutions` rather than failing the whole list.
   */
  async mine(identity: Identity | null): Promise<FederatedWaitlistEntry[]> {
    requireSignedIn(identity);
    const { answered, unavailable } = await fanOut(this.registry.all(), (institution) =>
      this.client
        .request<MyWaitlistData>(institution.code, 'MyWaitlist', MY_WAITLIST, {}, this.call)
        .then((data) => data.myWaitlist.map((e) => ({ ...e, institutionCode: institution.code }))),
    );
    for (const institution of unavailable) this.notices.unavailableInstitutions.add(institution.code);
    return answered.flatMap((a) => a.value).sort(byStart);
  }
}

const byStart = (a: FederatedWaitlistEntry, b: FederatedWaitlistEntry) =>
  Date.parse(a.start) - Date.parse(b.start) ||
  (a.institutionCode < b.institutionCode ? -1 : a.institutionCode > b.institutionCode ? 1 : 0) ||
  Number(a.id) - Number(b.id);
