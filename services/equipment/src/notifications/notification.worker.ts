import type { Logger } from '@kyoyo/server-kit';
import { failedAttempt, failureText, type MailSender } from './mail-sender';
import type { NotificationsRepository } from './notifications.repository';

export interface WorkerOptions {
  /** How often the outbox is read when nothing wakes the worker (ms). */
  intervalMs?: number;
  /** Messages claimed at a time. */
  batchSize?: number;
  /** A message SENDING for longer than this was abandoned by a stopped worker (ms). */
  staleAfterMs?: number;
  /** Attempts before a message that keeps being deferred is given up (FAILED). */
  maxAttempts?: number;
  /** The pause after the first deferred attempt (ms); it doubles with each attempt, up to an hour. */
  firstRetryMs?: number;
}

/** How one round went. */
export interface RoundReport {
  sent: number;
  retried: number;
  failed: number;
  unknown: number;
  abandoned: number;
}

const HOUR_MS = 3_600_000;

/**
 * Sends the outbox. Each message is claimed (SENDING, committed) before it is handed to SMTP and is never
 * handed again once SMTP may have taken it, so that it is sent at most once across crashes and restarts:
 * a deferral (4xx) or a failure to connect tries again later with backoff, a refusal (5xx) is recorded as
 * FAILED, a dropped link or a stopped worker leaves it UNKNOWN. All three show to the office.
 */
export class NotificationWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly staleAfterMs: number;
  private readonly maxAttempts: number;
  private readonly firstRetryMs: number;

  constructor(
    private readonly repository: NotificationsRepository,
    private readonly sender: MailSender,
    private readonly logger: Logger,
    options: WorkerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.batchSize = options.batchSize ?? 20;
    this.staleAfterMs = options.staleAfterMs ?? 10 * 60_000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.firstRetryMs = options.firstRetryMs ?? 30_000;
  }

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Reads the outbox now (after a transaction wrote to it), or right after the round under way. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      this.timer = setTimeout(() => this.wake(), this.intervalMs);
      this.timer.unref();
    });
  }

  /** Finishes the message being sent, then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.sender.close();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        const report = await this.round();
        if (report.sent + report.retried + report.failed + report.unknown + report.abandoned > 0) {
          this.logger.info('notifications sent', { ...report });
        }
        // A full batch: more may be due.
        if (report.sent + report.retried + report.failed + report.unknown === this.batchSize) this.again = true;
      } catch (error) {
        this.logger.warn('notification round failed', { error });
      }
    } while (this.again && !this.stopped);
  }

  /** One round: abandon what a stopped worker left SENDING, then claim and send what is due. */
  async round(): Promise<RoundReport> {
    const report: RoundReport = { sent: 0, retried: 0, failed: 0, unknown: 0, abandoned: 0 };
    report.abandoned = await this.repository.abandonStale(new Date(Date.now() - this.staleAfterMs));
    for (const message of await this.repository.claimDue(this.batchSize)) {
      try {
        await this.sender.send(message);
        await this.repository.markSent(message.id);
        report.sent++;
      } catch (error) {
        const text = failureText(error);
        const outcome = failedAttempt(error);
        if (outcome === 'RETRY' && message.attempts < this.maxAttempts) {
          const delay = Math.min(this.firstRetryMs * 2 ** (message.attempts - 1), HOUR_MS);
          await this.repository.markRetry(message.id, new Date(Date.now() + delay), text);
          report.retried++;
        } else if (outcome === 'UNKNOWN') {
          await this.repository.markEnded(message.id, 'UNKNOWN', text);
          report.unknown++;
        } else {
          const why = outcome === 'RETRY' ? `deferred ${message.attempts} times, given up: ${text}` : text;
          await this.repository.markEnded(message.id, 'FAILED', why);
          report.failed++;
        }
        this.logger.warn('notification not delivered', { id: message.id, kind: message.kind, outcome, error: text });
      }
    }
    return report;
  }
}
