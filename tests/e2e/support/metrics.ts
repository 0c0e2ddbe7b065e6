import { expect } from 'vitest';

/** The Prometheus text exposition a server's `GET /metrics` answers, checked to be one. */
export async function scrape(baseUrl: string): Promise<string> {
  const response = await fetch(new URL('/metrics', baseUrl));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return response.text();
}

/**
 * The value of the sample `name` whose labels are exactly `labels` in a text exposition, or undefined when
 * there is none. (Label values here never hold commas or quotes.)
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = match[2] ? match[2].split(',') : [];
    if (present.length === wanted.length && wanted.every((w) => present.includes(w))) return Number(match[3]);
  }
  return undefined;
}
