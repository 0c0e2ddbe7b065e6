import { describe, expect, it } from 'vitest';
import { Metrics } from './metrics';

/** The value of the sample `name{labels}` in a text exposition, or undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = match[2] ? match[2].split(',') : [];
    if (wanted.every((w) => present.includes(w)) && present.length === wanted.length) return Number(match[3]);
  }
  return undefined;
}

describe('Metrics', () => {
  it('renders in the Prometheus text format 0.0.4 with the process metrics under its prefix', async () => {
    const metrics = new Metrics('kyoyo_unit_a_');
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await metrics.render();
    expect(text).toContain('# TYPE kyoyo_unit_a_process_cpu_user_seconds_total counter');
    expect(text).toContain('# TYPE kyoyo_unit_a_nodejs_heap_size_used_bytes gauge');
    expect(text).toContain('# HELP kyoyo_unit_a_http_requests_total ');
    expect(text).not.toMatch(/^process_cpu/m);
  });

  it('keeps the counts of two apps of one process apart, and shares their process metrics', async () => {
    const gateway = new Metrics('kyoyo_unit_b_');
    const service = new Metrics('kyoyo_unit_b_');
    gateway.observeRequest({ route: 'graphql', method: 'POST', status: 200, operation: 'query' }, 0.02);
    const labels = { route: 'graphql', method: 'POST', status: '200', operation: 'query' };
    expect(sample(await gateway.render(), 'kyoyo_unit_b_http_requests_total', labels)).toBe(1);
    expect(sample(await service.render(), 'kyoyo_unit_b_http_requests_total', labels)).toBeUndefined();
    expect(await service.render()).toContain('kyoyo_unit_b_process_resident_memory_bytes');
  });

  it('counts and times requests with bounded labels: unknown methods are OTHER, only GraphQL has an operation', async () => {
    const metrics = new Metrics('kyoyo_unit_c_');
    metrics.observeRequest({ route: 'graphql', method: 'POST', status: 400 }, 0.003);
    metrics.observeRequest({ route: 'graphql', method: 'POST', status: 200, operation: 'mutation' }, 0.3);
    metrics.observeRequest({ route: 'other', method: 'BREW', status: 404, operation: 'query' }, 0.001);
    metrics.observeRequest({ route: 'console', method: 'GET', status: 'aborted' }, 12);
    const text = await metrics.render();
    const name = 'kyoyo_unit_c_http_requests_total';
    expect(sample(text, name, { route: 'graphql', method: 'POST', status: '400', operation: 'none' })).toBe(1);
    expect(sample(text, name, { route: 'other', method: 'OTHER', status: '404', operation: '' })).toBe(1);
    expect(sample(text, name, { route: 'console', method: 'GET', status: 'aborted', operation: '' })).toBe(1);
    const histogram = 'kyoyo_unit_c_http_request_duration_seconds';
    const mutation = { route: 'graphql', method: 'POST', status: '200', operation: 'mutation' };
    expect(sample(text, `${histogram}_bucket`, { ...mutation, le: '0.25' })).toBe(0);
    expect(sample(text, `${histogram}_bucket`, { ...mutation, le: '0.5' })).toBe(1);
    expect(sample(text, `${histogram}_sum`, mutation)).toBeCloseTo(0.3);
    expect(text).not.toContain('BREW');
  });

  it('counts GraphQL errors by Kyoyo’s and Apollo’s codes, and any other code as OTHER', async () => {
    const metrics = new Metrics('kyoyo_unit_d_');
    for (const code of ['BAD_USER_INPUT', 'BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'MADE_UP_CODE', undefined, 42]) {
      metrics.countGraphQLError(code);
    }
    const text = await metrics.render();
    const name = 'kyoyo_unit_d_graphql_errors_total';
    expect(sample(text, name, { code: 'BAD_USER_INPUT' })).toBe(2);
    expect(sample(text, name, { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(sample(text, name, { code: 'OTHER' })).toBe(3);
    expect(text).not.toContain('MADE_UP_CODE');
  });

  it('reads the database pools at every scrape, and has no pool gauges before a pool is tracked', async () => {
    const metrics = new Metrics('kyoyo_unit_e_');
    expect(await metrics.render()).not.toContain('kyoyo_unit_e_db_');
    const pool = { max: 8, queriesInFlight: 3, transactionsInFlight: 1 };
    metrics.trackPool(pool);
    let text = await metrics.render();
    expect(sample(text, 'kyoyo_unit_e_db_pool_max')).toBe(8);
    expect(sample(text, 'kyoyo_unit_e_db_queries_in_flight')).toBe(3);
    expect(sample(text, 'kyoyo_unit_e_db_transactions_in_flight')).toBe(1);
    pool.queriesInFlight = 0;
    metrics.trackPool({ max: 2, queriesInFlight: 1, transactionsInFlight: 0 });
    text = await metrics.render();
    expect(sample(text, 'kyoyo_unit_e_db_pool_max')).toBe(10);
    expect(sample(text, 'kyoyo_unit_e_db_queries_in_flight')).toBe(1);
  });

  it('names app-defined metrics with its prefix and refuses a prefix Prometheus would not take', async () => {
    const metrics = new Metrics('kyoyo_unit_f_');
    metrics.counter('things_total', 'Things.', ['kind']).inc({ kind: 'a' });
    metrics.gauge('level', 'Level.', [], function () {
      this.set(7);
    });
    expect(sample(await metrics.render(), 'kyoyo_unit_f_things_total', { kind: 'a' })).toBe(1);
    expect(sample(await metrics.render(), 'kyoyo_unit_f_level')).toBe(7);
    expect(() => new Metrics('kyoyo-gateway')).toThrow(/snake case/);
    expect(() => new Metrics('kyoyo_gateway')).toThrow(/ending in "_"/);
  });
});
