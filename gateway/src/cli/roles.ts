/**
 * `DATABASE_URL=postgres://…/<gateway db> npm run -s roles -- list|grant|revoke …`: the national operator's
 * tool for the roles Kyoyo keeps, in the gateway's database — above all for the first administrator, who then
 * grants everything else through the API (`grantRole`) or the console. The same checks as the API apply; a
 * refused command writes nothing. Grants are recorded as made by `cli:<operating-system user>`.
 */
import { userInfo } from 'node:os';
import type { Identity } from '@kyoyo/auth';
import { connect } from '@kyoyo/db';
import { DomainError } from '@kyoyo/domain';
import { createLogger } from '@kyoyo/server-kit';
import * as gatewaySchema from '../db/schema';
import { InstitutionRegistry } from '../registry/registry';
import { RegistryRepository } from '../registry/registry.repository';
import { EffectiveRoles } from '../roles/effective-roles';
import { RoleGrantsRepository } from '../roles/role-grants.repository';
import { MAX_GRANTS_PAGE, RolesService } from '../roles/roles.service';
import type { RoleGrant } from '../roles/roles.types';
import { gatewayDatabaseUrl, readCommandLine } from './command-line';
import { table } from './table';

const usage = `usage: DATABASE_URL=postgres://…/<gateway database> npm run -s roles -- <command>
  list [--subject SUB] [--institution CODE] [--history] [--json]
                                active grants, newest first (--history: revoked ones too)
  grant --subject SUB --role ROLE [--institution CODE] [--agency NAME] [--note TEXT]
                                grant ROLE to the person whose identity token's sub is SUB; FACILITY_MANAGER and
                                INSTITUTION_ADMIN need --institution (a member's code), FUNDER --agency (e.g. JSPS)
  revoke --id ID [--note TEXT]  end a grant (it stays in the history)

  A running gateway applies a change within 5 s (it reads a person's grants again after that).
  Exit codes: 0 done, 1 database error, 2 bad command line or bad value (nothing written), 4 no such grant.
  list shows the newest 500.`;

function fail(code: 'BAD_USER_INPUT' | 'NOT_FOUND' | 'DATABASE_ERROR', problems: string[]): never {
  for (const p of problems) process.stderr.write(`roles: ${code} ${p}\n`);
  if (code === 'BAD_USER_INPUT') process.stderr.write(`${usage}\n`);
  process.exit({ BAD_USER_INPUT: 2, NOT_FOUND: 4, DATABASE_ERROR: 1 }[code]);
}

const options = {
  subject: { type: 'string' },
  role: { type: 'string' },
  institution: { type: 'string' },
  agency: { type: 'string' },
  note: { type: 'string' },
  id: { type: 'string' },
  history: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

const accepted: Record<string, readonly string[]> = {
  list: ['subject', 'institution', 'history', 'json'],
  grant: ['subject', 'role', 'institution', 'agency', 'note'],
  revoke: ['id', 'note'],
};
const { values, command, problems } = readCommandLine(options, accepted, usage, (problems) => fail('BAD_USER_INPUT', problems));
if (command === 'grant' && (!values.subject || !values.role)) problems.push('grant needs --subject and --role');
if (command === 'revoke' && !values.id) problems.push('revoke needs --id');
const databaseUrl = gatewayDatabaseUrl(problems);
if (problems.length > 0) fail('BAD_USER_INPUT', problems);

const by = `cli:${userInfo().username}`;
const row = (g: RoleGrant) => [
  g.id,
  g.subject,
  g.role,
  g.institution ?? g.agency ?? '',
  `${g.grantedAt.toISOString()} ${g.grantedBy}`,
  g.revokedAt ? `revoked ${g.revokedAt.toISOString()} ${g.revokedBy ?? ''}` : 'active',
];

/** The operator, as the API's checks see them: an administrator. */
const operator: Identity = { id: by, institution: null, organization: null, affiliation: 'academic', roles: ['ADMIN'] };

const database = connect(databaseUrl!, gatewaySchema, { max: 1 });
try {
  const quiet = createLogger('roles', 'error');
  const grants = new RoleGrantsRepository(database.db);
  const registry = new InstitutionRegistry(new RegistryRepository(database.db), quiet);
  await registry.refresh();
  // The API's own service: the same checks, the same writes, nothing of its own to keep in step.
  const roles = new RolesService(grants, new EffectiveRoles(grants), registry, quiet);
  if (command === 'list') {
    const list = await roles.list(
      {
        subject: values.subject ?? null,
        institution: values.institution ?? null,
        includeRevoked: values.history,
        first: MAX_GRANTS_PAGE,
      },
      operator,
    );
    if (values.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    else if (list.length === 0) process.stdout.write('no grants\n');
    else process.stdout.write(`${table([['ID', 'SUBJECT', 'ROLE', 'WHERE', 'GRANTED', 'STATE'], ...list.map(row)])}\n`);
  } else if (command === 'grant') {
    const { grant, created } = await roles.grant(
      { subject: values.subject!, role: values.role!, institution: values.institution, agency: values.agency, note: values.note },
      operator,
    );
    process.stdout.write(`${created ? 'granted' : 'already granted'}: ${table([row(grant)])}\n`);
  } else {
    const revoked = await roles.revoke(values.id!, values.note, operator);
    process.stdout.write(`revoked: ${table([row(revoked)])}\n`);
  }
} catch (error) {
  if (error instanceof DomainError && (error.code === 'BAD_USER_INPUT' || error.code === 'NOT_FOUND'))
    fail(error.code, [`${error.field ? `${error.field}: ` : ''}${error.message}`]);
  fail('DATABASE_ERROR', [(error as Error).message]);
} finally {
  await database.close();
}
