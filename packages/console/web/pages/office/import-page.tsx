/**
 * `#/office/import`: CSV import of listings (`importInstruments`). A file (UTF-8, BOM allowed) or pasted text;
 * the columns and a template; a dry run first, whose report lists every bad row; the import itself only after
 * a clean dry run of exactly the same text.
 */
import { useState } from 'preact/hooks';
import { gql } from '../../api';
import { ErrorMessage, Field } from '../../components/common';
import { number } from '../../format';
import { useLang, useT } from '../../i18n';
import { useAction } from '../../use-api';
import { CsvSyntaxError, parseCsv, readUtf8File, saveText, utf8Bytes, type CsvRecord } from '../../csv';
import { CSV_COLUMNS, CSV_LIMITS, REQUIRED_COLUMNS, templateCsv } from './listing-csv';
import type { FormProblem } from './listing-form';
import { OfficePage, scopedHref, type OfficeScope } from './scope';
import type { ImportReport } from './types';

const IMPORT = `mutation OfficeImport($institution: ID!, $csv: String!, $dryRun: Boolean!) {
  importInstruments(institution: $institution, csv: $csv, dryRun: $dryRun) {
    dryRun created updated unchanged errors { row line column message } } }`;

const MEGABYTE = 1024 * 1024;

export function ImportPage() {
  const t = useT();
  return <OfficePage title={t('office.import.title')}>{(scope) => <Importer scope={scope} />}</OfficePage>;
}

/** The records of a CSV text, or where it stops being CSV (the service would refuse it with the same line). */
function readRecords(text: string): { records: CsvRecord[] } | { problem: FormProblem } {
  try {
    return { records: parseCsv(text) };
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    const key = error.kind === 'unclosedQuote' ? 'office.import.unclosedQuote' : 'office.import.textAfterQuote';
    return { problem: { key, values: { line: error.line } } };
  }
}

/** Size and row count of a CSV text, or why it cannot be imported as it is. */
function measure(text: string): { rows: number; bytes: number; problem: FormProblem | null } {
  const bytes = utf8Bytes(text);
  if (bytes > CSV_LIMITS.bytes)
    return { rows: 0, bytes, problem: { key: 'office.import.tooLarge', values: { size: (bytes / MEGABYTE).toFixed(1) } } };
  if (!text.trim()) return { rows: 0, bytes, problem: { key: 'office.import.empty' } };
  const read = readRecords(text);
  if ('problem' in read) return { rows: 0, bytes, problem: read.problem };
  const rows = Math.max(read.records.length - 1, 0);
  if (rows > CSV_LIMITS.rows) return { rows, bytes, problem: { key: 'office.import.tooManyRows', values: { rows } } };
  return { rows, bytes, problem: null };
}

/** A chosen file's text: refused without reading when too large, and when it is not UTF-8 (e.g. Shift_JIS from Excel). */
async function readFile(file: File): Promise<{ text: string } | { problem: FormProblem }> {
  if (file.size > CSV_LIMITS.bytes)
    return { problem: { key: 'office.import.tooLarge', values: { size: (file.size / MEGABYTE).toFixed(1) } } };
  const text = await readUtf8File(file);
  return text === null ? { problem: { key: 'office.import.notUtf8' } } : { text };
}

interface Checked {
  text: string;
  report: ImportReport;
}

function Importer(props: { scope: OfficeScope }) {
  const t = useT();
  const lang = useLang();
  const { scope } = props;
  const [csv, setCsv] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [size, setSize] = useState<{ rows: number; bytes: number } | null>(null);
  const run = (dryRun: boolean) => (text: string) =>
    gql<{ importInstruments: ImportReport }>(IMPORT, { institution: scope.code, csv: text, dryRun }).then((data): Checked => ({
      text,
      report: data.importInstruments,
    }));
  const dry = useAction(run(true));
  const real = useAction(run(false));

  const change = (text: string, name: string | null) => {
    setCsv(text);
    setFileName(name);
    setProblem(null);
    setSize(null);
    real.reset();
  };

  const choose = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    const read = await readFile(file);
    if ('problem' in read) {
      change('', null);
      setProblem(read.problem);
    } else {
      const measured = measure(read.text);
      change(read.text, file.name);
      setSize(measured);
      setProblem(measured.problem);
    }
  };

  const check = async () => {
    const measured = measure(csv);
    setSize(measured);
    setProblem(measured.problem);
    real.reset();
    if (!measured.problem) await dry.run(csv);
  };

  const importNow = () => void real.run(csv);

  const checkedClean = dry.result && dry.result.text === csv && dry.result.report.errors.length === 0;
  const stale = dry.result && dry.result.text !== csv;

  return (
    <>
      <p>{t('office.import.lead')}</p>
      <CsvColumnsHelp />
      <section class="panel" aria-labelledby="import-source">
        <h2 id="import-source">{t('office.import.source')}</h2>
        <Field label={t('office.import.file')} hint={t('office.import.fileHint')}>
          {(control) => (
            <input
              {...control}
              type="file"
              name="csv-file"
              accept=".csv,text/csv"
              onChange={(e) => {
                const input = e.currentTarget;
                void choose(input).then(() => (input.value = ''));
              }}
            />
          )}
        </Field>
        <Field label={t('office.import.paste')} problem={problem && t(problem.key, problem.values)}>
          {(control) => (
            <textarea
              {...control}
              name="csv"
              rows={10}
              class="mono"
              spellcheck={false}
              value={csv}
              onInput={(e) => change(e.currentTarget.value, null)}
            />
          )}
        </Field>
        {size && !problem && (
          <p class="muted" role="status">
            {t(fileName ? 'office.import.sizeOfFile' : 'office.import.size', {
              name: fileName ?? '',
              rows: number(size.rows, lang),
              kb: number(size.bytes / 1024, lang, 1),
            })}
          </p>
        )}
        <div class="actions">
          <button type="button" disabled={dry.running || real.running} onClick={() => void check()}>
            {dry.running ? t('office.import.checking') : t('office.import.dryRun')}
          </button>
          <button type="button" disabled={!checkedClean || real.running || !!real.result} onClick={importNow}>
            {real.running ? t('office.import.importing') : t('office.import.submit')}
          </button>
          {!checkedClean && <span class="muted">{t('office.import.dryRunFirst')}</span>}
        </div>
      </section>
      <ErrorMessage error={dry.error} />
      <ErrorMessage error={real.error} />
      {real.result ? (
        <ImportResult scope={scope} checked={real.result} />
      ) : (
        dry.result && <DryRunResult checked={dry.result} stale={!!stale} />
      )}
    </>
  );
}

/** The columns the import reads (CONTRACT.md) and a template to start from. */
function CsvColumnsHelp() {
  const t = useT();
  return (
    <details class="panel">
      <summary>{t('office.import.columns')}</summary>
      <p class="muted">{t('office.import.columnsLead')}</p>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('office.import.columnName')}</th>
              <th scope="col">{t('office.import.columnMeaning')}</th>
            </tr>
          </thead>
          <tbody>
            {CSV_COLUMNS.map((column) => (
              <tr key={column}>
                <th scope="row">
                  <code>{column}</code>
                  {REQUIRED_COLUMNS.includes(column) && <span class="badge">{t('office.import.required')}</span>}
                </th>
                <td>{t(`office.import.column.${column}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="actions">
        <button type="button" class="secondary" onClick={() => saveText(templateCsv(), 'kyoyo-listings-template.csv')}>
          {t('office.import.template')}
        </button>
      </div>
    </details>
  );
}

function Counts(props: { report: ImportReport }) {
  const t = useT();
  const lang = useLang();
  const { report } = props;
  return (
    <dl class="counts">
      <div>
        <dt>{t('office.import.created')}</dt>
        <dd data-testid="import-created">{number(report.created, lang)}</dd>
      </div>
      <div>
        <dt>{t('office.import.updated')}</dt>
        <dd data-testid="import-updated">{number(report.updated, lang)}</dd>
      </div>
      <div>
        <dt>{t('office.import.unchanged')}</dt>
        <dd>{number(report.unchanged, lang)}</dd>
      </div>
    </dl>
  );
}

function DryRunResult(props: { checked: Checked; stale: boolean }) {
  const t = useT();
  const { report } = props.checked;
  const bad = new Set(report.errors.map((e) => e.row)).size;
  return (
    <section class="panel" aria-labelledby="dry-run-heading">
      <h2 id="dry-run-heading">{t('office.import.dryRunResult')}</h2>
      <p class="alert warn" role="status">
        {t('office.import.nothingWritten')}
      </p>
      {props.stale && <p class="alert warn">{t('office.import.stale')}</p>}
      {report.errors.length > 0 ? (
        <>
          <p class="alert error" role="alert">
            {t('office.import.badRows', { rows: bad, errors: report.errors.length })}
          </p>
          <RowErrors checked={props.checked} />
        </>
      ) : (
        <>
          <p class="alert ok" role="status">
            {t('office.import.clean')}
          </p>
          <Counts report={report} />
        </>
      )}
    </section>
  );
}

/** Every error with its row, file line, column and message, and the row's local id to find it by. */
function RowErrors(props: { checked: Checked }) {
  const t = useT();
  const read = readRecords(props.checked.text);
  const records = 'records' in read ? read.records : [];
  const localIdAt = records[0]?.fields.findIndex((f) => f.trim() === 'local_id') ?? -1;
  return (
    <div class="table-scroll">
      <table class="import-errors">
        <thead>
          <tr>
            <th scope="col" class="num">
              {t('office.import.row')}
            </th>
            <th scope="col" class="num">
              {t('office.import.line')}
            </th>
            <th scope="col">{t('office.field.localId')}</th>
            <th scope="col">{t('office.import.errorColumn')}</th>
            <th scope="col">{t('office.import.message')}</th>
          </tr>
        </thead>
        <tbody>
          {props.checked.report.errors.map((error, i) => (
            <tr key={i}>
              <td class="num">{error.row === 0 ? t('office.import.header') : error.row}</td>
              <td class="num">{error.line}</td>
              <td>{(localIdAt >= 0 && error.row > 0 && records[error.row]?.fields[localIdAt]) || '—'}</td>
              <td>{error.column ? <code>{error.column}</code> : '—'}</td>
              <td>{error.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ImportResult(props: { scope: OfficeScope; checked: Checked }) {
  const t = useT();
  const { report } = props.checked;
  if (report.errors.length > 0)
    return (
      <section class="panel" aria-labelledby="import-heading">
        <h2 id="import-heading">{t('office.import.result')}</h2>
        <p class="alert error" role="alert">
          {t('office.import.failed')}
        </p>
        <RowErrors checked={props.checked} />
      </section>
    );
  return (
    <section class="panel" aria-labelledby="import-heading">
      <h2 id="import-heading">{t('office.import.result')}</h2>
      <p class="alert ok" role="status">
        {t('office.import.done')}
      </p>
      <Counts report={report} />
      <p>
        <a href={scopedHref(props.scope, '/office/listings')}>{t('office.import.toListings')}</a>
      </p>
    </section>
  );
}
