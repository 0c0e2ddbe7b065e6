/**
 * `npx tsx packages/auth/src/cli/keys.ts generate|public|jwks …`: the gateway operator's key tool. `generate`
 * writes a new signing key pair (the gateway's `GATEWAY_SIGNING_JWK_FILE`), `public` prints the public key that
 * institutions' services are given (`GATEWAY_PUBLIC_JWK`), and `jwks` prints a JWK Set of several public keys for a
 * key rotation, when services must accept the current and the next key. Output goes to stdout, problems to stderr
 * with exit code 2.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import { ed25519JwkProblem, InvalidKeyError, parsePrivateJwk, parsePublicKeySet, publicJwkOf } from '../key-set';
import { createKeyPair } from '../keys';

const usage = `usage: npx tsx packages/auth/src/cli/keys.ts <command>
  generate --out FILE [--force]   write a new Ed25519 signing key pair (private JWK with a kid, mode 0600) to FILE
                                  and print its public JWK; an existing FILE is kept unless --force
  public --in FILE                print the public JWK of the private JWK in FILE (what services are given)
  jwks --in FILE [--in FILE …]    print a JWK Set {"keys": […]} of the public keys of the files (private or public
                                  JWKs, each with a distinct kid): services accept all of them during a key rotation`;

function fail(problems: string[]): never {
  for (const p of problems) process.stderr.write(`keys: ${p}\n`);
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      out: { type: 'string' },
      in: { type: 'string', multiple: true },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
} catch (error) {
  fail([(error as Error).message]);
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

const [command, ...extra] = positionals;
const inputs = values.in ?? [];
const problems: string[] = [];
if (extra.length > 0) problems.push(`unexpected arguments: ${extra.join(' ')}`);
if (command === 'generate') {
  if (!values.out) problems.push('generate needs --out FILE');
  if (inputs.length > 0) problems.push('generate takes no --in');
} else if (command === 'public' || command === 'jwks') {
  if (inputs.length === 0) problems.push(`${command} needs --in FILE`);
  if (command === 'public' && inputs.length > 1) problems.push('public takes one --in FILE (jwks combines several)');
  if (values.out !== undefined) problems.push(`${command} takes no --out; it prints to stdout`);
  if (values.force) problems.push(`--force applies to generate only`);
} else {
  problems.push(command === undefined ? 'a command is required' : `unknown command ${command}`);
}
if (problems.length > 0) fail(problems);

async function readKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    return fail([`cannot read ${path}: ${reason}`]);
  }
}

/** Runs `parse` on a file's text, turning a refusal into "FILE <what is wrong>". */
function parseKeyFile<T>(path: string, text: string, parse: (text: string) => T): T {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof InvalidKeyError) fail([`${path} ${error.message}`]);
    throw error;
  }
}

/** A key file for `jwks`: a private JWK (its public half is taken) or a public JWK, either with a kid. */
function publicKeyOfFile(text: string): JWK {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new InvalidKeyError('is not JSON');
  }
  if (typeof value === 'object' && value !== null && 'd' in value) return publicJwkOf(parsePrivateJwk(text));
  const problem = ed25519JwkProblem(value);
  if (problem) throw new InvalidKeyError(problem);
  const jwk = value as JWK;
  if (jwk.kid === undefined) throw new InvalidKeyError('has no kid; keys of a JWK Set need one');
  return publicJwkOf(jwk);
}

/** Writes `text` to `path` with mode 0600: never over an existing file unless `force`, then by a rename. */
async function writePrivate(path: string, text: string, force: boolean): Promise<void> {
  const target = force ? `${path}.${randomBytes(4).toString('hex')}.tmp` : path;
  try {
    await writeFile(target, text, { mode: 0o600, flag: 'wx' });
    if (force) await rename(target, path);
  } catch (error) {
    if (force) await rm(target, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') fail([`${path} exists; pass --force to replace it (the key in it is then lost)`]);
    const reason = code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    fail([`cannot write ${path}: ${reason}`]);
  }
}

if (command === 'generate') {
  const out = values.out!;
  const { pair, privateJwk } = await createKeyPair();
  await writePrivate(out, `${JSON.stringify(privateJwk)}\n`, values.force);
  process.stderr.write(`keys: wrote the private key ${out} (kid ${pair.kid}); its public JWK follows on stdout\n`);
  print(publicJwkOf(pair.publicJwk));
} else if (command === 'public') {
  const path = inputs[0]!;
  print(publicJwkOf(parseKeyFile(path, await readKeyFile(path), parsePrivateJwk)));
} else {
  const keys: JWK[] = [];
  const fileOfKid = new Map<string, string>();
  for (const path of inputs) {
    const key = parseKeyFile(path, await readKeyFile(path), publicKeyOfFile);
    const other = fileOfKid.get(key.kid!);
    if (other !== undefined) fail([`${path} has kid "${key.kid}", as ${other} has; every key of a JWK Set needs its own kid`]);
    fileOfKid.set(key.kid!, path);
    keys.push(key);
  }
  // The set as a service reads it: what this prints, services accept.
  print({ keys: parsePublicKeySet(JSON.stringify({ keys }), { allowPrivate: false }) });
}
