/**
 * `DATABASE_URL=postgres://…/<gateway db> npm run -s roles -- list|grant|revoke …`: the national operator's
 * tool for the roles Kyoyo keeps, in the gateway's database — above all for the first administrator, who then
 * grants everything else through the API (`grantRole`) or the console. The same checks as the API apply; a
 * refused command writes nothing. Grants are recorded as made by `cli:<operating-system user>`.
 */
import { userInfo } from 'node:os';
import { connect } from '@kyoyo/db';
import { DomainError } from '@kyoyo/domain';
import * as gatewaySchema from '../db/schema';
import { RegistryRepository } from '../registry/registry.repository';
import { RoleGrantsRepository } from '../roles/role-grants.repository';
import { parseGrantInput, parseNote } from '../roles/roles.input';
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
  Exit codes: 0 done, 1 database error, 2 bad command line or bad value (nothing written), 4 no such grant.`;

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

/** Runs a check of the API's, turning its coded error into this tool's. */
function checked<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof DomainError) fail('BAD_USER_INPUT', [`${error.field ? `${error.field}: ` : ''}${error.message}`]);
    throw error;
  }
}

const grantInput =
  command === 'grant'
    ? checked(() =>
        parseGrantInput({
          subject: values.subject!,
          role: values.role!,
          institution: values.institution ?? null,
          agency: values.agency ?? null,
          note: values.note ?? null,
        }),
      )
    : null;
const note = command === 'revoke' ? checked(() => parseNote(values.note, 'note')) : null;
if (command === 'revoke' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(values.id!)) {
  fail('BAD_USER_INPUT', ['--id is not a role grant id (a UUID, as `list` shows)']);
}

const by = `cli:${userInfo().username}`;
const row = (g: RoleGrant) => [
  g.id,
  g.subject,
  g.role,
  g.institution ?? g.agency ?? '',
  `${g.grantedAt.toISOString()} ${g.grantedBy}`,
  g.revokedAt ? `revoked ${g.revokedAt.toISOString()} ${g.revokedBy ?? ''}` : 'active',
];

const database = connect(databaseUrl!, gatewaySchema, { max: 1 });
try {
  const grants = new RoleGrantsRepository(database.db);
  if (command === 'list') {
    const list = await grants.list(
      {
        ...(values.subject ? { subject: values.subject } : {}),
        ...(values.institution ? { institution: values.institution } : {}),
        includeRevoked: values.history,
      },
      10_000,
    );
    if (values.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    else if (list.length === 0) process.stdout.write('no grants\n');
    else process.stdout.write(`${table([['ID', 'SUBJECT', 'ROLE', 'WHERE', 'GRANTED', 'STATE'], ...list.map(row)])}\n`);
  } else if (grantInput) {
    if (grantInput.institution !== null) {
      const members = await new RegistryRepository(database.db).list();
      if (!members.some((m) => m.code === grantInput.institution))
        fail('BAD_USER_INPUT', [`--institution: ${grantInput.institution} is not a member institution (see registry list)`]);
    }
    const { grant, created } = await grants.grant({ ...grantInput, grantedBy: by });
    process.stdout.write(`${created ? 'granted' : 'already granted'}: ${table([row(grant)])}\n`);
  } else {
    const existing = await grants.findById(values.id!);
    if (!existing) fail('NOT_FOUND', [`no role grant has id ${values.id!}`]);
    if (existing.revokedAt) fail('BAD_USER_INPUT', [`this grant was already revoked on ${existing.revokedAt.toISOString()}`]);
    const revoked = await grants.revoke(values.id!, by, note);
    if (!revoked) fail('BAD_USER_INPUT', ['this grant was revoked meanwhile']);
    process.stdout.write(`revoked: ${table([row(revoked)])}\n`);
  }
} catch (error) {
  fail('DATABASE_ERROR', [(error as Error).message]);
} finally {
  await database.close();
}
