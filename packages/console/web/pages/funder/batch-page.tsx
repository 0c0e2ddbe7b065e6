/**
 * `#/funder/batch`: a funding call's proposals checked as one batch. The CSV (a UTF-8 file, or pasted text) is
 * read and every row checked here first; while any row is bad the list says which and why and nothing is sent.
 * Then `checkDuplicatePurchases` runs (about 30 s for 1,000) and the results follow in input order.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { gql, type ApiError } from '../../api';
import { ErrorMessage, Field, Loading, Page, RequireRole } from '../../components/common';
import { readUtf8File, saveText } from '../../csv';
import { useLang, useT } from '../../i18n';
import { number } from '../../format';
import { session } from '../../session';
import { useStore } from '../../store';
import { useAction } from '../../use-api';
import { BatchResults } from './batch-results';
import { batchIndexOf } from './problems';
import { BATCH_COLUMNS, batchTemplate, proposalsFromCsv, type ParsedBatch, type RowProblem } from './proposal-rows';
import { MAX_PROPOSALS_PER_BATCH } from './proposal';
import { CHECK_MANY, type BatchResult, type ProposalInput } from './queries';
import { inScope, scopeOf, useInstitutions } from './scope';

export function BatchPage() {
  const t = useT();
  return (
    <Page title={t('funder.batch.title')}>
      <RequireRole roles={['FUNDER', 'FACILITY_MANAGER']}>
        <BatchChecker />
      </RequireRole>
    </Page>
  );
}

function BatchChecker() {
  const t = useT();
  const lang = useLang();
  const { viewer } = useStore(session);
  const scope = scopeOf(viewer);
  const institutions = useInstitutions();
  const [text, setText] = useState('');
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const [loadedFile, setLoadedFile] = useState<string | null>(null);
  const problemsRef = useRef<HTMLDivElement>(null);
  const resultsRef = useRef<HTMLDivElement>(null);
  const check = useAction((inputs: ProposalInput[]) =>
    gql<{ checkDuplicatePurchases: BatchResult[] }>(CHECK_MANY, { inputs }).then((d) => d.checkDuplicatePurchases),
  );

  const known = institutions.data?.institutions;
  const onlyInstitution = scope.all ? null : scope.institution;
  const parsed = useMemo<ParsedBatch | null>(() => {
    if (!known || text.trim() === '') return null;
    return proposalsFromCsv(text, { institutions: new Set(known.map((i) => i.code)), onlyInstitution });
  }, [text, known, onlyInstitution]);

  const pick = async (event: Event) => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    const content = await readUtf8File(file);
    input.value = ''; // the same file, edited, may be chosen again
    setFileProblem(content === null ? t('funder.batch.notUtf8', { file: file.name }) : null);
    setLoadedFile(content === null ? null : file.name);
    setText(content ?? '');
    check.reset();
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!parsed || parsed.problems.length > 0) {
      problemsRef.current?.focus();
      return;
    }
    const results = await check.run(parsed.proposals);
    if (results) requestAnimationFrame(() => resultsRef.current?.querySelector<HTMLElement>('h2')?.focus());
  };

  const template = () => {
    const code = inScope(known ?? [], scope)[0]?.code ?? '';
    saveText(batchTemplate(code), 'duplicate-check-template.csv');
  };

  const ready = parsed && parsed.problems.length === 0 ? parsed.proposals.length : 0;
  return (
    <div class="funder-page batch">
      <p>{t('funder.batch.lead', { max: number(MAX_PROPOSALS_PER_BATCH, lang) })}</p>
      <form class="panel" onSubmit={submit} noValidate>
        <ColumnsHelp onTemplate={template} />
        <Field label={t('funder.batch.file')} hint={t('funder.batch.fileHint')} problem={fileProblem}>
          {(control) => <input {...control} name="csvFile" type="file" accept=".csv,text/csv" onChange={pick} />}
        </Field>
        {loadedFile && (
          <p class="muted" role="status">
            {t('funder.batch.loaded', { file: loadedFile })}
          </p>
        )}
        <Field label={t('funder.batch.paste')} hint={t('funder.batch.pasteHint')}>
          {(control) => (
            <textarea
              {...control}
              name="csvText"
              rows={8}
              class="mono"
              spellcheck={false}
              value={text}
              onInput={(e) => {
                setText((e.target as HTMLTextAreaElement).value);
                setFileProblem(null);
              }}
            />
          )}
        </Field>
        {institutions.loading && <Loading />}
        <ErrorMessage error={institutions.error} onRetry={institutions.reload} />
        <div ref={problemsRef} tabIndex={-1} class="focus-target">
          {parsed && parsed.problems.length > 0 && <RowProblems problems={parsed.problems} />}
        </div>
        {ready > 0 && !check.running && (
          <p class="alert ok" role="status">
            {t('funder.batch.ready', { count: number(ready, lang) })}
          </p>
        )}
        <div class="actions">
          <button type="submit" disabled={check.running}>
            {ready > 0 ? t('funder.batch.submitCount', { count: number(ready, lang) }) : t('funder.batch.submit')}
          </button>
        </div>
        {check.running && <Progress count={parsed?.proposals.length ?? 0} />}
        {check.error && <ServerProblems error={check.error} lines={parsed?.lines ?? []} />}
      </form>
      <div ref={resultsRef}>{check.result && <BatchResults results={check.result} />}</div>
    </div>
  );
}

/** What the CSV holds, and the template to start from. */
function ColumnsHelp(props: { onTemplate: () => void }) {
  const t = useT();
  return (
    <div class="columns-help">
      <p>{t('funder.batch.columnsLead')}</p>
      <ul class="columns">
        {BATCH_COLUMNS.map((c) => (
          <li key={c}>
            <code>{c}</code> — {t(`funder.batch.column.${c}`)}
          </li>
        ))}
      </ul>
      <button type="button" class="secondary" onClick={props.onTemplate}>
        {t('funder.batch.template')}
      </button>
    </div>
  );
}

/** Every bad row (or the file's own problem) with its row and line number: nothing is sent until all are fixed. */
function RowProblems(props: { problems: RowProblem[] }) {
  const t = useT();
  const lang = useLang();
  const rows = new Set(props.problems.filter((p) => p.row > 0).map((p) => p.row)).size;
  return (
    <div class="alert error" role="alert" data-testid="row-problems">
      <strong>{rows > 0 ? t('funder.batch.badRows', { count: number(rows, lang) }) : t('funder.batch.badFile')}</strong>
      <div class="table-scroll">
        <table class="problems">
          <thead>
            <tr>
              <th scope="col" class="num">
                {t('funder.batch.row')}
              </th>
              <th scope="col" class="num">
                {t('funder.batch.line')}
              </th>
              <th scope="col">{t('funder.batch.column')}</th>
              <th scope="col">{t('funder.batch.problem')}</th>
            </tr>
          </thead>
          <tbody>
            {props.problems.map((p, i) => (
              <tr key={i} data-row={p.row}>
                <td class="num">{p.row > 0 ? p.row : t('funder.batch.header')}</td>
                <td class="num">{p.line}</td>
                <td>{p.column ? <code>{p.column}</code> : '—'}</td>
                <td>{t(p.key, p.values)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** The gateway refused the batch (nothing was stored): its problems, placed at their rows where it named one. */
function ServerProblems(props: { error: ApiError; lines: number[] }) {
  const t = useT();
  const located = props.error.problems
    .map((p) => ({ ...p, index: batchIndexOf(p.field) }))
    .filter((p): p is typeof p & { index: number } => p.index !== null);
  return (
    <>
      <ErrorMessage error={props.error} />
      {located.length > 0 && (
        <ul class="server-rows">
          {located.map((p, i) => (
            <li key={i}>
              {t('funder.batch.serverRow', { row: p.index + 1, line: props.lines[p.index] ?? '—', message: p.message })}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** While the batch runs: how many, and how long so far (1,000 proposals take about 30 seconds). */
function Progress(props: { count: number }) {
  const t = useT();
  const lang = useLang();
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    const started = Date.now();
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <div class="batch-progress">
      <p role="status" data-testid="batch-progress">
        {t('funder.batch.running', { count: number(props.count, lang) })}
      </p>
      <progress aria-label={t('funder.batch.running', { count: number(props.count, lang) })} />
      <p class="muted small" aria-hidden="true">
        {t('funder.batch.elapsed', { seconds })}
      </p>
    </div>
  );
}
