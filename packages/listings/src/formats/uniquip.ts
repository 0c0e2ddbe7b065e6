/**
 * uniquip: the UK's open-data spreadsheet of shared research equipment (equipment.data.ac.uk), CSV with one
 * instrument a row, read to listing input; and written from listings, for an institution's own open data.
 *
 * The standard columns, in order: Type, Name, Description, Related Facility ID, Technique, Location, Contact
 * Name, Contact Telephone, Contact URL, Contact Email, Secondary Contact Name, Secondary Contact Telephone,
 * Secondary Contact URL, Secondary Contact Email, ID, Photo, Department, Site Location, Building, Service Level,
 * Web Address. Universities publish variants; headers are matched without regard to case, spacing, punctuation
 * and bracketed notes (`Asset cost (GBP)`), with aliases for what real registers call them (`Equipment ID`,
 * `Name1`, `Taxonomy`, `Building - ID`, `Asset cost`, `Org Unit - ID`, …; see `FIELD_ALIASES`).
 *
 * The mapping (also in this package's README):
 *
 * - `localId` = `ID`, trimmed. Without one (no ID column, or a blank ID): `${idPrefix}-` and the first 12 hex
 *   digits of the SHA-256 of the record's mapped fields, with `-2`, `-3`, … for records identical to an earlier
 *   one; importing the file again gives the same ids, whatever the order of its rows. A repeated `ID` is a row
 *   error naming the line that is kept.
 * - `name` = `Name`; a file without a Name column has its names in `Description` (uniquip as St Andrews
 *   publishes it). Required; a placeholder (`UNKNOWN`, `N/A`, `-`) is no name.
 * - `nameEn` = a second name (`Simple name/industry name`) unless it is the name again.
 * - `category` = `Technique` (or `Taxonomy`, `Category`), else `Type` when it says more than equipment or
 *   facility, NFKC-folded; else the catch-all `その他`.
 * - `description` = `Description` (when it is not the name; HTML fragments, which uniquip allows, as text),
 *   then labelled lines a searcher can use: `Department:`, `Service level:`, `Web page:` (Web Address),
 *   `Contact page:` (Contact URL). No names, telephone numbers or e-mail addresses.
 * - `building` = `Building`, else `Location` or `Site Location` when it is text, not a link.
 * - `manufacturer`, `model` = `Manufacturer`, `Model` columns when a file has them, else `splitMakerModel` of
 *   the name (then of the second name); a name that may be cut short is read without its last word.
 * - `acquisitionPrice` = a price column (`Asset cost`, `Price`, `Cost`) in the file's currency times
 *   `yenPerUnit`, rounded to whole yen; without `yenPerUnit` prices are left out and a note says how many and
 *   how to convert them. A price that is not a number is a row error.
 * - `acquiredOn` = a date column (`Commissioned Date`, `Purchase Date`) written YYYY-MM-DD.
 * - `location` = the coordinates of a `Location` link that carries them (an OpenStreetMap marker link, as Kyoyo's
 *   export writes it, or a `geo:` URI); uniquip's usual link to a page about the place gives none.
 * - `sharedExternally`: a uniquip feed is published so that others can find and use the equipment, so true,
 *   unless `Service Level` says internal use only. `requiresApproval`: true, since access is arranged with the
 *   contact and nothing in a feed says bookings need no approval. `remoteOperable`, `requiresQualification`:
 *   false (a feed does not say).
 *
 * Text with control characters other than line breaks and tabs (in free text) is refused, as is mojibake (UTF-8
 * read as Windows-1252 on its way into the file), with what it would read. Line breaks inside one-line fields
 * (a spreadsheet cell with Alt+Enter) become spaces. Every data record becomes a listing or a row error.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { manufacturerOf, normalizeText } from '@kyoyo/domain';
import { csvRow, parseCsv, unprotectFormula } from '../csv';
import { decodeText, repairMojibake, type TextEncoding } from '../decode';
import { LISTING_LIMITS, type ListingInput, type RowError } from '../listing';
import { splitMakerModel } from '../names';
import { JP_OTHER_CATEGORY } from './jp-equipment-jsonl';

/** uniquip's columns in the standard order. */
export const UNIQUIP_COLUMNS = [
  'Type',
  'Name',
  'Description',
  'Related Facility ID',
  'Technique',
  'Location',
  'Contact Name',
  'Contact Telephone',
  'Contact URL',
  'Contact Email',
  'Secondary Contact Name',
  'Secondary Contact Telephone',
  'Secondary Contact URL',
  'Secondary Contact Email',
  'ID',
  'Photo',
  'Department',
  'Site Location',
  'Building',
  'Service Level',
  'Web Address',
] as const;

export type UniquipColumn = (typeof UNIQUIP_COLUMNS)[number];

/** What `formatUniquip` writes for a listing's sharing flags, and `parseUniquip` reads back. */
export const UNIQUIP_SERVICE_LEVELS = {
  open: 'Open to external users',
  byArrangement: 'External users by arrangement',
  internal: 'Internal use only',
} as const;

/** Options of `parseUniquip`. */
export interface UniquipOptions {
  /** Yen per unit of the file's currency (GBP for UK registers); without it prices are not imported. */
  yenPerUnit?: number | null;
  /** Prefix of generated ids (default `uq`): one per source, so that two files' ids cannot meet. */
  idPrefix?: string;
}

/** One listing of a uniquip file and where its record starts. */
export interface UniquipListing {
  /** 1-based line on which the record starts. */
  line: number;
  /** Data record index (the header is record 0). */
  record: number;
  input: ListingInput;
}

/** A record that did not become a listing. */
export interface UniquipRowError extends RowError {
  /** Data record index (the header is record 0). */
  record: number;
}

/** A whole uniquip file read. */
export interface UniquipFile {
  listings: UniquipListing[];
  errors: UniquipRowError[];
  /** What the import decided for the file as a whole (generated ids, unconverted prices, …), in English. */
  notes: string[];
  /** Headers whose columns no listing field takes, as the file writes them. */
  unmappedColumns: string[];
}

/** A file that cannot be read as uniquip at all (no header, no name column). */
export class UniquipFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UniquipFileError';
  }
}

/** The fields of a record the mapping reads. */
type Field =
  | 'id'
  | 'type'
  | 'name'
  | 'nameEn'
  | 'description'
  | 'technique'
  | 'location'
  | 'siteLocation'
  | 'building'
  | 'department'
  | 'serviceLevel'
  | 'webAddress'
  | 'contactUrl'
  | 'manufacturer'
  | 'model'
  | 'price'
  | 'acquiredOn';

/**
 * Headers that name each field, folded by `headerKey` (`Building - ID` → `buildingid`), in order of preference:
 * uniquip's own names first, then what registers publish (Southampton's `Equipment ID`, `Name1`, `Simple
 * name/industry name`, `Taxonomy`, `Item Type`, `Building - ID`, `Location - ID`, `Org Unit - ID`,
 * `Faculty/Professional Service`, `Equipment - Web page`, `Asset cost`) and JISC's newer names
 * (`institutionID`, `managingDepartment`, `commissionedDate`).
 */
const FIELD_ALIASES: Readonly<Record<Field, readonly string[]>> = {
  id: ['id', 'equipmentid', 'institutionid', 'assetid', 'localid', 'itemid', 'identifier'],
  type: ['type', 'itemtype', 'equipmenttype'],
  name: ['name', 'name1', 'equipmentname', 'itemname', 'title'],
  nameEn: ['simplenameindustryname', 'simplename', 'industryname', 'alternativename', 'othername', 'englishname'],
  description: ['description', 'equipmentdescription'],
  technique: ['technique', 'techniques', 'taxonomy', 'category', 'equipmentcategory', 'classification'],
  location: ['location', 'locationid', 'campus'],
  siteLocation: ['sitelocation', 'site'],
  building: ['building', 'buildingid', 'buildingname'],
  department: ['department', 'managingdepartment', 'orgunitid', 'orgunit', 'facultyprofessionalservice', 'faculty', 'school'],
  serviceLevel: ['servicelevel'],
  webAddress: ['webaddress', 'equipmentwebpage', 'webpage', 'website', 'url'],
  contactUrl: ['contacturl'],
  manufacturer: ['manufacturer', 'make', 'maker'],
  model: ['model', 'modelnumber', 'modelname'],
  price: ['assetcost', 'price', 'cost', 'purchaseprice', 'purchasecost', 'acquisitioncost', 'acquisitionprice'],
  acquiredOn: ['commissioneddate', 'datecommissioned', 'purchasedate', 'dateofpurchase', 'acquisitiondate', 'acquiredon'],
};

const FIELDS = Object.keys(FIELD_ALIASES) as Field[];

/** Fields whose values are free text: line breaks and tabs kept. */
const FREE_TEXT: ReadonlySet<Field> = new Set(['description']);

/** Category values that say nothing about what an instrument is. */
const UNINFORMATIVE = new Set(
  [
    'equipment',
    'facility',
    'facilities',
    'other',
    'others',
    'misc',
    'miscellaneous',
    'general',
    'n/a',
    'na',
    'none',
    'unknown',
    '-',
    JP_OTHER_CATEGORY,
    '未分類',
  ].map((v) => normalizeText(v)),
);

/** Names that stand for no name. */
const PLACEHOLDER_NAME = /^(?:unknown|n\/?a|none|null|tbc|tbd|-+|\?+|\.+)$/iu;

/** `Service Level` values that keep an instrument in house (`Internal use only`, `Not available to external users`)... */
const INTERNAL_ONLY =
  /\b(?:internal|in-house|not available|unavailable|no external|not shared|restricted|private|staff only|own use)\b/iu;
/** ...unless they offer it outside as well (`Internal and external users`). */
const EXTERNAL_TOO = /\b(?:and|&|\+|or) external\b|\bexternal (?:and|&|\+|or)\b/iu;

const CONTROL = /\p{Cc}/u;

/** Thrown inside the record mapping only, turned into a `RowError` there. */
class RowFault {
  constructor(
    readonly column: string | null,
    readonly message: string,
  ) {}
}

/** A header folded for matching: NFKC, bracketed notes dropped, lower case, letters and digits only. */
function headerKey(header: string): string {
  return header
    .normalize('NFKC')
    .replace(/\([^)]*\)/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/gu, '');
}

/** NFKC, white space collapsed, trimmed: category text, as the jp mapping folds it. */
function fold(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

function isLink(text: string): boolean {
  return /^(?:https?:\/\/|ftp:\/\/|www\.|geo:)/iu.test(text);
}

/** A description written as an HTML fragment (uniquip allows it) as plain text; other text as it is. */
export function htmlToText(text: string): string {
  if (!/<\/?[a-z][a-z0-9]*(?:\s[^<>]*)?\/?>/iu.test(text)) return text;
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return text
    .replace(/<br\s*\/?>/giu, '\n')
    .replace(/<\/(?:p|div|h[1-6]|tr|ul|ol)>/giu, '\n')
    .replace(/<li\b[^>]*>/giu, '\n- ')
    .replace(/<[^>]*>/gu, '')
    .replace(/&(?:#(\d+)|#x([0-9a-f]+)|([a-z]+));/giu, (entity: string, dec?: string, hex?: string, name?: string) => {
      if (dec !== undefined) return String.fromCodePoint(Number(dec));
      if (hex !== undefined) return String.fromCodePoint(parseInt(hex, 16));
      return entities[name!.toLowerCase()] ?? entity;
    })
    .split('\n')
    .map((line) => line.replace(/[ \t\u00A0]+/gu, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/gu, '\n\n')
    .trim();
}

/**
 * The coordinates a Location link carries, or null: an OpenStreetMap link with a marker
 * (`https://www.openstreetmap.org/?mlat=35.71&mlon=139.76`, as Kyoyo's own uniquip export writes it) or a `geo:`
 * URI (`geo:35.71,139.76`). A link to a page about the place (St Andrews' Wikipedia page) has none.
 */
function coordinatesOf(link: string): { latitude: number; longitude: number } | null {
  let latitude: number;
  let longitude: number;
  const geo = /^geo:(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)(?:[,;?]|$)/iu.exec(link);
  if (geo !== null) {
    latitude = Number(geo[1]);
    longitude = Number(geo[2]);
  } else {
    let url: URL;
    try {
      url = new URL(link);
    } catch {
      return null;
    }
    const decimal = /^-?\d+(?:\.\d+)?$/u;
    const lat = url.searchParams.get('mlat') ?? '';
    const lon = url.searchParams.get('mlon') ?? '';
    if (!/(?:^|\.)openstreetmap\.org$/u.test(url.hostname) || !decimal.test(lat) || !decimal.test(lon)) return null;
    latitude = Number(lat);
    longitude = Number(lon);
  }
  return Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 ? { latitude, longitude } : null;
}

/** A price as registers write it (`68737.5000000000`, `£1,250,000.00`, `25000 GBP`), or null. */
function parsePrice(text: string): number | null {
  const bare = text
    .replace(/^(?:[£$€¥]|GBP|USD|EUR|JPY)\s*/iu, '')
    .replace(/\s*(?:GBP|USD|EUR|JPY)$/iu, '')
    .trim();
  const plain = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/u.test(bare) ? bare.replace(/,/gu, '') : bare;
  if (!/^\d+(?:\.\d+)?$/u.test(plain)) return null;
  const value = Number(plain);
  return Number.isFinite(value) ? value : null;
}

/** A date written YYYY-MM-DD (a time after it allowed, as ISO 8601 has it), or null. */
function parseDate(text: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/u.exec(text);
  if (!match) return null;
  const [, y, m, d] = match;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d)
    ? `${y}-${m}-${d}`
    : null;
}

/** The message for text with control characters or mojibake in `column`. */
function badTextMessage(column: string, text: string): string | null {
  const repaired = repairMojibake(text);
  if (repaired !== null && !CONTROL.test(repaired.replace(/[\t\n\r]/gu, ''))) {
    return `${column} is mojibake (UTF-8 read as Windows-1252 or Latin-1); it would read ${JSON.stringify(repaired)}`;
  }
  const control = CONTROL.exec(text);
  if (control !== null) {
    const code = control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return `${column} contains a control character (U+${code})`;
  }
  return null;
}

/** Which columns of the header feed each field, in order of preference. */
interface Layout {
  header: string[];
  columns: Map<Field, number[]>;
  unmapped: number[];
  /** True when the names are in Description (no Name column). */
  nameFromDescription: boolean;
}

function layoutOf(header: string[]): Layout {
  const keys = header.map(headerKey);
  const columns = new Map<Field, number[]>();
  const mapped = new Set<number>();
  for (const field of FIELDS) {
    const indexes: number[] = [];
    for (const alias of FIELD_ALIASES[field]) {
      keys.forEach((key, i) => {
        if (key === alias && !mapped.has(i)) indexes.push(i);
      });
      indexes.forEach((i) => mapped.add(i));
    }
    if (indexes.length > 0) columns.set(field, indexes);
  }
  const nameFromDescription = !columns.has('name') && columns.has('description');
  if (nameFromDescription) {
    columns.set('name', columns.get('description')!);
    columns.delete('description');
  }
  if (!columns.has('name')) {
    throw new UniquipFileError(
      `no Name column (nor Description to take names from); the header reads ${header.map((h) => JSON.stringify(h)).join(', ')}`,
    );
  }
  const unmapped = header.map((_, i) => i).filter((i) => !mapped.has(i));
  return { header, columns, unmapped, nameFromDescription };
}

/** A value of a record: trimmed text, the header of its column, the field it feeds. */
interface Value {
  value: string;
  column: string;
  field: Field;
}

/** One record's values, read once: trimmed, formula protection taken off, with the column each came from. */
class RecordValues {
  constructor(
    private readonly layout: Layout,
    private readonly fields: readonly string[],
  ) {}

  /** Every non-empty value of a field, in order of preference, with its column's header. */
  all(field: Field): Value[] {
    const out: Value[] = [];
    for (const i of this.layout.columns.get(field) ?? []) {
      const raw = unprotectFormula(this.fields[i] ?? '');
      const value = (FREE_TEXT.has(field) ? raw.replace(/\r\n?/gu, '\n') : raw.replace(/[\t\r\n]+/gu, ' ')).trim();
      if (value.length > 0) out.push({ value, column: this.layout.header[i]!.trim() || `column ${i + 1}`, field });
    }
    return out;
  }

  /** Every non-empty value of a field, each checked for control characters and mojibake. */
  checked(field: Field): Value[] {
    const all = this.all(field);
    for (const { value, column } of all) {
      const bad = badTextMessage(column, FREE_TEXT.has(field) ? value.replace(/[\t\n\r]/gu, ' ') : value);
      if (bad !== null) throw new RowFault(column, bad);
    }
    return all;
  }

  /** A field's first non-empty value, checked; null when none. */
  get(field: Field): Value | null {
    return this.checked(field)[0] ?? null;
  }

  text(field: Field): string | null {
    return this.get(field)?.value ?? null;
  }

  /** What identifies the record when it has no ID: its mapped fields as read, in a fixed order. */
  fingerprint(): string {
    const entries = FIELDS.filter((f) => f !== 'id').flatMap((f) => this.all(f).map(({ value }) => [f, value]));
    return createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 12);
  }
}

/** Tallies for the notes. */
interface Tally {
  generatedIds: number;
  repeatedRecords: number;
  catchAll: number;
  pricesConverted: number;
  pricesNotConverted: number;
  zeroPrices: number;
  sharedByDefault: number;
  sharedByLevel: number;
  internalByLevel: number;
}

/** Reads a uniquip CSV text (see the module comment). Throws `CsvSyntaxError` when the text is not CSV. */
export function parseUniquip(text: string, options: UniquipOptions = {}): UniquipFile {
  const yenPerUnit = options.yenPerUnit ?? null;
  if (yenPerUnit !== null && !(Number.isFinite(yenPerUnit) && yenPerUnit > 0)) {
    throw new RangeError(`yenPerUnit must be a positive number, not ${yenPerUnit}`);
  }
  const idPrefix = options.idPrefix ?? 'uq';
  if (!/^[\p{L}\p{N}._-]{1,40}$/u.test(idPrefix)) {
    throw new RangeError('idPrefix must be 1 to 40 letters, digits, dots, hyphens or underscores');
  }

  const records = parseCsv(text);
  const headerRecord = records[0];
  if (headerRecord === undefined) throw new UniquipFileError('the file is empty: no header');
  const layout = layoutOf(headerRecord.fields);
  const width = headerRecord.fields.length;
  const data = records.slice(1);

  // Names cut short by the source: the longest length, shared by many names and far more than any other.
  const nameLengths = data.map((r) => new RecordValues(layout, r.fields).all('name')[0]?.value.length ?? 0);
  const cutAt = cutLength(nameLengths);
  // A place every record shares (St Andrews' Site Location, a Kyoyo export's institution) says nothing about
  // where in the institution an instrument is: it is no building.
  const shared = new Map<Field, string>();
  for (const field of ['location', 'siteLocation'] as const) {
    const places = data.map((r) => new RecordValues(layout, r.fields).all(field)[0]?.value ?? '');
    if (places.length >= 2 && places[0] !== '' && places.every((p) => p === places[0])) shared.set(field, places[0]!);
  }

  const result: UniquipFile = { listings: [], errors: [], notes: [], unmappedColumns: [] };
  const tally: Tally = {
    generatedIds: 0,
    repeatedRecords: 0,
    catchAll: 0,
    pricesConverted: 0,
    pricesNotConverted: 0,
    zeroPrices: 0,
    sharedByDefault: 0,
    sharedByLevel: 0,
    internalByLevel: 0,
  };
  const lineOfId = new Map<string, number>();
  const generatedCount = new Map<string, number>();

  for (const record of data) {
    try {
      if (record.fields.length < width || record.fields.slice(width).some((f) => f.trim().length > 0)) {
        throw new RowFault(
          null,
          `the record has ${record.fields.length} fields where the header has ${width} (a comma or line break out of place?)`,
        );
      }
      if (record.fields.every((f) => f.trim().length === 0)) throw new RowFault(null, 'the record is empty');
      const values = new RecordValues(layout, record.fields);
      const { input, facts } = toListing(values, layout, yenPerUnit, cutAt, shared);

      const id = values.get('id');
      if (id !== null) {
        if (id.value.length > LISTING_LIMITS.localId) {
          throw new RowFault(id.column, `${id.column} is longer than ${LISTING_LIMITS.localId} characters`);
        }
        const first = lineOfId.get(id.value);
        if (first !== undefined) {
          throw new RowFault(id.column, `${id.column} ${id.value} repeats line ${first}, which is kept`);
        }
        lineOfId.set(id.value, record.line);
        input.localId = id.value;
      } else {
        const base = `${idPrefix}-${values.fingerprint()}`;
        const seen = (generatedCount.get(base) ?? 0) + 1;
        generatedCount.set(base, seen);
        input.localId = seen === 1 ? base : `${base}-${seen}`;
        tally.generatedIds += 1;
        if (seen > 1) tally.repeatedRecords += 1;
      }
      result.listings.push({ line: record.line, record: record.index, input });
      if (facts.catchAll) tally.catchAll += 1;
      if (facts.price === 'converted') tally.pricesConverted += 1;
      if (facts.price === 'not converted') tally.pricesNotConverted += 1;
      if (facts.price === 'zero') tally.zeroPrices += 1;
      if (facts.sharing === 'default') tally.sharedByDefault += 1;
      if (facts.sharing === 'level') tally.sharedByLevel += 1;
      if (facts.sharing === 'internal') tally.internalByLevel += 1;
    } catch (fault) {
      if (!(fault instanceof RowFault)) throw fault;
      result.errors.push({ line: record.line, record: record.index, column: fault.column, message: fault.message });
    }
  }

  result.unmappedColumns = layout.unmapped
    .filter((i) => layout.header[i]!.trim().length > 0 || data.some((r) => (r.fields[i] ?? '').trim().length > 0))
    .map((i) => layout.header[i]!.trim() || `column ${i + 1}`);
  result.notes = notesOf(layout, data.length, result.listings.length, cutAt, nameLengths, tally, yenPerUnit, idPrefix, shared);
  return result;
}

/** The length at which a source cuts names, or null: at least 5 names of the longest length, 3× any other. */
function cutLength(lengths: readonly number[]): number | null {
  const counts = new Map<number, number>();
  for (const n of lengths) if (n > 0) counts.set(n, (counts.get(n) ?? 0) + 1);
  if (counts.size === 0) return null;
  const longest = Math.max(...counts.keys());
  const atLongest = counts.get(longest)!;
  const others = [...counts].filter(([n]) => n !== longest).map(([, c]) => c);
  return atLongest >= 5 && atLongest >= 3 * Math.max(0, ...others) ? longest : null;
}

/** What a listing's mapping decided, for the notes. */
interface Facts {
  catchAll: boolean;
  price: 'converted' | 'not converted' | 'zero' | null;
  sharing: 'default' | 'level' | 'internal';
}

/** Maps one record's values to listing input (`localId` is set by the caller). */
function toListing(
  values: RecordValues,
  layout: Layout,
  yenPerUnit: number | null,
  cutAt: number | null,
  shared: ReadonlyMap<Field, string>,
): { input: ListingInput; facts: Facts } {
  const nameColumn = layout.header[layout.columns.get('name')![0]!]!.trim() || 'Name';
  const nameValue = values.get('name');
  if (nameValue === null) throw new RowFault(nameColumn, `${nameColumn} is missing or empty`);
  const name = nameValue.value;
  if (PLACEHOLDER_NAME.test(name)) {
    throw new RowFault(nameValue.column, `${nameValue.column} is ${JSON.stringify(name)}, a placeholder, not a name`);
  }
  if (name.length > LISTING_LIMITS.name) {
    throw new RowFault(nameValue.column, `${nameValue.column} is longer than ${LISTING_LIMITS.name} characters`);
  }

  const second = values.get('nameEn');
  const nameEn = second !== null && normalizeText(second.value) !== normalizeText(name) ? second.value : null;
  if (second !== null && second.value.length > LISTING_LIMITS.name) {
    throw new RowFault(second.column, `${second.column} is longer than ${LISTING_LIMITS.name} characters`);
  }

  // Category: the first informative technique, else the type, else the catch-all.
  let category: string | null = null;
  for (const { value } of [...values.checked('technique'), ...values.checked('type')]) {
    const folded = fold(value);
    const informative = /\p{L}/u.test(folded) && !UNINFORMATIVE.has(normalizeText(folded));
    if (category === null && informative && folded.length <= LISTING_LIMITS.category) category = folded;
  }
  const catchAll = category === null;

  // Description: the source's, then labelled lines a searcher can use.
  const source = values.get('description');
  const body = source === null ? null : htmlToText(source.value);
  const lines = [
    body !== null && body.length > 0 && normalizeText(body) !== normalizeText(name) ? body : null,
    labelled('Department', [...new Set(values.checked('department').map((v) => v.value))].join(' / ')),
    labelled('Service level', values.text('serviceLevel')),
    labelled('Web page', values.text('webAddress')),
    labelled('Contact page', values.text('contactUrl')),
  ].filter((line): line is string => line !== null);
  const description = lines.join('\n') || null;
  if (description !== null && description.length > LISTING_LIMITS.description) {
    const column = source?.column ?? 'Description';
    throw new RowFault(column, `${column} and the lines added to it are longer than ${LISTING_LIMITS.description} characters`);
  }

  // Building: Building, else a place that is written, not linked, and not the same in every record.
  const place =
    values.get('building') ??
    (['location', 'siteLocation'] as const)
      .map((field) => values.get(field))
      .find((v) => v !== null && !isLink(v.value) && !shared.has(v.field)) ??
    null;
  if (place !== null && place.value.length > LISTING_LIMITS.building) {
    throw new RowFault(place.column, `${place.column} is longer than ${LISTING_LIMITS.building} characters`);
  }

  const located = values.get('location');
  const location = located !== null && isLink(located.value) ? coordinatesOf(located.value) : null;

  // Manufacturer and model: columns of their own, else read from the name (a cut-short last word left out).
  const makerColumn = values.get('manufacturer');
  const modelColumn = values.get('model');
  for (const v of [makerColumn, modelColumn]) {
    if (v !== null && v.value.length > 200) throw new RowFault(v.column, `${v.column} is longer than 200 characters`);
  }
  const readable = cutAt !== null && name.length === cutAt && name.includes(' ') ? name.slice(0, name.lastIndexOf(' ')) : name;
  const fromNames = [splitMakerModel(readable), ...(nameEn !== null ? [splitMakerModel(nameEn)] : [])];
  const manufacturer =
    makerColumn !== null
      ? (manufacturerOf(makerColumn.value)?.name ?? makerColumn.value)
      : (fromNames.find((r) => r.manufacturer !== null)?.manufacturer ?? null);
  const model = modelColumn?.value ?? fromNames.find((r) => r.model !== null)?.model ?? null;

  // Price: converted to whole yen when a rate is given.
  let acquisitionPrice: number | undefined;
  let priceFact: Facts['price'] = null;
  const price = values.get('price');
  if (price !== null) {
    const amount = parsePrice(price.value);
    if (amount === null) throw new RowFault(price.column, `${price.column} is not a price: ${JSON.stringify(price.value)}`);
    if (amount === 0) priceFact = 'zero';
    else if (yenPerUnit === null) priceFact = 'not converted';
    else {
      acquisitionPrice = Math.round(amount * yenPerUnit);
      priceFact = 'converted';
    }
  }

  let acquiredOn: string | undefined;
  const date = values.get('acquiredOn');
  if (date !== null) {
    const parsed = parseDate(date.value);
    if (parsed === null) {
      throw new RowFault(date.column, `${date.column} must be a date written YYYY-MM-DD, not ${JSON.stringify(date.value)}`);
    }
    acquiredOn = parsed;
  }

  // Sharing: published for sharing, unless the service level keeps it in house.
  const level = values.text('serviceLevel');
  const internal = level !== null && INTERNAL_ONLY.test(level) && !EXTERNAL_TOO.test(level);

  const input: ListingInput = {
    localId: '',
    name,
    nameEn,
    category: category ?? JP_OTHER_CATEGORY,
    manufacturer,
    model,
    description,
    building: place?.value ?? null,
    ...(acquisitionPrice !== undefined ? { acquisitionPrice } : {}),
    ...(acquiredOn !== undefined ? { acquiredOn } : {}),
    ...(location !== null ? { location } : {}),
    sharedExternally: !internal,
    remoteOperable: false,
    requiresApproval: true,
    requiresQualification: false,
  };
  return { input, facts: { catchAll, price: priceFact, sharing: level === null ? 'default' : internal ? 'internal' : 'level' } };
}

/** `Label: value`; null when there is no value. */
function labelled(label: string, value: string | null): string | null {
  return value === null || value.length === 0 ? null : `${label}: ${value}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
}

function notesOf(
  layout: Layout,
  records: number,
  listings: number,
  cutAt: number | null,
  nameLengths: readonly number[],
  tally: Tally,
  yenPerUnit: number | null,
  idPrefix: string,
  shared: ReadonlyMap<Field, string>,
): string[] {
  const notes: string[] = [];
  const column = (field: Field) => layout.columns.get(field)?.map((i) => layout.header[i]!.trim()) ?? [];
  if (layout.nameFromDescription) {
    notes.push(`The file has no Name column: names are taken from ${column('name').join(', ')}.`);
  }
  if (cutAt !== null) {
    const cut = nameLengths.filter((n) => n === cutAt).length;
    notes.push(
      `${plural(cut, 'name')} may be cut short at ${cutAt} characters by the source (the longest length, and far ` +
        `the most common); they are kept as they are, and their last word is not read for a model.`,
    );
  }
  if (tally.generatedIds > 0) {
    const why = layout.columns.has('id')
      ? `${plural(tally.generatedIds, 'listing')} ${tally.generatedIds === 1 ? 'has' : 'have'} no ${column('id')[0]}`
      : 'The file has no ID column';
    notes.push(
      `${why}: a listing's localId is generated as ${idPrefix}- and the first 12 hex digits of the SHA-256 of the ` +
        `record's mapped fields, so importing the same file again updates the same listings whatever the order of ` +
        `its rows; a record edited at the source gets a new id.` +
        (tally.repeatedRecords > 0
          ? ` ${plural(tally.repeatedRecords, 'record')} ${tally.repeatedRecords === 1 ? 'repeats' : 'repeat'} an identical ` +
            'earlier one and are numbered -2, -3, ….'
          : ''),
    );
  }
  for (const [field, place] of shared) {
    if (isLink(place)) continue;
    notes.push(
      `${column(field)[0]} is ${JSON.stringify(place)} in every record: it names the institution rather than a place in ` +
        'it, and is not taken as a building.',
    );
  }
  const categoryColumns = [...column('technique'), ...column('type')];
  notes.push(
    `${tally.catchAll.toLocaleString('en-GB')} of ${plural(listings, 'listing')} have the catch-all category ` +
      `${JP_OTHER_CATEGORY}: ` +
      (categoryColumns.length > 0
        ? `their ${categoryColumns.join(' / ')} names no category.`
        : 'the file has no Technique, Taxonomy or Type column.'),
  );
  const priceColumn = column('price')[0];
  if (priceColumn !== undefined) {
    if (tally.pricesConverted > 0) {
      notes.push(
        `${plural(tally.pricesConverted, 'price')} in ${priceColumn} converted at ${yenPerUnit} yen per unit of the ` +
          `file's currency and rounded to whole yen.`,
      );
    }
    if (tally.pricesNotConverted > 0) {
      notes.push(
        `${plural(tally.pricesNotConverted, 'price')} in ${priceColumn} not imported: the file does not say its ` +
          `currency (UK registers give GBP) and no exchange rate was given. Import again with --yen-rate <yen per ` +
          `unit>, e.g. --yen-rate 190 for pounds at ¥190, to store them as acquisition prices in whole yen.`,
      );
    }
    if (tally.zeroPrices > 0) notes.push(`${plural(tally.zeroPrices, 'price')} of 0 left empty (a register's "not known").`);
  }
  const sharing: string[] = [];
  if (tally.sharedByDefault > 0) {
    sharing.push(
      `true for ${plural(tally.sharedByDefault, 'listing')} without a Service Level (a uniquip feed is published so ` +
        `that others can use the equipment)`,
    );
  }
  if (tally.sharedByLevel > 0) sharing.push(`true for ${plural(tally.sharedByLevel, 'listing')} whose Service Level offers it`);
  if (tally.internalByLevel > 0) {
    sharing.push(`false for ${plural(tally.internalByLevel, 'listing')} whose Service Level says internal use only`);
  }
  if (sharing.length > 0) notes.push(`sharedExternally: ${sharing.join('; ')}.`);
  if (listings > 0) {
    notes.push(
      'requiresApproval is set on every listing: uniquip names a contact to arrange access, and nothing in it says ' +
        'a booking needs no approval.',
    );
  }
  const contacts = layout.header.filter((h) => /^(?:secondary)?contact(?!url$)/u.test(headerKey(h)));
  if (contacts.length > 0) {
    notes.push(
      `Not imported: ${contacts.map((h) => h.trim()).join(', ')} (names, telephone numbers and e-mail addresses have ` +
        `no place in a listing; a Contact URL goes into the description).`,
    );
  }
  notes.push(`${plural(records, 'record')}: ${plural(listings, 'listing')}, ${plural(records - listings, 'row error')}.`);
  return notes;
}

/** `parseUniquip` of a file read from disk (`decodeText`: UTF-8, with or without a byte-order mark, or Windows-1252). */
export async function readUniquipFile(
  path: string,
  options: UniquipOptions = {},
): Promise<UniquipFile & { encoding: TextEncoding }> {
  const { text, encoding } = decodeText(await readFile(path));
  const file = parseUniquip(text, options);
  if (encoding === 'latin-1') file.notes.unshift('The file is not UTF-8: it was read as Windows-1252 (Latin-1).');
  return { ...file, encoding };
}

/**
 * One row of a uniquip file written from a listing: `uniquipRowOf` fills it from a listing and its
 * institution's name; contacts, a photo and a web address can be added by the caller.
 */
export interface UniquipExportRow {
  /** ID: the listing's `localId`. */
  id: string;
  /** Name. */
  name: string;
  /** Type: `equipment` (the default) or `facility`. */
  type?: 'equipment' | 'facility' | null;
  description?: string | null;
  /** Technique: the listing's category (left blank for the catch-all, which says nothing). */
  technique?: string | null;
  /** Location: a link to the place (uniquip uses Wikipedia or OpenStreetMap pages). */
  location?: string | null;
  department?: string | null;
  /** Site Location: the institution's name (or campus). */
  siteLocation?: string | null;
  building?: string | null;
  /** Service Level: what access outside users have (`UNIQUIP_SERVICE_LEVELS`). */
  serviceLevel?: string | null;
  /** Web Address: the listing's page. */
  webAddress?: string | null;
  relatedFacilityId?: string | null;
  contactName?: string | null;
  contactTelephone?: string | null;
  contactUrl?: string | null;
  contactEmail?: string | null;
  secondaryContactName?: string | null;
  secondaryContactTelephone?: string | null;
  secondaryContactUrl?: string | null;
  secondaryContactEmail?: string | null;
  photo?: string | null;
}

/** The uniquip row of a listing of `institutionName` (Site Location); Service Level from its sharing flags. */
export function uniquipRowOf(listing: ListingInput, institutionName: string): UniquipExportRow {
  return {
    id: listing.localId,
    name: listing.name,
    type: 'equipment',
    description: listing.description,
    technique: listing.category === JP_OTHER_CATEGORY ? null : listing.category,
    siteLocation: institutionName,
    building: listing.building,
    serviceLevel: !listing.sharedExternally
      ? UNIQUIP_SERVICE_LEVELS.internal
      : listing.requiresApproval
        ? UNIQUIP_SERVICE_LEVELS.byArrangement
        : UNIQUIP_SERVICE_LEVELS.open,
  };
}

/** A uniquip CSV of `rows`: the standard columns in the standard order, CRLF line ends, a final CRLF. */
export function formatUniquip(rows: readonly UniquipExportRow[]): string {
  const lines = [UNIQUIP_COLUMNS.map((c) => c).join(',')];
  for (const row of rows) {
    lines.push(
      csvRow(UNIQUIP_COLUMNS, {
        Type: row.type ?? 'equipment',
        Name: row.name,
        Description: row.description ?? null,
        'Related Facility ID': row.relatedFacilityId ?? null,
        Technique: row.technique ?? null,
        Location: row.location ?? null,
        'Contact Name': row.contactName ?? null,
        'Contact Telephone': row.contactTelephone ?? null,
        'Contact URL': row.contactUrl ?? null,
        'Contact Email': row.contactEmail ?? null,
        'Secondary Contact Name': row.secondaryContactName ?? null,
        'Secondary Contact Telephone': row.secondaryContactTelephone ?? null,
        'Secondary Contact URL': row.secondaryContactUrl ?? null,
        'Secondary Contact Email': row.secondaryContactEmail ?? null,
        ID: row.id,
        Photo: row.photo ?? null,
        Department: row.department ?? null,
        'Site Location': row.siteLocation ?? null,
        Building: row.building ?? null,
        'Service Level': row.serviceLevel ?? null,
        'Web Address': row.webAddress ?? null,
      }),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
