import { RateLimitedError } from '@kyoyo/server-kit';

/** Requests allowed per minute, per caller. */
export interface RateLimits {
  /** Per signed-in user (the token's subject). */
  perUserPerMinute: number;
  /** Per client address, signed in or not. */
  perAddressPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perUserPerMinute: 600, perAddressPerMinute: 1200 };

interface Bucket {
  tokens: number;
  updated: number;
}

/**
 * Token buckets by key: each holds up to `perMinute` requests (the burst) and refills at `perMinute / 60`
 * a second. Full buckets are forgotten, so memory follows the callers active in the last minute.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lastSweep = now();
  }

  /** Takes one request from `key`'s bucket; throws `RateLimitedError` when it is empty. */
  take(key: string): void {
    const now = this.now();
    this.sweep(now);
    const rate = this.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, updated: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.updated) * rate);
    bucket.updated = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      throw new RateLimitedError(Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000)));
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
  }

  /** Keys tracked now (for tests). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    const rate = this.perMinute / 60_000;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updated) * rate >= this.perMinute) this.buckets.delete(key);
    }
  }
}

/** The gateway's two rate limits: every request by its address, and a signed-in user's requests by user. */
export class RateLimiter {
  private readonly addresses: TokenBuckets | null;
  private readonly users: TokenBuckets | null;

  /** A limit of 0 switches that limit off. */
  constructor(limits: RateLimits, now?: () => number) {
    this.addresses = limits.perAddressPerMinute > 0 ? new TokenBuckets(limits.perAddressPerMinute, now) : null;
    this.users = limits.perUserPerMinute > 0 ? new TokenBuckets(limits.perUserPerMinute, now) : null;
  }

  admitAddress(address: string): void {
    this.addresses?.take(address);
  }

  admitUser(userId: string): void {
    this.users?.take(userId);
  }
}
