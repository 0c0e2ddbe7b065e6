/**
 * `DATABASE_URL=postgres://…/<gateway db> npx tsx gateway/src/cli/registry.ts list|add|remove …`: the national
 * operator's tool for the institution registry in the gateway's database. Every value of `add` is checked before
 * anything is written (a refused command writes nothing); the running gateway picks changes up at its next
 * registry reload (`probe()`, every HEALTH_INTERVAL_MS), without a restart.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InvalidKeyError, keyPairFromJwk, parsePrivateJwk, signServiceToken, type KeyPair } from '@kyoyo/auth';
import { connect } from '@kyoyo/db';
import { isInstitutionCode } from '@kyoyo/domain';
import * as gatewaySchema from '../db/schema';
import { INSTITUTION_SUMMARY } from '../instruments/instruments.documents';
import { parseRegistryEntry } from '../registry/registry-entry';
import { RegistryRepository } from '../registry/registry.repository';
import type { RegisteredInstitution } from '../registry/registry.types';
import { gatewayDatabaseUrl, readCommandLine } from './command-line';
import { table } from './table';

const usage = `usage: DATABASE_URL=postgres://…/<gateway database> npx tsx gateway/src/cli/registry.ts <command>
  list [--json]                 the member institutions: code, name, prefecture, service URL
  add --code CODE --name NAME [--name-en NAME] --prefecture P --latitude LAT --longitude LON --service-url URL [--check]
                                register an institution, or replace its entry (same code) with the values given;
                                --check first asks the service's /healthz (5 s) and refuses unless it answers as
                                this institution
  remove --code CODE            take an institution out of the federation (its service and database are untouched)
  check-key --in FILE           call every registered service with a token signed by the private key in FILE (a
                                gateway signing key, e.g. the next one of a key rotation) and say which accept it

  CODE is the service's INSTITUTION_CODE (e.g. tohoku-u); P one of the 47 prefectures as written in Japanese
  (e.g. 宮城県); LAT/LON decimal degrees of the main campus; URL the service's origin (https://host[:port]),
  which the gateway calls at URL/graphql.
  A running gateway reloads the registry every HEALTH_INTERVAL_MS (10 s by default): no restart is needed.
  Exit codes: 0 done, 1 database error, 2 bad command line (nothing written), 3 --check failed (nothing written)
  or check-key found a service that does not accept the key, 4 no such institution.`;

const CHECK_TIMEOUT_MS = 5_000;

/** Prints coded errors and exits with `exitCode`; bad command lines also get the usage. */
function fail(code: 'BAD_USER_INPUT' | 'SERVICE_CHECK_FAILED' | 'NOT_FOUND' | 'DATABASE_ERROR', problems: string[]): never {
  for (const p of problems) process.stderr.write(`registry: ${code} ${p}\n`);
  if (code === 'BAD_USER_INPUT') process.stderr.write(`${usage}\n`);
  process.exit({ BAD_USER_INPUT: 2, SERVICE_CHECK_FAILED: 3, NOT_FOUND: 4, DATABASE_ERROR: 1 }[code]);
}

const options = {
  code: { type: 'string' },
  name: { type: 'string' },
  'name-en': { type: 'string' },
  prefecture: { type: 'string' },
  latitude: { type: 'string' },
  longitude: { type: 'string' },
  'service-url': { type: 'string' },
  check: { type: 'boolean', default: false },
  in: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

/** Which options each command takes; anything else given is a mistake worth saying. */
const accepted: Record<string, readonly string[]> = {
  list: ['json'],
  add: ['code', 'name', 'name-en', 'prefecture', 'latitude', 'longitude', 'service-url', 'check'],
  remove: ['code'],
  'check-key': ['in'],
};
const { values, command, problems } = readCommandLine(options, accepted, usage, (problems) => fail('BAD_USER_INPUT', problems));
const databaseUrl = gatewayDatabaseUrl(problems);
if (problems.length > 0) fail('BAD_USER_INPUT', problems);

/**
 * Asks the service at `entry.serviceUrl` for `/healthz` and returns what is wrong, or null when it answers as
 * `entry.code` (its INSTITUTION_CODE): a URL pointing at another institution's service is caught here.
 */
async function checkService(entry: RegisteredInstitution): Promise<string | null> {
  const url = new URL('/healthz', entry.serviceUrl);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
  } catch (error) {
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${CHECK_TIMEOUT_MS / 1000} s`
        : (((error as Error).cause as Error | undefined)?.message ?? (error as Error).message);
    return `${url} did not answer (${reason}); is the service running and reachable from here?`;
  }
  const body = (await response.json().catch(() => null)) as { status?: unknown; institution?: unknown } | null;
  if (!response.ok || body?.status !== 'ok')
    return `${url} answered HTTP ${response.status}, not a Kyoyo service's {"status":"ok"}`;
  if (body.institution !== entry.code) {
    return `${url} is the service of ${String(body.institution)}, not ${entry.code}: check --service-url, or the service's INSTITUTION_CODE`;
  }
  return null;
}

/** What a service answers to a call signed with `key`: accepted, refused (the key is not in its set), or no answer. */
async function keyCheck(entry: RegisteredInstitution, key: KeyPair): Promise<{ accepted: boolean; result: string }> {
  const token = await signServiceToken({ identity: null, requestId: `key-check-${randomUUID()}` }, entry.code, key);
  let response: Response;
  try {
    response = await fetch(new URL('/graphql', entry.serviceUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: INSTITUTION_SUMMARY }),
      signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
    });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${CHECK_TIMEOUT_MS / 1000} s` : 'unreachable';
    return { accepted: false, result: `NO ANSWER (${reason})` };
  }
  const body = (await response.json().catch(() => null)) as { data?: { institution?: { code?: string } } } | null;
  if (response.status === 401) return { accepted: false, result: 'REFUSED (401: the service does not accept this key)' };
  if (!response.ok || body?.data?.institution?.code !== entry.code) {
    return { accepted: false, result: `UNEXPECTED ANSWER (HTTP ${response.status})` };
  }
  return { accepted: true, result: 'accepted' };
}

/** The signing key in `path` for `check-key`, or a coded refusal. */
async function signingKeyFrom(path: string): Promise<KeyPair> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail('BAD_USER_INPUT', [`--in: cannot read ${path} (${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')})`]);
  }
  try {
    return await keyPairFromJwk(parsePrivateJwk(text));
  } catch (error) {
    if (error instanceof InvalidKeyError) fail('BAD_USER_INPUT', [`--in: ${path} ${error.message}`]);
    throw error;
  }
}

const RELOAD_NOTE = 'a running gateway picks this up at its next registry reload (HEALTH_INTERVAL_MS, 10 s by default)';

let input: { entry: RegisteredInstitution } | undefined;
if (command === 'add') {
  const parsed = parseRegistryEntry({
    code: values.code,
    name: values.name,
    nameEn: values['name-en'],
    prefecture: values.prefecture,
    latitude: values.latitude,
    longitude: values.longitude,
    serviceUrl: values['service-url'],
  });
  if ('problems' in parsed)
    fail(
      'BAD_USER_INPUT',
      parsed.problems.map((p) => `${p.option}: ${p.message}`),
    );
  input = parsed;
  if (values.check) {
    const problem = await checkService(parsed.entry);
    if (problem) fail('SERVICE_CHECK_FAILED', [`${problem}; nothing written`]);
    process.stderr.write(`registry: ${parsed.entry.serviceUrl}/healthz answers as ${parsed.entry.code}\n`);
  }
}
if (command === 'remove') {
  if (!values.code?.trim()) fail('BAD_USER_INPUT', ['--code: is required']);
  if (!isInstitutionCode(values.code.trim())) fail('BAD_USER_INPUT', [`--code: ${values.code} is not an institution code`]);
}

if (command === 'check-key' && !values.in) fail('BAD_USER_INPUT', ['--in: is required (a private signing JWK file)']);
const checkedKey = command === 'check-key' ? await signingKeyFrom(values.in!) : null;

const database = connect(databaseUrl!, gatewaySchema, { max: 1, applicationName: 'kyoyo-registry-cli' });
const repository = new RegistryRepository(database.db);
try {
  if (command === 'list') {
    const institutions = await repository.list();
    if (values.json) process.stdout.write(`${JSON.stringify(institutions, null, 2)}\n`);
    else if (institutions.length === 0) process.stdout.write('(no institutions registered)\n');
    else {
      const rows = institutions.map((i) => [i.code, i.name, i.prefecture, i.serviceUrl]);
      process.stdout.write(`${table([['CODE', 'NAME', 'PREFECTURE', 'SERVICE URL'], ...rows])}\n`);
    }
  } else if (command === 'add') {
    const { entry } = input!;
    const before = (await repository.list()).find((i) => i.code === entry.code);
    await repository.upsert(entry);
    process.stdout.write(
      before
        ? `updated ${entry.code} (${entry.name}, ${entry.prefecture}) at ${entry.serviceUrl}` +
            (before.serviceUrl === entry.serviceUrl ? '' : ` (was ${before.serviceUrl})`) +
            `; ${RELOAD_NOTE}\n`
        : `added ${entry.code} (${entry.name}, ${entry.prefecture}) at ${entry.serviceUrl}; ${RELOAD_NOTE}\n`,
    );
  } else if (command === 'check-key') {
    const institutions = await repository.list();
    const checks = await Promise.all(institutions.map((entry) => keyCheck(entry, checkedKey!)));
    const rows = institutions.map((i, n) => [i.code, i.serviceUrl, checks[n]!.result]);
    process.stdout.write(`${table([['CODE', 'SERVICE URL', `KEY ${checkedKey!.kid}`], ...rows])}\n`);
    const refused = checks.filter((c) => !c.accepted).length;
    if (institutions.length === 0) process.stdout.write('(no institutions registered)\n');
    if (refused > 0) {
      await database.close();
      fail('SERVICE_CHECK_FAILED', [`${refused} of ${institutions.length} services do not accept key ${checkedKey!.kid}`]);
    }
  } else {
    const code = values.code!.trim();
    if (!(await repository.remove(code))) {
      await database.close();
      fail('NOT_FOUND', [`--code: no institution ${code} is registered (registry list shows the members)`]);
    }
    process.stdout.write(`removed ${code}; ${RELOAD_NOTE}; its service and database are untouched\n`);
  }
} catch (error) {
  await database.close();
  // Drizzle wraps the server's error (its message holds the whole statement): the server's reason is what helps.
  fail('DATABASE_ERROR', [((error as Error).cause as Error | undefined)?.message ?? (error as Error).message]);
}
await database.close();
