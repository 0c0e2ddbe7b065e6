/**
 * The national inter-university equipment network's listings as JSON Lines (`jp-equipment.jsonl`: one object
 * a line with `equipment_id`, `name`, `category_general`, `category_detail`, `org_name`, `prefecture`,
 * `address_raw`, `external_use`, …), mapped to listing input for the equipment service.
 *
 * The mapping (also in this package's README):
 *
 * - `localId` = `equipment_id`, trimmed; required, at most 100 characters, no control characters.
 * - `name` = `name`, trimmed and otherwise as written (the service normalises width and case for search);
 *   required, at most 500 characters. Text with control characters is refused: in this source it is UTF-8
 *   that was decoded as Latin-1 on the way (mojibake), and the message shows what it would read.
 * - `category`: `category_general` when it names a category; when it is the catch-all `その他` (or missing),
 *   the head of `category_detail` (first level of a ` / ` path, before a ` (English gloss)`, without the
 *   `_HU` tag one university appends), unless that is uninformative (`未分類`, `その他`, `None`, no letters at
 *   all); else `その他`. Category text is NFKC-folded with white space collapsed (not lower-cased), so that
 *   `核磁気共鳴装置（NMR）` and `核磁気共鳴装置(NMR)` are one facet value.
 * - `description` = `category_detail` as written, so that the detail text is searchable.
 * - `building` = `address_raw`. An `address_raw` longer than the service's building limit (300) is not an
 *   address (the one case in the data is a machine's description): it is appended to `description` instead.
 * - `sharedExternally` = `external_use === '可'`; `requiresApproval` = `external_use === '要相談'`; `不可`,
 *   `不明` and a missing value give neither. Any other value is a row error (the flags would be a guess).
 * - `manufacturer`, `model` = what `splitMakerModel` reads in the name (`単結晶X線回折装置 (リガク・XtaLaB
 *   Synergy-DW)` → `Rigaku (リガク)`, `XtaLaB Synergy-DW`), null where it is not sure; the name is kept whole.
 * - `nameEn` = null; `remoteOperable` and `requiresQualification` = false (the source does not say).
 * - `org_name` (required) and `prefecture` travel beside the listing, for grouping rows into institutions
 *   (`universityOf`). `org_type`, `region`, `fee_band` (a band, no amounts), `source_url`, `eqnet_*` and
 *   `crawled_at` are not mapped.
 *
 * Every line that does not become a listing becomes a `RowError`; blank lines are not rows. In a file, a later
 * line that repeats an `equipment_id` is a row error naming the line that is kept (the source lists one
 * instrument under several sub-organisations of the same university).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { LISTING_LIMITS, type ListingInput, type RowError } from '../listing';
import { splitMakerModel } from '../names';

/** The network's catch-all category. */
export const JP_OTHER_CATEGORY = 'その他';

/** `external_use` values: open to outside users, on request, internal only, unknown. */
const EXTERNAL_USE = ['可', '要相談', '不可', '不明'] as const;

/** Detail heads that say nothing about what an instrument is. */
const UNINFORMATIVE = new Set(['その他', '未分類', 'none', 'null', 'なし', '不明', '-']);

const CONTROL = /\p{Cc}/u;

/** One listing of the source, with the organisation fields that decide which institution lists it. */
export interface JpEquipmentListing {
  /** 1-based line of the source. */
  line: number;
  input: ListingInput;
  /** `org_name` as the source spells it (trimmed). */
  orgName: string;
  /** `prefecture`, or null when the source has none. */
  prefecture: string | null;
}

/** One line's outcome: a listing, or why not. */
export type JpEquipmentLineResult = { ok: true; listing: JpEquipmentListing } | { ok: false; error: RowError };

/** A whole source: its listings in file order (distinct `localId`s) and every row that did not become one. */
export interface JpEquipmentFile {
  listings: JpEquipmentListing[];
  errors: RowError[];
}

/** Thrown inside `parseJpEquipmentLine` only, turned into a `RowError` there. */
class RowFault {
  constructor(
    readonly column: string | null,
    readonly message: string,
  ) {}
}

/** NFKC, white space collapsed, trimmed: for values that act as keys (categories). */
function fold(s: string): string {
  return s.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

/** An optional text field: trimmed, null when absent, null or blank. */
function optionalText(record: Record<string, unknown>, column: string, freeText = false): string | null {
  const value = record[column];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new RowFault(column, `${column} must be a string, not ${JSON.stringify(value)}`);
  const text = value.trim();
  // Free text may hold tabs and line breaks; no other control characters.
  if (CONTROL.test(freeText ? text.replace(/[\t\n\r]/gu, '') : text)) throw new RowFault(column, controlMessage(column, text));
  return text.length > 0 ? text : null;
}

function requiredText(record: Record<string, unknown>, column: string, max?: number): string {
  const text = optionalText(record, column);
  if (text === null) throw new RowFault(column, `${column} is missing or empty`);
  if (max !== undefined && text.length > max) throw new RowFault(column, `${column} is longer than ${max} characters`);
  return text;
}

/** Control characters in this source are UTF-8 decoded as Latin-1; say what the text would read. */
function controlMessage(column: string, text: string): string {
  const latin1 = [...text].every((c) => c.codePointAt(0)! <= 0xff);
  const repaired = latin1 ? Buffer.from(text, 'latin1').toString('utf8') : null;
  return repaired && !repaired.includes('\uFFFD')
    ? `${column} is mojibake (UTF-8 read as Latin-1); it would read ${JSON.stringify(repaired)}`
    : `${column} contains control characters`;
}

/**
 * The category of a listing from the network's two category fields (see the module comment):
 * `category_general` unless it is the catch-all, else the informative head of `category_detail`, else `その他`.
 */
export function jpCategoryOf(general: string | null, detail: string | null): string {
  const generalFolded = general === null ? '' : fold(general);
  if (generalFolded.length > 0 && generalFolded !== JP_OTHER_CATEGORY && generalFolded.length <= LISTING_LIMITS.category) {
    return generalFolded;
  }
  const head = fold(
    fold(detail ?? '')
      .split(' / ')[0]!
      .split(' (')[0]!,
  ).replace(/_HU$/u, '');
  const informative = /\p{L}/u.test(head) && !UNINFORMATIVE.has(head.toLowerCase()) && head.length <= LISTING_LIMITS.category;
  return informative ? head : JP_OTHER_CATEGORY;
}

/**
 * The university (or institute) an `org_name` belongs to: the text before its first space, half- or
 * full-width (`東北大学 金属材料研究所` → `東北大学`), as the data's README groups institutions. One
 * refinement: when that text still runs on past a university's name, it is cut there
 * (`熊本大学工学部附属工学研究機器センター` → `熊本大学`), except after `大学院` and `大学法人`, which are part
 * of a name (`奈良先端科学技術大学院大学`, `公立大学法人大阪`).
 */
export function universityOf(orgName: string): string {
  const head = orgName.trim().split(/\s/u)[0] ?? '';
  return /^(.+?大学)(?!院|法人)./u.exec(head)?.[1] ?? head;
}

/** Maps one line of the file; `lineNumber` is 1-based and is echoed in the result. */
export function parseJpEquipmentLine(line: string, lineNumber: number): JpEquipmentLineResult {
  try {
    return { ok: true, listing: toJpListing(line, lineNumber) };
  } catch (fault) {
    if (!(fault instanceof RowFault)) throw fault;
    return { ok: false, error: { line: lineNumber, column: fault.column, message: fault.message } };
  }
}

function toJpListing(line: string, lineNumber: number): JpEquipmentListing {
  const text = lineNumber === 1 ? line.replace(/^\uFEFF/u, '') : line;
  if (text.trim().length === 0) throw new RowFault(null, 'empty line');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RowFault(null, `not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RowFault(null, 'not a JSON object');
  }
  const record = parsed as Record<string, unknown>;

  const localId = requiredText(record, 'equipment_id', LISTING_LIMITS.localId);
  const name = requiredText(record, 'name', LISTING_LIMITS.name);
  const orgName = requiredText(record, 'org_name');
  const prefecture = optionalText(record, 'prefecture');
  const externalUse = optionalText(record, 'external_use') ?? '不明';
  if (!(EXTERNAL_USE as readonly string[]).includes(externalUse)) {
    throw new RowFault(
      'external_use',
      `external_use must be one of ${EXTERNAL_USE.join(', ')}, not ${JSON.stringify(externalUse)}`,
    );
  }
  const detail = optionalText(record, 'category_detail', true);
  const address = optionalText(record, 'address_raw', true);
  const addressFits = address === null || address.length <= LISTING_LIMITS.building;
  const description = [detail, addressFits ? null : address].filter((part) => part !== null).join('\n') || null;
  if (description !== null && description.length > LISTING_LIMITS.description) {
    throw new RowFault('category_detail', `category_detail is longer than ${LISTING_LIMITS.description} characters`);
  }

  const { manufacturer, model } = splitMakerModel(name);
  return {
    line: lineNumber,
    orgName,
    prefecture,
    input: {
      localId,
      name,
      nameEn: null,
      category: jpCategoryOf(optionalText(record, 'category_general'), detail),
      manufacturer,
      model,
      description,
      building: addressFits ? address : null,
      sharedExternally: externalUse === '可',
      remoteOperable: false,
      requiresApproval: externalUse === '要相談',
      requiresQualification: false,
    },
  };
}

/**
 * Maps the lines of a whole source (line numbers from 1; a leading byte-order mark is ignored; blank lines
 * are skipped). A repeated `equipment_id` keeps its first line and reports the later ones.
 */
export async function parseJpEquipmentLines(lines: Iterable<string> | AsyncIterable<string>): Promise<JpEquipmentFile> {
  const result: JpEquipmentFile = { listings: [], errors: [] };
  const firstLineOf = new Map<string, number>();
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.replace(/^\uFEFF/u, '').trim().length === 0) continue;
    const parsed = parseJpEquipmentLine(line, lineNumber);
    if (!parsed.ok) {
      result.errors.push(parsed.error);
      continue;
    }
    const { localId } = parsed.listing.input;
    const first = firstLineOf.get(localId);
    if (first !== undefined) {
      result.errors.push({
        line: lineNumber,
        column: 'equipment_id',
        message: `equipment_id ${localId} repeats line ${first}, which is kept`,
      });
      continue;
    }
    firstLineOf.set(localId, lineNumber);
    result.listings.push(parsed.listing);
  }
  return result;
}

/** Reads a `jp-equipment.jsonl` file line by line (UTF-8, LF or CRLF, with or without a byte-order mark). */
export async function readJpEquipmentFile(path: string): Promise<JpEquipmentFile> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    return await parseJpEquipmentLines(lines);
  } finally {
    lines.close();
    input.destroy();
  }
}
