import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('CircuitBreaker', () => {
  it('stays closed until the threshold of consecutive failures is reached', () => {
    const c = clock();
    const breaker = new CircuitBreaker(3, 1000, c.now);
    breaker.failure();
    breaker.failure();
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('OPEN');
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('lets exactly one trial call through after the cooldown and closes on its success', () => {
    const c = clock();
    const breaker = new CircuitBreaker(1, 1000, c.now);
    breaker.failure();
    c.advance(1000);
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.success();
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('reopens when the trial call fails', () => {
    const c = clock();
    const breaker = new CircuitBreaker(1, 1000, c.now);
    breaker.failure();
    c.advance(1000);
    breaker.tryAcquire();
    breaker.failure();
    expect(breaker.state).toBe('OPEN');
    c.advance(999);
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('forgets earlier failures after a success', () => {
    const breaker = new CircuitBreaker(2, 1000, clock().now);
    breaker.failure();
    breaker.success();
    breaker.failure();
    expect(breaker.state).toBe('CLOSED');
  });
});
