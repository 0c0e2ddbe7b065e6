import { requireInstitutionManager, requireSignedIn, type Identity } from '@kyoyo/auth';
import { errors } from '@kyoyo/domain';
import type { EquipmentDb } from '../instruments/instruments.repository';
import type { NotificationsRepository } from './notifications.repository';
import { refreshPerson } from './people.repository';
import type { DeliveryState, Notification } from './notifications.types';

/** Most messages one list answers. */
export const MAX_DELIVERIES = 500;

/** What the facility office sees of its institution's e-mail. */
export class NotificationsService {
  constructor(
    private readonly institution: string,
    private readonly repository: NotificationsRepository,
    private readonly db: EquipmentDb,
  ) {}

  /**
   * The caller changed how they want to be written to (at the gateway, which signs the call with the new
   * choices): this institution writes so from now on, if it knows them. Whether it did.
   */
  refreshContact(identity: Identity | null): Promise<boolean> {
    return refreshPerson(this.db, requireSignedIn(identity));
  }

  /** Facility office: messages newest first, in `states` (all when null; none for an empty list), at most `first`. */
  async deliveries(
    states: DeliveryState[] | null | undefined,
    first: number,
    identity: Identity | null,
  ): Promise<Notification[]> {
    requireInstitutionManager(identity, this.institution);
    if (!Number.isInteger(first) || first < 1 || first > MAX_DELIVERIES) {
      throw errors.badInput('first', `first must be from 1 to ${MAX_DELIVERIES}`);
    }
    if (states && states.length === 0) return [];
    return this.repository.list(states ?? null, first);
  }
}
