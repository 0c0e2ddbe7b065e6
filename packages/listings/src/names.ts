/**
 * Manufacturer and model out of an instrument's name, as real listings write them: `単結晶X線回折装置
 * (リガク・XtaLaB Synergy-DW)`, `フーリエ変換赤外分光光度計(FT/IR-4700)`, `透過電子顕微鏡 日立(H-7650)`,
 * `Hitachi S4800 SEM`. The name itself is not changed; importers fill `manufacturer` and `model` from it.
 *
 * - **Manufacturer**: the first maker of `MANUFACTURERS` (`@kyoyo/domain`) that the name mentions, by any of
 *   its aliases, given as the maker's display name (`JEOL (日本電子)` for `日本電子`, `JEOL` or `ジェオール`), so
 *   that one maker is one value however a listing spells it, and both scripts are searchable. Makers the list
 *   does not know are not guessed.
 * - **Model**: a designation in Latin letters and digits. It must hold a word that cannot be an ordinary word:
 *   letters with digits (`JSM-7800F`, `FT/IR-4700`, `D8`), a capital right after a small letter (`XtaLaB`,
 *   `SmartLab`), or a capitalised code joined by a hyphen (`Synergy-DW`); next to a maker's name, capitals
 *   (`JEOL ECZS`) and bare numbers (`Agilent 8900`) also count. Type abbreviations (`NMR`, `FE-SEM`), quantities
 *   (`500MHz`, `400kV`), generic English words (`Microscope`, `System`), company forms, catalogue numbers
 *   (`[535]`), unit numbers (`-2号機`) and things that look like models but are not (asset numbers
 *   `K2023003`, beamlines `BL-6A`, floors `1-7F`, isotopes `13C`, gases `CO2`) are left out. A designation next
 *   to the maker is preferred to one elsewhere in the name; otherwise the first one counts. Nicknames and
 *   notes (`(scorpio)`, `(液体試料専用)`) are not models. When in doubt, null: a wrong model is worse than none,
 *   since duplicate-purchase checks treat the same model as the strongest evidence.
 *
 * The model is returned NFKC-folded (full-width `ＪＳＭ－７８００` → `JSM-7800`), its case kept.
 */
import { MANUFACTURERS, manufacturerMentions, normalizeModel } from '@kyoyo/domain';

/** What `splitMakerModel` finds in a name; null where it finds nothing it is sure of. */
export interface MakerModel {
  /** The maker's display name in `MANUFACTURERS` (e.g. `Rigaku (リガク)`). */
  manufacturer: string | null;
  /** The model designation as the name writes it (NFKC-folded). */
  model: string | null;
}

/** Longest model kept: anything longer is a description, not a designation. */
const MAX_MODEL_LENGTH = 100;

/** Hyphens, dashes and minus signs, as `normalizeText` folds them. */
const DASHES = /[\u2010-\u2015\u2212\uFF0D]/gu;

/** `[535]`, `[No.1]`, `[FIB]`, `〔リンク〕`, `【武田SCR】`: catalogue numbers, tags and link markers (not `[SPM-9600]`). */
const NOISE_BRACKETS = /\[(?:No\.? ?)?[\d#]*\]|\[[^\]\d]*\]|〔[^〕]*〕|【[^】]*】/gu;

/** Company forms: `株式会社`, `(株)` (NFKC of `㈱`), `(有)`, `Inc.`, `Co., Ltd.`, `GmbH`, … */
const COMPANY_FORMS = /株式会社|有限会社|\((?:株|有)\)|\b(?:Inc|Ltd|Co|Corp|Corporation|GmbH|LLC|Plc|K\.K)\b\.?/giu;

/** The words of a company's name before its form (`Apollo SciTech Inc.`, `TriFoil Imaging inc.`). */
const COMPANY_NAME = /(?:[A-Za-z][\w&-]* ){1,3}(?=(?:Inc|Ltd|Corp|GmbH|LLC|Plc)\b)/giu;

/** A run of Latin words as listings write model designations (words start with a letter or digit). */
const LATIN_RUN = /[A-Za-z0-9][A-Za-z0-9+\-/._'’]*(?: [A-Za-z0-9][A-Za-z0-9+\-/._'’]*)*/gu;

/** What may stand between a maker's name and its model: separators, brackets, `製`, `社製`, `社`. */
const BETWEEN_MAKER_AND_MODEL = /^[\s・:;/,、()（）-]*(?:社製|製|社)?[\s・:;/,、()（）-]*$/u;

/** Abbreviations of instrument types and techniques: they name no model, alone or joined (`MALDI-TOF`). */
const TYPE_ABBREVIATIONS = new Set(
  (
    'nmr tem sem stem xrd xrf xps ups icp ms lc gc ft ir ftir uv vis nir pcr qpcr rt dna rna afm spm stm cvd pvd ald ccd ' +
    'cmos led ct mri esr epr dsc tga tg dta tma dma hplc uplc maldi tof esi apci eds edx ebsd fib sims saxs waxs qcm elisa ' +
    'fcm cd ri ld pl el fe hr cryo em epma rie xafs exafs nexafs arpes leed rheed aes oes eels wds ebic tirf fret ' +
    'flim sted spr itc dls gpc sec tlc ce dad pda qqq qtof q qq it pet spect rf dc ac cw yag msms ims dart fd fi fab ' +
    'hdms cp ic sps hip hmds pc cad cam cnc nc usb ' +
    'ad da pid ph ec toc tn cod bod hepa ule dpss opo thz tds 2d 3d 4d dd lidar uav lp pe lpcvd pecvd esca ' +
    'mocvd mbe rta nd deep fm'
  ).split(' '),
);

/** English words that describe an instrument rather than name a model (`Confocal Microscope`, `System`). */
const GENERIC_WORDS = new Set(
  (
    'flow cytometer cytometry system systems imaging imager analyzer analyser analysis spectrometer spectrophotometer ' +
    'microscope microscopy detector sorter station controller reader scanner camera laser lasers software workstation ' +
    'instrument instruments equipment platform sequencer centrifuge thermal cycler plate photometer chromatograph ' +
    'diffractometer console computer unit set kit with and for of the lab model type series new high low full auto ' +
    'version ver main sub option optional stage head module table chamber source power supply generator monitor ' +
    'furnace oven pump probe sensor tester meter tool machine device apparatus accessory accessories control ' +
    'compact standard upgrade attachment cluster nodes node server bioscience biosciences technologies technology ' +
    'scientific instruments japan corporation electronics engineering laboratories laboratory labs medical healthcare ' +
    'life sciences science tm'
  ).split(' '),
);

/** Words that belong to a model (`AVANCE III 500`, `Nano ZS`) without making one on their own. */
const MODEL_SUFFIXES = new Set('i ii iii iv v vi vii viii ix x xi xii plus pro mini max neo one se le ex'.split(' '));

/** A quantity: `500MHz`, `400kV`, `1kW`, `18T`, `4K`, `2L`, `100x`, `1024pix`, `12,000fps`, `92-96GHz`. */
const QUANTITY =
  /^\d+(?:[.,]\d+)*(?:-\d+(?:[.,]\d+)*)?(?:mhz|ghz|khz|hz|kv|mv|v|kw|mw|w|nm|um|μm|mm|cm|m|ml|l|t|k|mk|mev|kev|ev|kg|mg|g|ma|a|rpm|ch|mp|fps|x|bit|gb|tb|pix|px|inch|in|mpa|gpa|kpa|pa|psi|kpsi|kn|n|c|bays?|wells?|slots?|ports?)$/iu;

/** A synchrotron beamline (`BL-6A`, `BL-2A/B`, `AR-NE1A`): a facility, not a maker's model. */
const BEAMLINE = /^(?:BL-?\d+[A-Z]*\d*|AR-[NS][EW]\d+[A-Z]*)(?:\/[A-Z0-9]+)?$/iu;

/** Gases and compounds that name what an instrument works with (`CO2インキュベーター`, `KrFステッパ`). */
const GAS = '(?:co2|h2|o2|o3|n2|h2o|sio2|tio2|nh3|ch4|sf6|cf4|chf3|c4f8|no2|so2|n2o|he3|3he|4he|krf|arf|xecl|xef)';

/** Tokens with letters and digits that are not models. */
const NOT_MODELS: readonly RegExp[] = [
  /^[234]-?d$/iu, // 3D, 2-D
  /^\d+-[A-Za-z][a-z]+$/u, // 3-Photon, 2-Channel
  /^\d+(?:st|nd|rd|th)$/iu, // 1st, 2nd
  /^\d{1,3}[A-Z][a-z]?(?:\/\d{1,3}[A-Z][a-z]?)*$/u, // isotopes: 13C, 1H, 29Si, 13C/15N
  new RegExp(`^${GAS}(?:/${GAS})*$`, 'iu'), // gases: CO2, O2/CO2, KrF
  /^(?:nmr|esr|epr)\d/iu, // NMR13C
  /^[A-Z]{0,4}(?:\d{5,}|-\d{6,})$/iu, // asset numbers: K2023003, INV24138, SI-148250 (not JEOL's EM-09100)
  /^[A-Z]{1,5}-?(?:0\d{1,2}|0\d{5,})$/iu, // zero-padded codes: YEP042, PT05, INV-001662 (not JEOL's SM-09020)
  /^\d{5,}-/u, // 10059-OPTICAL
  /^\d+[A-Z]?[a-z]{4,}$/u, // glued words: 3Computers, 1016Microwave
  /^(?:[A-Z]\d{1,3}[A-Z]{3}|[A-Z]{2}\d{2}[A-Z]{3})$/u, // UK vehicle registrations: R726RSP, SD08DXF
  /^(?:level|floor|room|lab)\d+$/iu, // LEVEL2
  BEAMLINE, // BL-6A, AR-NE1A
  /^pc\d+$/iu, // PC3 (the third analysis computer)
  /^(?:b?\d{1,2}|\d{1,2}-\d{1,2})f(?:cr)?$/iu, // floors: 3F, B1F, 1-7F, 3FCR (third-floor clean room), not 7500F
  /^no\.?\d+$/iu, // No.1
  /^ver\.?\d+(?:\.\d+)*$/iu, // Ver.2
  /^x\d+$/iu, // x2 (two of them)
  /^\d+k$/iu, // 4K (resolution)
  /^\d+(?:\.\d+)?(?:mhz|kv|t)-\S*$/iu, // 400MHz-NMR, 200kV-TEM
  /\D\d+(?:mhz|ghz|kv)$/iu, // BrukerNMR700MHz
  /^(?:type|model|no|ver|version|lot|unit|set)\d+$/iu, // TYPE2
  /^\d+\.\d/u, // 0.8Imm (a lens)
];

/**
 * `GB/0004/01`, `01/AP/07/015`, `RXOPTICS-022-2015-11`: reference codes, parts of letters or of digits, two or more
 * of digits with one zero-padded (not `SM-09020`, a model).
 */
function isReference(word: string): boolean {
  const parts = word.split(/[-/]/u);
  const numbers = parts.filter((p) => /^\d+$/u.test(p));
  return parts.every((p) => /^(?:[A-Za-z]+|\d+)$/u.test(p)) && numbers.length >= 2 && numbers.some((p) => /^0\d/u.test(p));
}

/** Chemical elements, for formulas written like models (`SiGe`, `GaAs`, `InGaN`). */
const ELEMENTS = new Set(
  (
    'H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr Rb Sr Y Zr Nb ' +
    'Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au ' +
    'Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu'
  ).split(' '),
);

/** `SiGe`, `GaAs`, `KrF`: 2 to 5 characters that spell element symbols only. */
function isFormula(word: string): boolean {
  if (word.length > 5 || !/[a-z]/u.test(word)) return false;
  const symbols = word.match(/[A-Z][a-z]?/gu) ?? [];
  return symbols.length >= 2 && symbols.join('') === word && symbols.every((e) => ELEMENTS.has(e));
}

/** Makers' aliases reduced like model keys, so that `AppliedBiosystems` is not taken for a model. */
const MAKER_KEYS = new Set(MANUFACTURERS.flatMap((m) => m.aliases.map((alias) => normalizeModel(alias))));

/** How one word of a Latin run reads. */
type WordKind =
  /** Cannot be an ordinary word: letters and digits, an inner capital, a capitalised code after a hyphen. */
  | 'strong'
  /** Capitals (`ECZS`, `J-E`): a model next to a maker's name, a word elsewhere. */
  | 'capitals'
  /** A bare number (`8900`, `500`): part of a model, or one next to a maker's name. */
  | 'number'
  /** `II`, `Plus`, `Pro`: a model's tail. */
  | 'suffix'
  /** Type abbreviations, quantities, generic words: never part of a model's edges. */
  | 'noise'
  /** Any other word (`Optima`, `Triple`, `scorpio`). */
  | 'plain';

/** True for `NMR`, `FE-SEM`, `MALDI-TOF`, `HPLC-IMS-QToFMS`: type abbreviations, alone, joined or run together. */
function isTypeAbbreviation(word: string): boolean {
  const parts = word
    .toLowerCase()
    .split(/[-/+._]+/u)
    .filter((p) => p.length > 0);
  return parts.length > 0 && parts.every((p) => GENERIC_WORDS.has(p) || isAbbreviationRun(p));
}

/** True when `letters` is an abbreviation, or 4+ letters of abbreviations written together (`qtofms` = q + tof + ms). */
function isAbbreviationRun(letters: string): boolean {
  if (letters.length < 4) return TYPE_ABBREVIATIONS.has(letters);
  const reachable = [true];
  for (let end = 1; end <= letters.length; end++) {
    reachable[end] = false;
    for (let start = Math.max(0, end - 6); start < end && !reachable[end]; start++) {
      reachable[end] = reachable[start]! && TYPE_ABBREVIATIONS.has(letters.slice(start, end));
    }
  }
  return reachable[letters.length]!;
}

function kindOf(word: string, allCaps: boolean): WordKind {
  const lower = word.toLowerCase();
  if (GENERIC_WORDS.has(lower) || QUANTITY.test(word) || isTypeAbbreviation(word)) return 'noise';
  // `ADInstruments`, `BioSystems`, `RogueResearch`: company names.
  if (/(?:instruments|systems|technologies|scientific|sciences?|electronics|laboratories|research)$/u.test(lower)) {
    return 'noise';
  }
  // `Station-1`, `RTA-1`: a generic word or a type numbered.
  const parts = lower.split(/[-/_.]+/u).filter((p) => p.length > 0);
  const numbered = parts.filter((p) => !/^\d{1,2}$/u.test(p));
  const numberedType = (p: string) => GENERIC_WORDS.has(p) || (p.length >= 3 && isAbbreviationRun(p)); // not `AC-3`
  if (numbered.length < parts.length && numbered.every(numberedType)) return 'noise';
  if (MODEL_SUFFIXES.has(lower)) return 'suffix';
  // A model number has at most 4 digits (`8900`); longer numbers are catalogue and asset numbers.
  if (/^\d+$/u.test(word)) return word.length <= 4 ? 'number' : 'plain';
  if (MAKER_KEYS.has(normalizeModel(word)) || NOT_MODELS.some((re) => re.test(word)) || isFormula(word) || isReference(word)) {
    return 'plain';
  }
  // Letters and digits; in small letters only (`sd800a`, a nickname), only next to a maker's name.
  if (/\p{L}/u.test(word) && /\d/u.test(word)) return /\p{Lu}/u.test(word) ? 'strong' : 'capitals';
  // In text written in capitals throughout, capitals say nothing.
  if (allCaps) return 'plain';
  // `XtaLaB`, `SmartLab`; `Synergy-DW` (not `dd-PCR`, `equipment-T`); `FACSAria`, `AKTApurifier`.
  const coded = /([A-Za-z][a-z]+)[-/]([A-Z0-9]+)(?:[-/]|$)/u.exec(word);
  const code = coded !== null && !GENERIC_WORDS.has(coded[1]!.toLowerCase()) && !isTypeAbbreviation(coded[2]!);
  if (/[a-z][A-Z]/u.test(word) || code || /[A-Z]{3,}[a-z]{2,}/u.test(word)) {
    return 'strong';
  }
  if (/^[A-Z][A-Z\-/.+]*[A-Z]$/u.test(word)) return 'capitals';
  return 'plain';
}

/** A Latin run of the name and where it stands in the folded name. */
interface Run {
  start: number;
  end: number;
  words: string[];
}

/**
 * The model a run holds, or null. It is anchored on the run's first strong word (next to a maker's name, also
 * on capitals, a number of 3+ digits, or a capitalised word with its suffix) and takes the words after it that
 * still belong to a model: strong words, capitals, suffixes, numbers that follow capitals or a suffix (`AVANCE
 * III 500`) or have 3+ digits (`GeneAmp 9700`), and, next to a maker's name, a capitalised word right after
 * capitals (`BD LSR Fortessa`). Next to a maker's name it also takes one word of capitals, a capitalised word or a
 * number before the anchor (`Beckman Optima XPN-80`, `BD FACS CantoII`, `Agilent 4150 TapeStation`); elsewhere
 * one word of capitals before an anchor of 3 characters or fewer (`SYNAPT G2`, `TCS SP8`).
 */
function modelOfRun(run: Run, nextToMaker: boolean, allCaps: boolean): string | null {
  // `型式: LSM7DUO`, `Model 656`: what follows the word "model" is the model.
  const modelWord = run.words.findIndex((w) => /^model:?$/iu.test(w));
  const source = modelWord >= 0 && modelWord < run.words.length - 1 ? run.words.slice(modelWord + 1) : run.words;
  // `APPS-30 APPS-30 APPS-30`: one listing repeats its model.
  const words = [...new Set(source)];
  const kinds = words.map((w) => kindOf(w, allCaps));
  // `500 MHz`: a number with its unit apart is a quantity too.
  for (let i = 0; i + 1 < words.length; i++) {
    if (kinds[i] === 'number' && QUANTITY.test(`${words[i]}${words[i + 1]}`)) kinds[i] = kinds[i + 1] = 'noise';
  }
  const capitalised = (i: number) => kinds[i] === 'plain' && /^[A-Z][a-z]/u.test(words[i]!);
  let anchor = kinds.indexOf('strong');
  if (anchor < 0 && nextToMaker) {
    anchor = kinds.findIndex(
      (k, i) => k === 'capitals' || (k === 'number' && words[i]!.length >= 3) || (capitalised(i) && kinds[i + 1] === 'suffix'),
    );
  }
  if (anchor < 0) return null;
  const weak = !kinds.includes('strong');
  let to = anchor + 1;
  for (; to < words.length; to++) {
    const k = kinds[to]!;
    const previous = kinds[to - 1]!;
    const fits =
      k === 'strong' ||
      k === 'capitals' ||
      k === 'suffix' ||
      (k === 'number' && (words[to]!.length >= 3 || previous === 'capitals' || previous === 'suffix')) ||
      (nextToMaker && weak && previous === 'capitals' && capitalised(to));
    if (!fits) break;
  }
  let from = anchor;
  const leading = (i: number) =>
    kinds[i] === 'capitals' || (nextToMaker && (capitalised(i) || (kinds[i] === 'number' && words[i]!.length >= 3)));
  // A short anchor is often the end of a model (`SYNAPT G2`, `TCS SP8`).
  if ((nextToMaker || words[anchor]!.length <= 3) && from > 0 && leading(from - 1)) from -= 1;
  // Two capitals alone (`LS` of `Carl Zeiss LS meta 510`) are too little to go on.
  if (to - from === 1 && kinds[from] === 'capitals' && words[from]!.length < 3) return null;
  const model = words.slice(from, to).join(' ');
  return model.length <= MAX_MODEL_LENGTH ? model : null;
}

/** NFKC, dashes to `-`, white space collapsed and trimmed, letter case kept. */
function fold(text: string): string {
  return text
    .normalize('NFKC')
    .replace(DASHES, '-')
    .replace(/[\s\p{White_Space}]+/gu, ' ')
    .trim();
}

/** The manufacturer and model a name mentions (see the module comment); the name is not changed. */
export function splitMakerModel(name: string): MakerModel {
  const folded = fold(name);
  // This is `normalizeText(name)`, where makers are found. Where lower-casing changes lengths (rare scripts),
  // their positions would not line up with the folded name, and letter case is given up.
  const lower = folded.toLowerCase();
  const text = lower.length === folded.length ? folded : lower;
  const mentions = manufacturerMentions(lower);
  const manufacturer = mentions[0]?.manufacturer.name ?? null;

  // Blank out what is never part of a model, keeping positions: catalogue brackets, makers' names, company forms.
  const blank = (s: string) => ' '.repeat(s.length);
  let masked = text.replace(NOISE_BRACKETS, blank);
  for (const m of mentions) masked = masked.slice(0, m.start) + blank(masked.slice(m.start, m.end)) + masked.slice(m.end);
  masked = masked.replace(COMPANY_NAME, blank).replace(COMPANY_FORMS, blank);

  // A beamline's name (`BL-14A Single Crystal Structure Analysis`) names no model.
  if (BEAMLINE.test(text.split(' ')[0]!)) return { manufacturer, model: null };

  const allCaps = !/\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}/u.test(text) && !/[a-z]/u.test(text);
  const runs: Run[] = [];
  for (const match of masked.matchAll(LATIN_RUN)) {
    // `α-8SE`: the end of a word in another script.
    if (/\p{L}-$/u.test(masked.slice(Math.max(0, match.index - 2), match.index))) continue;
    // `SPM_2`: an underscore numbers the unit; elsewhere it parts words (`SP2_UV405`).
    let words = match[0]
      .replace(/_\d{1,2}(?= |$)/gu, '')
      .split(/[ _]+/u)
      .map((w) => w.replace(/[-/.]+$/u, '')) // `nanoLC-質量分析`, `SaturnCCD724/α`
      .filter((w) => w.length > 0);
    if (words.length === 0) continue;
    // `GeneAmp 9700-1号機`: the `-1` numbers the unit, not the model.
    if (/^号機?/u.test(masked.slice(match.index + match[0].length))) {
      words = [...words.slice(0, -1), words[words.length - 1]!.replace(/-\d{1,2}$/u, '')];
    }
    runs.push({ start: match.index, end: match.index + match[0].length, words });
  }

  // A model after a maker's name (`リガク・XtaLaB`), then one before it (`PCV-841-BRG(日立)`), then any.
  const after = (run: Run) =>
    mentions.some((m) => m.end <= run.start && BETWEEN_MAKER_AND_MODEL.test(masked.slice(m.end, run.start)));
  const before = (run: Run) =>
    mentions.some((m) => run.end <= m.start && BETWEEN_MAKER_AND_MODEL.test(masked.slice(run.end, m.start)));
  const model =
    first(runs.filter(after), (run) => modelOfRun(run, true, allCaps)) ??
    first(runs.filter(before), (run) => modelOfRun(run, true, allCaps)) ??
    first(runs, (run) => modelOfRun(run, false, allCaps));
  return { manufacturer, model };
}

function first<T, R>(items: readonly T[], f: (item: T) => R | null): R | null {
  for (const item of items) {
    const result = f(item);
    if (result !== null) return result;
  }
  return null;
}
