/**
 * `npm run import -- --institution CODE --file PATH --format kyoyo-csv|uniquip|jp-equipment-jsonl [--dry-run]`
 *
 * The office importer: reads a register (UTF-8 with or without a byte-order mark, or Windows-1252), maps it to
 * a Kyoyo CSV (see `import-plan.ts` and this package's README), and sends it to the national gateway's
 * `importInstruments` as one all-or-nothing import. Progress goes to stderr; the summary to stdout. Exit code
 * 0 when the import (or dry run) found nothing wrong, 1 when rows were refused or the gateway said no, 2 for a
 * wrong command line.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { defaultStateDir, devIssuerKey, devKeyPaths, DEV_AUDIENCE, DEV_ISSUER, signIdentityToken } from '@kyoyo/auth';
import { isInstitutionCode } from '@kyoyo/domain';
import { csvRow } from '../csv';
import { decodeText } from '../decode';
import { IMPORT_FORMATS, planImport, planLimitProblem, type ImportFormat, type ImportPlan } from '../import-plan';
import type { RowError } from '../listing';

const usage = `usage: npm run import -- --institution CODE --file PATH --format ${IMPORT_FORMATS.join('|')} [--dry-run]
       [--gateway URL] [--token TOKEN] [--org NAME] [--yen-rate YEN] [--skip-bad-rows] [--errors-csv PATH]

  --institution CODE   the institution whose listings these are (your office's)
  --file PATH          the register to import
  --format             kyoyo-csv (Kyoyo's own columns), uniquip (UK open-data registers and their variants),
                       jp-equipment-jsonl (the national equipment network's JSON lines)
  --dry-run            check everything and report what would change; write nothing
  --gateway URL        the national gateway (default $KYOYO_GATEWAY_URL or http://127.0.0.1:\${PORT:-4000}/graphql)
  --token TOKEN        a bearer token of the institution's facility office (default $KYOYO_TOKEN; in development
                       a token for "import-cli" is made with the demo's development issuer)
  --org NAME           jp-equipment-jsonl: only the rows of this organisation (e.g. 東北大学)
  --yen-rate YEN       uniquip: yen per unit of the file's currency (e.g. 190 for GBP); without it prices are left out
  --skip-bad-rows      import the other rows when some source rows cannot become listings (they are listed)
  --errors-csv PATH    also write every refused row (source line, column, message) to this CSV file`;

function fail(problems: string[]): never {
  for (const p of problems) process.stderr.write(`import: ${p}\n`);
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}

function stop(message: string): never {
  process.stderr.write(`import: ${message}\n`);
  process.exit(1);
}

const options = {
  institution: { type: 'string' },
  file: { type: 'string' },
  format: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  gateway: { type: 'string' },
  token: { type: 'string' },
  org: { type: 'string' },
  'yen-rate': { type: 'string' },
  'skip-bad-rows': { type: 'boolean', default: false },
  'errors-csv': { type: 'string' },
  help: { type: 'boolean' },
} as const;

function readArgs() {
  try {
    return parseArgs({ options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return fail([(error as Error).message]);
  }
}

const values = readArgs();
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

const problems: string[] = [];
const institution = values.institution ?? '';
if (!institution) problems.push('--institution is required');
else if (!isInstitutionCode(institution))
  problems.push(`--institution ${institution} is not an institution code (such as tohoku-u)`);
if (!values.file) problems.push('--file is required');
else if (!existsSync(values.file)) problems.push(`--file ${values.file}: no such file`);
const format = values.format as ImportFormat;
if (!values.format) problems.push('--format is required');
else if (!IMPORT_FORMATS.includes(format)) problems.push(`--format must be one of ${IMPORT_FORMATS.join(', ')}`);
const yenRate = values['yen-rate'] === undefined ? null : Number(values['yen-rate']);
if (yenRate !== null && !(Number.isFinite(yenRate) && yenRate > 0)) problems.push('--yen-rate must be a positive number of yen');
if (yenRate !== null && format !== 'uniquip') problems.push('--yen-rate applies to --format uniquip only');
if (values.org !== undefined && format !== 'jp-equipment-jsonl')
  problems.push('--org applies to --format jp-equipment-jsonl only');
if (problems.length > 0) fail(problems);

const dryRun = values['dry-run'];
const gateway = values.gateway ?? process.env.KYOYO_GATEWAY_URL ?? `http://127.0.0.1:${process.env.PORT ?? 4000}/graphql`;
const tty = process.stderr.isTTY === true;

// ---------------------------------------------------------------------------------------------------------
// Progress

/** A progress bar on stderr: redrawn in place on a terminal, a line every 10% otherwise. */
function progressBar(label: string, total: number) {
  let lastTenth = -1;
  const draw = (done: number) => {
    const share = total > 0 ? Math.min(1, done / total) : 1;
    if (tty) {
      const width = 30;
      const filled = Math.round(share * width);
      process.stderr.write(
        `\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done.toLocaleString('en')}/${total.toLocaleString('en')}`,
      );
    } else if (Math.floor(share * 10) > lastTenth) {
      lastTenth = Math.floor(share * 10);
      process.stderr.write(`${label}: ${done.toLocaleString('en')}/${total.toLocaleString('en')}\n`);
    }
  };
  return {
    update: draw,
    done: () => {
      draw(total);
      if (tty) process.stderr.write('\n');
    },
  };
}

/** Elapsed seconds on stderr while `work` runs (the institution checks and writes in one transaction). */
async function withTimer<T>(label: string, work: Promise<T>): Promise<T> {
  const started = Date.now();
  const tick = () => `${label} ${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (!tty) process.stderr.write(`${label}\n`);
  const timer = tty ? setInterval(() => process.stderr.write(`\r${tick()}`), 200) : null;
  try {
    return await work;
  } finally {
    if (timer) {
      clearInterval(timer);
      process.stderr.write(`\r${tick()}\n`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Token

async function tokenFor(code: string): Promise<string> {
  const given = values.token ?? process.env.KYOYO_TOKEN;
  if (given) return given;
  const stateDir = process.env.KYOYO_STATE_DIR ?? defaultStateDir;
  if (!existsSync(devKeyPaths(stateDir).issuer)) {
    stop(
      `no token: pass --token (or set KYOYO_TOKEN) with a token of ${code}'s facility office; ` +
        `in development, start the demo (npm start) first so that its development issuer exists`,
    );
  }
  const key = await devIssuerKey(stateDir);
  process.stderr.write(`import: no --token given; using a development token for import-cli, FACILITY_MANAGER of ${code}\n`);
  return signIdentityToken(
    { id: 'import-cli', institution: code, organization: null, affiliation: 'academic', roles: ['FACILITY_MANAGER'] },
    key,
    { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, ttlSeconds: 3600 },
  );
}

// ---------------------------------------------------------------------------------------------------------
// The import

interface ImportReport {
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  errors: { row: number; line: number; column: string | null; message: string }[];
}

interface GraphQLAnswer {
  data?: { importInstruments: ImportReport } | null;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

async function send(plan: ImportPlan, token: string): Promise<ImportReport> {
  const document = `mutation Import($institution: ID!, $csv: String!, $dryRun: Boolean) {
    importInstruments(institution: $institution, csv: $csv, dryRun: $dryRun) {
      dryRun created updated unchanged errors { row line column message } } }`;
  let response: Response;
  try {
    response = await fetch(gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: document, variables: { institution, csv: plan.csv, dryRun } }),
    });
  } catch (error) {
    stop(
      `could not reach the gateway at ${gateway} (${(error as Error).cause ?? (error as Error).message}); is it running? (npm start)`,
    );
  }
  let answer: GraphQLAnswer;
  try {
    answer = (await response.json()) as GraphQLAnswer;
  } catch {
    stop(`the gateway at ${gateway} answered HTTP ${response.status} without JSON`);
  }
  const [error] = answer.errors ?? [];
  if (error) stop(`the gateway refused the import: ${error.extensions?.code ?? 'ERROR'}: ${error.message}`);
  if (!answer.data) stop(`the gateway answered HTTP ${response.status} without data`);
  return answer.data.importInstruments;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** At most `limit` lines of `errors`, then how many more. */
function listSome(errors: readonly string[], limit = 20): string[] {
  return errors.length <= limit ? [...errors] : [...errors.slice(0, limit), `  … and ${errors.length - limit} more`];
}

async function writeErrorsCsv(path: string, rejected: readonly RowError[], refused: readonly RowError[]): Promise<void> {
  const columns = ['source_line', 'stage', 'column', 'message'] as const;
  const lines = [columns.join(',')];
  for (const [stage, list] of [
    ['mapping', rejected],
    ['institution', refused],
  ] as const) {
    for (const e of list) lines.push(csvRow(columns, { source_line: e.line, stage, column: e.column, message: e.message }));
  }
  await writeFile(path, `${lines.join('\r\n')}\r\n`, 'utf8');
}

const bytes = await readFile(values.file!);
let decoded;
try {
  decoded = decodeText(bytes);
} catch (error) {
  stop(`${values.file}: ${(error as Error).message}`);
}
// JSON lines are counted as they are read; a CSV is read in one go.
const lineCount = format === 'jp-equipment-jsonl' ? decoded.text.replace(/\r?\n$/, '').split('\n').length : null;
const reading = lineCount === null ? null : progressBar(`reading ${values.file}`, lineCount);
let plan: ImportPlan;
try {
  plan = await planImport(format, decoded.text, {
    yenPerUnit: yenRate,
    organisation: values.org ?? null,
    onProgress: (done) => reading?.update(done),
  });
} catch (error) {
  stop(`${values.file}: ${(error as Error).message}`);
}
reading?.done();

const out: string[] = [];
out.push(`${values.file} (${format}, ${decoded.encoding}): ${plural(plan.recordsRead, 'record')} read`);
if (plan.filteredOut > 0) out.push(`  ${plural(plan.filteredOut, 'row')} of other organisations left out (--org ${values.org})`);
for (const note of plan.notes) out.push(`  note: ${note}`);
if (plan.unmappedColumns.length > 0) out.push(`  columns not imported: ${plan.unmappedColumns.join(', ')}`);
if (plan.rejected.length > 0) {
  const byColumn = new Map<string, number>();
  for (const e of plan.rejected) byColumn.set(e.column ?? 'whole row', (byColumn.get(e.column ?? 'whole row') ?? 0) + 1);
  const counts = [...byColumn].map(([column, n]) => `${n.toLocaleString('en')} on ${column}`).join(', ');
  out.push(`${plural(plan.rejected.length, 'source row')} cannot become listings (${counts}):`);
  out.push(...listSome(plan.rejected.map((e) => `  line ${e.line}${e.column ? ` (${e.column})` : ''}: ${e.message}`)));
}
process.stdout.write(`${out.join('\n')}\n`);

if (values['errors-csv'] && plan.rejected.length > 0) await writeErrorsCsv(values['errors-csv'], plan.rejected, []);
if (plan.rejected.length > 0 && !values['skip-bad-rows'] && !dryRun) {
  stop(
    `nothing sent: ${plural(plan.rejected.length, 'row')} of the file cannot be imported (listed above${values['errors-csv'] ? ` and in ${values['errors-csv']}` : ''}); ` +
      `fix them, or pass --skip-bad-rows to import the other ${plural(plan.rows, 'row')}`,
  );
}
if (plan.rows === 0) stop('nothing to import: the file has no listings');
const limit = planLimitProblem(plan);
if (limit) stop(limit);

const token = await tokenFor(institution);
const sizeMb = (Buffer.byteLength(plan.csv, 'utf8') / 1e6).toFixed(1);
const report = await withTimer(
  `${dryRun ? 'checking' : 'importing'} ${plural(plan.rows, 'listing')} (${sizeMb} MB) at ${institution} through ${gateway} …`,
  send(plan, token),
);

const summary: string[] = [];
summary.push(
  `${report.dryRun ? 'dry run — nothing written; would create' : 'created'} ${report.created.toLocaleString('en')}, ` +
    `${report.dryRun ? 'update' : 'updated'} ${report.updated.toLocaleString('en')}, unchanged ${report.unchanged.toLocaleString('en')}` +
    (plan.rejected.length > 0
      ? `; ${plural(plan.rejected.length, 'source row')} ${values['skip-bad-rows'] ? 'skipped (--skip-bad-rows)' : 'left out: a real import needs them fixed or --skip-bad-rows'}`
      : ''),
);
const refused = report.errors.map((e) => ({
  line: e.row > 0 ? (plan.sourceLines[e.row - 1] ?? e.line) : 1,
  column: e.column,
  message: e.message,
}));
if (refused.length > 0) {
  summary.push(`${plural(refused.length, 'row error')}${report.dryRun ? '' : ' — nothing was written'}:`);
  summary.push(...listSome(refused.map((e) => `  line ${e.line}${e.column ? ` (${e.column})` : ''}: ${e.message}`)));
}
process.stdout.write(`${summary.join('\n')}\n`);
if (values['errors-csv'] && (refused.length > 0 || plan.rejected.length > 0)) {
  await writeErrorsCsv(values['errors-csv'], plan.rejected, refused);
  process.stdout.write(`every refused row is in ${values['errors-csv']}\n`);
}
process.exit(refused.length > 0 || (plan.rejected.length > 0 && !values['skip-bad-rows']) ? 1 : 0);
