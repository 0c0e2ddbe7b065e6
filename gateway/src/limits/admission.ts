import { RateLimitedError } from '@kyoyo/server-kit';

/** Requests the gateway works on at once: per client address, and in all. */
export interface ConcurrencyLimits {
  perAddress: number;
  total: number;
}

export const DEFAULT_CONCURRENCY_LIMITS: ConcurrencyLimits = { perAddress: 16, total: 64 };

/** Requests that may wait for a turn, per address and in all, and for how long. */
const MAX_WAITING_PER_ADDRESS = 256;
const MAX_WAITING = 1024;
const MAX_WAIT_MS = 10_000;

/** A counting semaphore whose waiters queue in order, each for at most `waitMs`. */
class Semaphore {
  private active = 0;
  private readonly waiting: { grant: () => void; timer: NodeJS.Timeout }[] = [];

  constructor(
    private readonly limit: number,
    private readonly maxWaiting: number,
  ) {}

  get idle(): boolean {
    return this.active === 0 && this.waiting.length === 0;
  }

  /** True at once or when a turn comes; false when the queue is full (`'full'`) or the wait ran out (`'timeout'`). */
  acquire(waitMs: number): Promise<'ok' | 'full' | 'timeout'> {
    if (this.active < this.limit) {
      this.active += 1;
      return Promise.resolve('ok');
    }
    if (this.waiting.length >= this.maxWaiting) return Promise.resolve('full');
    return new Promise((resolve) => {
      const entry = {
        grant: () => {
          clearTimeout(entry.timer);
          this.active += 1;
          resolve('ok');
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(entry), 1);
          resolve('timeout');
        }, waitMs),
      };
      this.waiting.push(entry);
    });
  }

  release(): void {
    this.active -= 1;
    this.waiting.shift()?.grant();
  }
}

/**
 * Admission control at the gateway's edge: a client address has at most `perAddress` requests worked on at
 * once and the gateway `total`; further requests wait their turn in order (up to 10 s). So one client firing
 * hundreds of searches at once queues behind itself instead of piling calls onto every institution until
 * their time budgets run out and healthy institutions look down to everyone. A full queue answers 429 (that
 * address) or 503 (the gateway), both `LIMIT_EXCEEDED` with `Retry-After`.
 */
export class Admission {
  private readonly addresses = new Map<string, Semaphore>();
  private readonly all: Semaphore;

  constructor(
    private readonly limits: ConcurrencyLimits,
    private readonly waitMs = MAX_WAIT_MS,
  ) {
    this.all = new Semaphore(limits.total > 0 ? limits.total : Number.POSITIVE_INFINITY, MAX_WAITING);
  }

  /** Waits for `address`'s turn; returns the function that ends it (call it once the request is answered). */
  async enter(address: string): Promise<() => void> {
    const own = this.limits.perAddress > 0 ? this.semaphoreOf(address) : null;
    const mine = own ? await own.acquire(this.waitMs) : 'ok';
    if (mine !== 'ok') {
      this.forgetIfIdle(address);
      throw new RateLimitedError(1, `Too many requests from this address at once; try again in 1 s`);
    }
    const turn = await this.all.acquire(this.waitMs);
    if (turn !== 'ok') {
      own?.release();
      this.forgetIfIdle(address);
      throw new RateLimitedError(1, 'The gateway is busy; try again in 1 s', 503);
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.all.release();
      own?.release();
      this.forgetIfIdle(address);
    };
  }

  /** Addresses tracked now (for tests). */
  get trackedAddresses(): number {
    return this.addresses.size;
  }

  private semaphoreOf(address: string): Semaphore {
    let semaphore = this.addresses.get(address);
    if (!semaphore) {
      semaphore = new Semaphore(this.limits.perAddress, MAX_WAITING_PER_ADDRESS);
      this.addresses.set(address, semaphore);
    }
    return semaphore;
  }

  private forgetIfIdle(address: string): void {
    if (this.addresses.get(address)?.idle) this.addresses.delete(address);
  }
}
