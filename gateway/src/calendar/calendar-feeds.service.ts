/**
 * Personal calendar feeds: a person makes (and remakes, and revokes) a secret URL at which their bookings at
 * every institution are an iCalendar feed. The URL's token is 256 random bits shown once; Kyoyo keeps its
 * hash, so a database leak reveals no working URL.
 */
import { requireSignedIn, type Identity } from '@kyoyo/auth';
import { DomainError, ErrorCode } from '@kyoyo/domain';
import type { Logger } from '@kyoyo/server-kit';
import { hashToken, newSecretToken } from '../common/secret-token';
import type { CalendarFeedRow, CalendarFeedsRepository } from './calendar-feeds.repository';

/** The path of the personal feed; its one parameter is `token`. */
export const PERSONAL_CALENDAR_PATH = '/calendar/personal.ics';
/** A feed token as made here: 32 random bytes, base64url. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export interface CalendarFeed {
  createdAt: Date;
  lastReadAt: Date | null;
}

const feedOf = (row: CalendarFeedRow): CalendarFeed => ({ createdAt: row.createdAt, lastReadAt: row.lastReadAt });

export class CalendarFeedsService {
  constructor(
    private readonly repository: CalendarFeedsRepository,
    /** The gateway's public origin (e.g. https://kyoyo.example.jp), for the feed's URL; read when a feed is made. */
    private readonly publicOrigin: () => string,
    private readonly logger: Logger,
  ) {}

  /** Makes the viewer's feed, revoking the one they had: answers its URL (shown this once) and the feed. */
  async create(identity: Identity | null): Promise<{ url: string; feed: CalendarFeed }> {
    const viewer = requireSignedIn(identity);
    const token = newSecretToken();
    const row = await this.repository.replace({
      tokenHash: hashToken(token),
      subject: viewer.id,
      institution: viewer.institution,
      organization: viewer.organization,
      affiliation: viewer.affiliation,
    });
    this.logger.info('calendar feed made', { sub: viewer.id, feed: row.id });
    const url = new URL(PERSONAL_CALENDAR_PATH, this.publicOrigin());
    url.searchParams.set('token', token);
    return { url: url.href, feed: feedOf(row) };
  }

  /** Revokes the viewer's feed: its URL answers nothing from now on. False when they had none. */
  async revoke(identity: Identity | null): Promise<boolean> {
    const viewer = requireSignedIn(identity);
    const revoked = await this.repository.revoke(viewer.id);
    if (revoked) this.logger.info('calendar feed revoked', { sub: viewer.id });
    return revoked;
  }

  async mine(identity: Identity): Promise<CalendarFeed | null> {
    const row = await this.repository.activeOf(identity.id);
    return row ? feedOf(row) : null;
  }

  /**
   * Who a feed's token reads for: the identity the owners are asked as (no roles: a feed only lists its
   * owner's bookings). A malformed token is BAD_USER_INPUT; an unknown or revoked one NOT_FOUND.
   */
  async resolve(token: string | null): Promise<Identity> {
    if (!token || !TOKEN_FORMAT.test(token)) {
      throw new DomainError(
        ErrorCode.BAD_USER_INPUT,
        'token: the calendar URL is incomplete (copy it again from Kyoyo)',
        'token',
      );
    }
    const row = await this.repository.findActive(hashToken(token));
    if (!row) throw new DomainError(ErrorCode.NOT_FOUND, 'This calendar feed does not exist or was revoked', 'token');
    // Calendar applications poll: the read is written down at most once a minute.
    if (!row.lastReadAt || Date.now() - row.lastReadAt.getTime() >= 60_000) {
      void this.repository.touch(row.id).catch((error: unknown) => this.logger.warn('calendar feed touch failed', { error }));
    }
    return {
      id: row.subject,
      institution: row.institution,
      organization: row.organization,
      affiliation: row.affiliation as Identity['affiliation'],
      roles: [],
    };
  }
}
