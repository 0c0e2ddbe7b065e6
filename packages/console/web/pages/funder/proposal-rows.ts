/**
 * A batch of planned purchases from CSV text: the header, every row checked the way the gateway will check it
 * (title, whole-yen price, member institution, hours, keywords), and every problem with its row number, so
 * that a list with any bad row is fixed before anything is sent.
 */
import { CsvSyntaxError, parseCsv, toCsvFile } from '../../csv';
import {
  CSV_KEYWORD_SEPARATORS,
  hoursProblem,
  keywordsProblem,
  MAX_PROPOSALS_PER_BATCH,
  optionalText,
  parseWholeNumber,
  priceProblem,
  splitKeywords,
  titleProblem,
  type Problem,
} from './proposal';
import type { ProposalInput } from './queries';

/** The batch CSV's columns, in the template's order. */
export const BATCH_COLUMNS = [
  'title',
  'category',
  'manufacturer',
  'model',
  'estimated_price',
  'institution',
  'funding_program',
  'grant_id',
  'expected_hours_per_year',
  'keywords',
] as const;
export type BatchColumn = (typeof BATCH_COLUMNS)[number];
const REQUIRED_COLUMNS: readonly BatchColumn[] = ['title', 'estimated_price', 'institution'];

/** A problem of one row (`row` counts proposals from 1; 0 is the file or its header), at its line of the file. */
export interface RowProblem extends Problem {
  row: number;
  line: number;
  column: BatchColumn | null;
}

export interface ParsedBatch {
  proposals: ProposalInput[];
  /** The line each proposal starts on, by index. */
  lines: number[];
  problems: RowProblem[];
}

export interface BatchRules {
  /** Member institutions' codes. */
  institutions: ReadonlySet<string>;
  /** A facility office may check only its own institution's proposals. */
  onlyInstitution?: string | null;
}

const fileProblem = (problem: Problem, line = 1): RowProblem => ({ ...problem, row: 0, line, column: null });

/** Maps the header's names to their positions; problems for unknown, repeated and missing columns. */
function readHeader(fields: readonly string[]): { columns: Map<BatchColumn, number>; problems: RowProblem[] } {
  const columns = new Map<BatchColumn, number>();
  const problems: RowProblem[] = [];
  fields.forEach((raw, index) => {
    const name = raw.trim().toLowerCase();
    if (!(BATCH_COLUMNS as readonly string[]).includes(name)) {
      problems.push(fileProblem({ key: 'funder.csv.unknownColumn', values: { column: raw.trim() } }));
    } else if (columns.has(name as BatchColumn)) {
      problems.push(fileProblem({ key: 'funder.csv.repeatedColumn', values: { column: name } }));
    } else columns.set(name as BatchColumn, index);
  });
  for (const required of REQUIRED_COLUMNS) {
    if (!columns.has(required)) problems.push(fileProblem({ key: 'funder.csv.missingColumn', values: { column: required } }));
  }
  return { columns, problems };
}

/** One data row as a proposal, or its problems. */
function readRow(
  cells: (column: BatchColumn) => string,
  rules: BatchRules,
): { proposal: ProposalInput | null; problems: (Problem & { column: BatchColumn })[] } {
  const problems: (Problem & { column: BatchColumn })[] = [];
  const check = (column: BatchColumn, problem: Problem | null) => problem && problems.push({ ...problem, column });
  const institution = cells('institution').trim();
  const keywords = splitKeywords(cells('keywords'), CSV_KEYWORD_SEPARATORS);

  check('title', titleProblem(cells('title')));
  check('estimated_price', priceProblem(cells('estimated_price')));
  if (institution === '') check('institution', { key: 'funder.problem.institutionRequired' });
  else if (!rules.institutions.has(institution)) {
    check('institution', { key: 'funder.problem.institutionUnknown', values: { code: institution } });
  } else if (rules.onlyInstitution && institution !== rules.onlyInstitution) {
    check('institution', { key: 'funder.problem.institutionNotOwn', values: { code: rules.onlyInstitution } });
  }
  check('expected_hours_per_year', hoursProblem(cells('expected_hours_per_year')));
  check('keywords', keywordsProblem(keywords));
  if (problems.length > 0) return { proposal: null, problems };

  const hours = cells('expected_hours_per_year').trim();
  return {
    problems,
    proposal: {
      title: cells('title').trim(),
      category: optionalText(cells('category')),
      manufacturer: optionalText(cells('manufacturer')),
      model: optionalText(cells('model')),
      estimatedPrice: parseWholeNumber(cells('estimated_price'))!,
      institution,
      fundingProgram: optionalText(cells('funding_program')),
      grantId: optionalText(cells('grant_id')),
      expectedHoursPerYear: hours === '' ? null : parseWholeNumber(hours),
      keywords,
    },
  };
}

/**
 * Reads a batch CSV: a header row naming some of {@link BATCH_COLUMNS} (any order, case-insensitive; title,
 * estimated_price and institution required), then one proposal a row; blank rows are skipped. Every problem
 * is reported; `proposals` is complete only when there are none.
 */
export function proposalsFromCsv(text: string, rules: BatchRules): ParsedBatch {
  let records;
  try {
    records = parseCsv(text).filter((r) => r.fields.some((f) => f.trim() !== ''));
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    const key = error.kind === 'unclosedQuote' ? 'funder.csv.unclosedQuote' : 'funder.csv.textAfterQuote';
    return { proposals: [], lines: [], problems: [fileProblem({ key }, error.line)] };
  }
  const [header, ...rows] = records;
  if (!header) return { proposals: [], lines: [], problems: [fileProblem({ key: 'funder.csv.empty' })] };
  const { columns, problems } = readHeader(header.fields);
  if (problems.length > 0) return { proposals: [], lines: [], problems };
  if (rows.length === 0) return { proposals: [], lines: [], problems: [fileProblem({ key: 'funder.csv.noRows' }, header.line)] };
  if (rows.length > MAX_PROPOSALS_PER_BATCH) {
    const values = { count: rows.length, max: MAX_PROPOSALS_PER_BATCH };
    return { proposals: [], lines: [], problems: [fileProblem({ key: 'funder.csv.tooMany', values })] };
  }

  const proposals: ProposalInput[] = [];
  const rowProblems: RowProblem[] = [];
  rows.forEach((record, index) => {
    const row = index + 1;
    if (record.fields.length > header.fields.length) {
      const values = { count: record.fields.length, expected: header.fields.length };
      rowProblems.push({ key: 'funder.csv.extraFields', values, row, line: record.line, column: null });
      return;
    }
    const cells = (column: BatchColumn) => {
      const at = columns.get(column);
      return at === undefined ? '' : (record.fields[at] ?? '');
    };
    const read = readRow(cells, rules);
    if (read.proposal) proposals.push(read.proposal);
    for (const problem of read.problems) rowProblems.push({ ...problem, row, line: record.line });
  });
  return rowProblems.length > 0
    ? { proposals: [], lines: [], problems: rowProblems }
    : { proposals, lines: rows.map((r) => r.line), problems: [] };
}

/** The downloadable template: the header and two filled-in examples (with a BOM so spreadsheet programs read UTF-8). */
export function batchTemplate(institutionCode: string): string {
  return toCsvFile([
    [...BATCH_COLUMNS],
    [
      '600MHz NMR装置',
      '600MHz NMR装置',
      'JEOL',
      'JNM-ECZ600R',
      '85000000',
      institutionCode,
      '科研費 基盤研究(S)',
      '25H00001',
      '800',
      'NMR;構造解析',
    ],
    [
      'Field-emission SEM, with EDS',
      '走査型電子顕微鏡 (SEM/EPMA/EBSD(結晶方位解析))',
      'Hitachi High-Tech',
      'SU7000',
      '48000000',
      institutionCode,
      'JST CREST',
      '',
      '',
      'SEM;EDS',
    ],
  ]);
}
