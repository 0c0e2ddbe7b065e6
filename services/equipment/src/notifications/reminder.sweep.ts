import { tokyoDateOf } from '@kyoyo/domain';
import type { Logger } from '@kyoyo/server-kit';
import type { BookingNotices } from './booking-notices';
import type { NotificationsRepository } from './notifications.repository';
import type { RemindersRepository } from './reminders.repository';

/** Bookings starting within this long get their reminder (the day before). */
const REMINDER_AHEAD_MS = 24 * 3_600_000;
/** A booking made this close to its start is reminded by its confirmation alone. */
const REMINDER_NOT_WITHIN_MS = 3_600_000;
/** Qualifications ending within this many days are announced, once. */
const QUALIFICATION_NOTICE_DAYS = 14;
/** Messages one sweep writes at most (the next sweep writes the rest). */
const SWEEP_LIMIT = 500;

/**
 * Writes the messages that come from the calendar rather than from a change: the reminder the day before a
 * confirmed booking (for those who want reminders), and the notice that a qualification ends within two
 * weeks. Each once: the outbox keeps one message per event, and a sweep looks only for events without one.
 */
export class ReminderSweep {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: RemindersRepository,
    private readonly outbox: NotificationsRepository,
    private readonly notices: BookingNotices,
    private readonly logger: Logger,
  ) {}

  /** Sweeps now and then every `intervalMs`. */
  start(intervalMs: number): void {
    const sweep = () => this.run(new Date()).catch((error: unknown) => this.logger.warn('reminder sweep failed', { error }));
    void sweep();
    this.timer = setInterval(sweep, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One sweep at `now`: the number of messages written. */
  async run(now: Date): Promise<{ reminders: number; qualifications: number }> {
    const due = await this.repository.dueReminders(
      new Date(now.getTime() + REMINDER_NOT_WITHIN_MS),
      new Date(now.getTime() + REMINDER_AHEAD_MS),
      SWEEP_LIMIT,
    );
    const reminders = due.flatMap((d) => this.notices.reminder(d.booking, d.instrumentName, d.person));
    const today = tokyoDateOf(now);
    const last = tokyoDateOf(new Date(now.getTime() + QUALIFICATION_NOTICE_DAYS * 86_400_000));
    const expiring = await this.repository.expiringQualifications(today, last, SWEEP_LIMIT);
    const qualifications = expiring.flatMap((e) =>
      this.notices.qualificationExpiring(e.instrumentId, e.instrumentName, e.expiresOn, e.person),
    );
    await this.outbox.enqueue([...reminders, ...qualifications]);
    const written = { reminders: reminders.length, qualifications: qualifications.length };
    if (written.reminders + written.qualifications > 0) this.logger.info('reminders written', written);
    return written;
  }
}
