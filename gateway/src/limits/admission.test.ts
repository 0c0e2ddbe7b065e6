import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '@kyoyo/server-kit';
import { Admission } from './admission';

const settled = async <T>(promise: Promise<T>) => {
  const marker = Symbol('pending');
  const result = await Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(marker), 10))]);
  return result === marker ? 'pending' : 'settled';
};

describe('Admission', () => {
  it('lets an address work on perAddress requests at once; the next waits for a turn, in order', async () => {
    const admission = new Admission({ perAddress: 2, total: 10 }, 100);
    const first = await admission.enter('a');
    await admission.enter('a');
    const third = admission.enter('a');
    const fourth = admission.enter('a');
    expect(await settled(third)).toBe('pending');
    expect(await settled(admission.enter('b'))).toBe('settled');
    first();
    expect(await settled(third)).toBe('settled');
    expect(await settled(fourth)).toBe('pending');
  });

  it('caps the gateway as a whole, across addresses', async () => {
    const admission = new Admission({ perAddress: 5, total: 2 }, 100);
    const a = await admission.enter('a');
    await admission.enter('b');
    const c = admission.enter('c');
    expect(await settled(c)).toBe('pending');
    a();
    expect(await settled(c)).toBe('settled');
  });

  it('answers 429 when an address has waited too long, 503 when the gateway has, and frees the turn it held', async () => {
    const admission = new Admission({ perAddress: 1, total: 2 }, 30);
    const a = await admission.enter('a');
    const refused = await admission.enter('a').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).status).toBe(429);
    await admission.enter('b');
    const busy = await admission.enter('c').catch((error: unknown) => error);
    expect((busy as RateLimitedError).status).toBe(503);
    expect((busy as RateLimitedError).code).toBe('LIMIT_EXCEEDED');
    a();
    expect(await settled(admission.enter('c'))).toBe('settled');
  });

  it('ends a turn once however often it is ended, and forgets idle addresses', async () => {
    const admission = new Admission({ perAddress: 1, total: 1 }, 100);
    const done = await admission.enter('a');
    done();
    done();
    expect(admission.trackedAddresses).toBe(0);
    const again = await admission.enter('a');
    expect(await settled(admission.enter('b'))).toBe('pending');
    again();
  });

  it('with limits of 0 lets everything in', async () => {
    const admission = new Admission({ perAddress: 0, total: 0 });
    for (let i = 0; i < 1000; i += 1) await admission.enter('a');
  });
});
