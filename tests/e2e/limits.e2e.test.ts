import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFederation, uniqueCode, type TestFederation } from './support/federation';

/**
 * CONTRACT.md "Limits the gateway enforces": every limit answers LIMIT_EXCEEDED (BAD_USER_INPUT for a bad
 * `first`) before any institution is called.
 */
const a = { code: uniqueCode('lim-a'), name: '制限大学', prefecture: '東京都', location: { latitude: 35.71, longitude: 139.76 } };
const b = { code: uniqueCode('lim-b'), name: '上限大学', prefecture: '大阪府', location: { latitude: 34.82, longitude: 135.52 } };

let federation: TestFederation;
let calls: string[];

beforeAll(async () => {
  federation = await startFederation([a, b]);
  federation.gateway.client.observer = (institution, operation) => calls.push(`${institution} ${operation}`);
});

beforeEach(() => {
  calls = [];
});

afterAll(() => federation?.stop());

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string; field?: string } }[] };
}

async function post(body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(federation.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;

const WINDOW = 'from: "2026-12-01T00:00:00Z", to: "2026-12-31T00:00:00Z"';
const page = (alias: string) =>
  `${alias}: searchInstruments(query: "顕微鏡", first: 100) { edges { node { id name fees { hourlyRate } openHours { weekday } availability(${WINDOW}) { start end } blackouts(${WINDOW}) { start } } } }`;

describe('operation limits', () => {
  it('refuses 200 aliases with LIMIT_EXCEEDED and calls no institution', async () => {
    const query = `{ ${Array.from({ length: 200 }, (_, i) => `i${i}: institutions { code }`).join(' ')} }`;
    const answer = await post(JSON.stringify({ query }));
    expect(answer.status).toBe(400);
    expect(codeOf(answer)).toBe('LIMIT_EXCEEDED');
    expect(answer.body.errors?.[0]?.message).toMatch(/200 aliases; at most 20/);
    expect(answer.body.data).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('allows 20 aliases', async () => {
    const query = `{ ${Array.from({ length: 20 }, (_, i) => `i${i}: institutions { code }`).join(' ')} }`;
    const answer = await post(JSON.stringify({ query }));
    expect(answer.body.errors).toBeUndefined();
  });

  it('refuses an operation nested 13 deep', async () => {
    const window = 'from: "2026-12-01T00:00:00Z", to: "2026-12-02T00:00:00Z"';
    let inner = 'id';
    for (let level = 12; level > 1; level -= 1)
      inner = level % 2 === 0 ? `blackouts(${window}) { ${inner} }` : `instrument { ${inner} }`;
    const id = Buffer.from(`Instrument:${a.code}:1`).toString('base64url');
    const answer = await post(JSON.stringify({ query: `{ instrument(id: "${id}") { ${inner} } }` }));
    expect(codeOf(answer)).toBe('LIMIT_EXCEEDED');
    expect(answer.body.errors?.[0]?.message).toMatch(/13 fields deep/);
    expect(calls).toEqual([]);
  });

  it('refuses an answer too large (20 pages of 100 with fees, open hours, availability and blackouts), counting `first` from variables too', async () => {
    const aliased = `{ ${Array.from({ length: 20 }, (_, i) => page(`p${i}`)).join(' ')} }`;
    expect(codeOf(await post(JSON.stringify({ query: aliased })))).toBe('LIMIT_EXCEEDED');
    const viaVariables = `query ($n: Int) { ${Array.from({ length: 20 }, (_, i) => page(`p${i}`).replace('first: 100', 'first: $n')).join(' ')} }`;
    expect(codeOf(await post(JSON.stringify({ query: viaVariables, variables: { n: 100 } })))).toBe('LIMIT_EXCEEDED');
    expect(codeOf(await post(JSON.stringify({ query: viaVariables, variables: { n: 5 } })))).toBeUndefined();
    calls = [];
    expect(codeOf(await post(JSON.stringify({ query: aliased })))).toBe('LIMIT_EXCEEDED');
    expect(calls).toEqual([]);
  });

  it('answers BAD_USER_INPUT on first for a page over 100, before any institution is called', async () => {
    const answer = await post(JSON.stringify({ query: '{ searchInstruments(first: 101) { totalCount } }' }));
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(calls).toEqual([]);
  });

  it('refuses a document of more than 50,000 tokens as unparsable', async () => {
    const query = `{ ${'__typename '.repeat(60_000)}}`;
    const answer = await post(JSON.stringify({ query }));
    expect(answer.status).toBe(400);
    expect(codeOf(answer)).toBe('GRAPHQL_PARSE_FAILED');
  });
});

describe('request body limits', () => {
  it('refuses a 2 MB body with 413 LIMIT_EXCEEDED', async () => {
    const answer = await post(JSON.stringify({ query: '{ me { id } }', variables: { padding: 'x'.repeat(2 * 1024 * 1024) } }));
    expect(answer.status).toBe(413);
    expect(codeOf(answer)).toBe('LIMIT_EXCEEDED');
    expect(calls).toEqual([]);
  });

  it('refuses a 2 MB body that is not even JSON with 413 too', async () => {
    const answer = await post('{'.repeat(2 * 1024 * 1024));
    expect(answer.status).toBe(413);
  });

  it('lets a 2 MB importInstruments through the body limit (16 MB for imports) but not one riding with another field', async () => {
    const csv = `local_id,name,category\n${'X-1,装置,XRD\n'.repeat(150_000)}`;
    const mutation = 'mutation ($csv: String!) { importInstruments(institution: "x", csv: $csv, dryRun: true) { created } }';
    const alone = await post(JSON.stringify({ query: mutation, variables: { csv } }));
    expect(alone.status).not.toBe(413);
    expect(codeOf(alone)).toBe('UNAUTHENTICATED');
    const riding = mutation.replace('{ importInstruments', '{ me { id } importInstruments');
    expect((await post(JSON.stringify({ query: riding, variables: { csv } }))).status).toBe(413);
  });

  it('refuses 17 MB even for an import', async () => {
    const csv = 'x'.repeat(17 * 1024 * 1024);
    const answer = await post(
      JSON.stringify({
        query: 'mutation ($csv: String!) { importInstruments(institution: "x", csv: $csv) { created } }',
        variables: { csv },
      }),
    );
    expect(answer.status).toBe(413);
    expect(codeOf(answer)).toBe('LIMIT_EXCEEDED');
  });
});

describe('cross-site requests (CSRF prevention)', () => {
  it('refuses a POST a browser form could send (text/plain) and a GET without a preflight header', async () => {
    const form = await post(JSON.stringify({ query: '{ me { id } }' }), { 'content-type': 'text/plain' });
    expect(form.status).toBe(400);
    expect(codeOf(form)).toBe('BAD_REQUEST');
    const get = await fetch(`${federation.gatewayUrl}?query=${encodeURIComponent('{ institutions { code } }')}`);
    expect(get.status).toBe(400);
    const preflighted = await fetch(`${federation.gatewayUrl}?query=${encodeURIComponent('{ institutions { code } }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(preflighted.status).toBe(200);
  });
});
