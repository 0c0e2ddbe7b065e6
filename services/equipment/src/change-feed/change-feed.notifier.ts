import type { Database } from '@kyoyo/db';
import type { Logger } from '@kyoyo/server-kit';

/** The channel the change-feed trigger notifies at every commit that recorded a change (migration 0010). */
export const CHANGE_CHANNEL = 'catalogue_changes';

/**
 * Hears commits that recorded a change (PostgreSQL LISTEN on one connection of the pool) and wakes the long
 * polls waiting for one. `heard` counts notifications: a poll reads it before it reads the feed and waits only
 * if nothing was heard since, so a commit between the read and the wait is never slept through.
 */
export class ChangeNotifier {
  heard = 0;
  /** Stopped (the service is shutting down): long polls answer at once instead of holding the drain up. */
  closed = false;
  private readonly waiters = new Set<() => void>();
  private unlisten: (() => Promise<void>) | null = null;

  constructor(
    private readonly sql: Database<Record<string, unknown>>['sql'],
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const { unlisten } = await this.sql.listen(
      CHANGE_CHANNEL,
      () => this.wake(),
      // After a reconnect the listener is back, but commits in between were not heard: wake everyone to re-read.
      () => this.wake(),
    );
    this.unlisten = unlisten;
  }

  /** Resolves when a notification arrives after `heard` was read, or after `ms`. */
  next(heard: number, ms: number): Promise<void> {
    if (this.heard !== heard || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  async stop(): Promise<void> {
    this.closed = true;
    for (const waiter of [...this.waiters]) waiter();
    await this.unlisten?.().catch((error: unknown) => this.logger.warn('could not stop listening', { error }));
    this.unlisten = null;
  }

  private wake(): void {
    this.heard += 1;
    for (const waiter of [...this.waiters]) waiter();
  }
}
