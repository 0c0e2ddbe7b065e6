import type DataLoader from 'dataloader';
import { requireInstitutionManager, type Identity } from '@kyoyo/auth';
import { checkQualificationExpiry, checkTextCharacters, errors, isQualificationValidOn, tokyoDateOf } from '@kyoyo/domain';
import { localIdOf } from '../common/ids';
import type { Instrument } from '../instruments/instruments.types';
import type { Qualification } from './bookings.types';
import type { QualificationsRepository } from './qualifications.repository';

/** A qualification as the API shows it: valid today (Asia/Tokyo) or not. */
export type QualificationView = Qualification & { valid: boolean };

/** Longest user id (the identity token's `sub` has the same limit). */
const MAX_USER_ID_LENGTH = 200;

/** A user id as an identity token's `sub` could carry it: 1–200 characters, not blank, none no text may hold. */
function checkUserId(userId: string): void {
  const length = [...userId].length;
  if (length < 1 || length > MAX_USER_ID_LENGTH || userId.trim() === '') {
    throw errors.badInput('userId', `userId must be 1 to ${MAX_USER_ID_LENGTH} characters`);
  }
  checkTextCharacters(userId, 'userId');
}

/** The facility office's qualification use cases of one request. */
export class QualificationsService {
  constructor(
    private readonly institution: string,
    private readonly repository: QualificationsRepository,
    private readonly instrumentLoader: DataLoader<number, Instrument | null>,
    /** The request's clock reading. */
    private readonly now: Date,
  ) {}

  /** Facility office: everyone ever qualified for a listed instrument, by user id. */
  async list(instrumentId: string, identity: Identity | null): Promise<QualificationView[]> {
    requireInstitutionManager(identity, this.institution);
    const id = await this.listedInstrument(instrumentId);
    return (await this.repository.listFor(id)).map((q) => this.view(q));
  }

  /**
   * Facility office: lets `userId` book SELF use until `expiresOn` (inclusive, Asia/Tokyo; null: no expiry),
   * replacing any earlier grant and clearing a revocation.
   */
  async grant(instrumentId: string, userId: string, expiresOn: string | null | undefined, identity: Identity | null) {
    const who = requireInstitutionManager(identity, this.institution);
    const id = await this.listedInstrument(instrumentId);
    checkUserId(userId);
    checkQualificationExpiry(expiresOn ?? null, tokyoDateOf(this.now));
    const granted = await this.repository.grant({
      instrumentId: id,
      userId,
      expiresOn: expiresOn ?? null,
      grantedBy: who.id,
      grantedAt: this.now,
    });
    return this.view(granted);
  }

  /** Facility office: withdraws a qualification; false when none was in force. */
  async revoke(instrumentId: string, userId: string, identity: Identity | null): Promise<boolean> {
    requireInstitutionManager(identity, this.institution);
    const id = localIdOf(instrumentId, 'instrumentId');
    checkUserId(userId);
    return this.repository.revoke(id, userId, this.now);
  }

  private async listedInstrument(instrumentId: string): Promise<number> {
    const id = localIdOf(instrumentId, 'instrumentId');
    if (!(await this.instrumentLoader.load(id))) throw errors.notFound('Instrument', 'instrumentId');
    return id;
  }

  private view(qualification: Qualification): QualificationView {
    return { ...qualification, valid: isQualificationValidOn(qualification, tokyoDateOf(this.now)) };
  }
}
