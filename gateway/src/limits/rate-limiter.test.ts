import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '@kyoyo/server-kit';
import { RateLimiter, TokenBuckets } from './rate-limiter';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function refusal(take: () => void): RateLimitedError | null {
  try {
    take();
    return null;
  } catch (error) {
    if (error instanceof RateLimitedError) return error;
    throw error;
  }
}

describe('TokenBuckets', () => {
  it('allows a burst of the per-minute limit, then refuses with the seconds until the next request', () => {
    const c = clock();
    const buckets = new TokenBuckets(60, c.now);
    for (let i = 0; i < 60; i += 1) buckets.take('a');
    const refused = refusal(() => buckets.take('a'));
    expect(refused?.code).toBe('LIMIT_EXCEEDED');
    expect(refused?.retryAfterSeconds).toBe(1);
    expect(refusal(() => buckets.take('b'))).toBeNull();
  });

  it('refills at the per-minute rate', () => {
    const c = clock();
    const buckets = new TokenBuckets(6, c.now);
    for (let i = 0; i < 6; i += 1) buckets.take('a');
    expect(refusal(() => buckets.take('a'))?.retryAfterSeconds).toBe(10);
    c.advance(9_000);
    expect(refusal(() => buckets.take('a'))).not.toBeNull();
    c.advance(1_000);
    expect(refusal(() => buckets.take('a'))).toBeNull();
  });

  it('forgets callers whose bucket has filled up again', () => {
    const c = clock();
    const buckets = new TokenBuckets(10, c.now);
    for (let i = 0; i < 100; i += 1) buckets.take(`caller-${i}`);
    expect(buckets.size).toBe(100);
    c.advance(61_000);
    buckets.take('late');
    expect(buckets.size).toBe(1);
  });
});

describe('RateLimiter', () => {
  it('limits addresses and users separately, and a limit of 0 is off', () => {
    const c = clock();
    const limiter = new RateLimiter({ perAddressPerMinute: 2, perUserPerMinute: 0 }, c.now);
    limiter.admitAddress('10.0.0.1');
    limiter.admitAddress('10.0.0.1');
    expect(refusal(() => limiter.admitAddress('10.0.0.1'))).not.toBeNull();
    for (let i = 0; i < 1000; i += 1) limiter.admitUser('u-1');
  });
});
