/**
 * `npm run token -- --sub ID --institution CODE --role ROLE [--role ROLE] [--affiliation academic|industry]
 * [--organization NAME] [--ttl SECONDS]`: prints a development bearer token, and nothing else, on stdout.
 */
import { parseArgs } from 'node:util';
import { isInstitutionCode } from '@kyoyo/domain';
import { AFFILIATIONS, ROLES, type Affiliation, type Role } from '../identity';
import { DEV_AUDIENCE, DEV_ISSUER, signIdentityToken } from '../tokens';
import { defaultStateDir, devIssuerKey } from '../dev-keys';

const usage = `usage: npm run token -- --sub ID [--institution CODE] --role ROLE [--role ROLE]
                      [--affiliation academic|industry] [--organization NAME] [--ttl SECONDS]
roles: ${ROLES.join(', ')}`;

function fail(problems: string[]): never {
  for (const p of problems) process.stderr.write(`token: ${p}\n`);
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      sub: { type: 'string' },
      institution: { type: 'string' },
      role: { type: 'string', multiple: true },
      affiliation: { type: 'string' },
      organization: { type: 'string' },
      ttl: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  fail([(error as Error).message]);
}
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

const problems: string[] = [];
const sub = values.sub?.trim();
if (!sub) problems.push('--sub is required');
if (values.institution !== undefined && !isInstitutionCode(values.institution)) {
  problems.push(`--institution ${values.institution} is not an institution code (lower-case letters, digits, hyphens)`);
}
const roles = values.role ?? [];
for (const r of roles) if (!ROLES.includes(r as Role)) problems.push(`--role ${r} is not one of ${ROLES.join(', ')}`);
if (roles.length === 0) problems.push('at least one --role is required');
if (values.affiliation !== undefined && !AFFILIATIONS.includes(values.affiliation as Affiliation)) {
  problems.push(`--affiliation must be academic or industry`);
}
if (values.institution === undefined && !values.organization) {
  problems.push('--organization is required for users outside the federation (no --institution)');
}
const ttl = values.ttl === undefined ? 12 * 3600 : Number(values.ttl);
if (!Number.isInteger(ttl) || ttl < 1 || ttl > 30 * 24 * 3600) problems.push('--ttl must be whole seconds from 1 to 2592000');
if (problems.length > 0) fail(problems);

const key = await devIssuerKey(process.env.KYOYO_STATE_DIR ?? defaultStateDir);
const token = await signIdentityToken(
  {
    id: sub!,
    institution: values.institution ?? null,
    organization: values.organization ?? null,
    affiliation: (values.affiliation as Affiliation | undefined) ?? 'academic',
    roles: [...new Set(roles as Role[])],
  },
  key,
  { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, ttlSeconds: ttl },
);
process.stdout.write(`${token}\n`);
