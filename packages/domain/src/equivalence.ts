import { manufacturerMentions, type Manufacturer } from './manufacturers';
import { normalizeText } from './text';

/**
 * Equivalence of instruments for duplicate-purchase checks (DOMAIN.md, "Duplicate-purchase check"): the same
 * model counts most, then the same maker and category, then how alike the names are. Real listings keep maker
 * and model inside the name (`単結晶X線回折装置 (リガク・XtaLaB Synergy-DW)`), so both are also read from there.
 */

/**
 * Folds a model designation so that spellings of one model compare equal: NFKC, lower case, and every space,
 * hyphen, dash, dot, slash and underscore removed. `JEM ARM200F`, `JEM-ARM200F` and `ｊｅｍ－ａｒｍ２００ｆ`
 * all give `jemarm200f`.
 */
export function normalizeModel(model: string): string {
  return compact(normalizeText(model));
}

/** Only letters and digits (any script) remain. */
function compact(normalized: string): string {
  return normalized.replace(/[^\p{L}\p{N}]/gu, '');
}

/** Abbreviations of instrument types and techniques, and filler words, that name no model on their own. */
const NOT_A_MODEL = new Set(
  (
    'nmr tem sem stem xrd xps ups icp ms lc gc ftir ft ir uv vis nir pcr qpcr rt dna rna afm spm stm cvd pvd ald ccd cmos ' +
    'led ct mri esr epr dsc tga tg dta tma hplc uplc maldi tof esi eds edx ebsd fib sims xrf saxs waxs qcm elisa facs fcm ' +
    'cd ri ld pl el fe hr cryo em epma rie xafs exafs nexafs arpes leed rheed aes eels wds ebic tirf fret flim sted spr itc ' +
    'dls gpc sec tlc ce dad pda qqq qtof pet spect rf dc ac cw yag oes msms system systems series type model unit set ' +
    'with and for of the lab no x y z kit'
  ).split(' '),
);

/** English words that end a model's run of words without being part of the model (`LSRFortessa X-20 Flow Cytometer`). */
const GENERIC_WORDS = new Set(
  (
    'flow cytometer cytometry system systems imaging imager analyzer analyser spectrometer microscope detector sorter ' +
    'station controller reader scanner camera laser software workstation instrument instruments equipment platform ' +
    'sequencer centrifuge thermal cycler plate spectrophotometer photometer chromatograph diffractometer'
  ).split(' '),
);

/** Words that belong to a model (`AVANCE III 600`, `R-AXIS RAPID II`) but do not make one on their own. */
const MODEL_SUFFIXES = new Set('i ii iii iv v vi vii viii ix x plus pro mini one new high low full auto ver version'.split(' '));

/** A quantity written beside a model: `500MHz`, `200kV`, `1kW`, `4K`. Its number belongs to the model, its unit not. */
const QUANTITY =
  /^(\d+(?:\.\d+)?)(?:mhz|ghz|khz|hz|kv|mv|v|kw|mw|w|nm|um|μm|mm|cm|m|ml|l|t|k|mev|kev|ev|kg|mg|g|ma|a|rpm|ch|mp|fps|x|bit|gb|tb|℃|°c)$/u;

/** True for `MALDI-TOF-MS`, `FIB-SEM`, `DNA/RNA`: abbreviations of techniques joined together. */
function isTypeAbbreviation(lower: string): boolean {
  const parts = lower.split(/[-/+.]+/).filter((p) => p.length > 0);
  return parts.length > 0 && parts.every((p) => NOT_A_MODEL.has(p));
}

/** A run of Latin letters and digits, possibly several words, as listings write model designations. */
const LATIN_RUN = /[A-Za-z0-9][A-Za-z0-9+\-/.]*(?: [A-Za-z0-9][A-Za-z0-9+\-/.]*)*/g;

/** `[535]`, `[No.1]`, `〔リンク〕`: catalogue numbers and link markers, never part of the instrument. */
const NOISE_BRACKETS = /\[[^\]]*\]|〔[^〕]*〕/g;

/** Company forms, anywhere: `株式会社`, `(株)` (NFKC of `㈱`), `(有)`. */
const COMPANY_FORMS = /株式会社|\(株\)|\(有\)/g;
/** What follows a maker's name in listings: `社製`, `製`, `社` (`リガク製・…`, `日立ハイテク社製 …`). */
const MADE_BY = /^(?:社製|製|社)/;

/**
 * True for a word written like a model designation rather than an English word: it holds letters and digits
 * (`H-7650`), has a capital after its first letter (`XtaLaB`, `NextSeq`, `Synergy-DW`) or is capitals
 * throughout (`R-AXIS`, `SORVALL`).
 * `Confocal Microscope` and `Automated Peptide Synthesizer` are not models, nor are quantities (`500MHz`).
 */
function isModelLike(word: string): boolean {
  if (QUANTITY.test(word.toLowerCase()) || MODEL_SUFFIXES.has(word.toLowerCase())) return false;
  return (/\p{L}/u.test(word) && /\d/.test(word)) || /[A-Za-z][^A-Z]*[A-Z]/.test(word) || /^[A-Z][A-Z+\-/.]{2,}$/.test(word);
}

/**
 * A model key is worth comparing when it cannot be an accident: 4+ characters with a letter, and a digit or
 * 6+ characters; 5+ when it starts with a digit (`200i` is too common a fragment); never a bare quantity
 * (`500mhz`).
 */
function isDistinctive(key: string): boolean {
  if (key.length < 4 || !/\p{L}/u.test(key) || QUANTITY.test(key)) return false;
  if (/^\d/.test(key) && key.length < 5) return false;
  return /\d/.test(key) || key.length >= 6;
}

/** A model designation found in a text: its key (`normalizeModel`) and how it was written. */
export interface ModelMention {
  key: string;
  text: string;
}

/** What equivalence compares of an instrument or a planned purchase, derived once. */
export interface EquivalenceProfile {
  /** Makers named by the manufacturer field or in the name (the field first). */
  manufacturers: Manufacturer[];
  /** Distinctive model keys from the model field and the name. */
  models: ModelMention[];
  /** The name without maker, model and catalogue noise, compacted: what the thing is (`単結晶x線回折装置`). */
  descriptors: string[];
  /** Normalised category, null when unknown or the catch-all `その他`. */
  category: string | null;
  /** The category as written (for reasons). */
  categoryText: string | null;
  /** Name, English name and model as `containsModel` reads them (see `modelTextOf`). */
  modelText: string;
  /** Every text of the instrument normalised, to find keywords. */
  fullText: string;
}

/** The fields of an instrument (or a planned purchase: title as name) that equivalence reads. */
export interface EquivalenceSubject {
  name: string;
  nameEn?: string | null;
  category?: string | null;
  manufacturer?: string | null;
  model?: string | null;
  description?: string | null;
}

const CATCH_ALL_CATEGORIES = new Set(['その他', 'other', 'others', 'misc', 'miscellaneous']);

/** Model designations written in `text` (raw): Latin runs with a model-like word, without quantities and type abbreviations. */
export function modelMentions(text: string): ModelMention[] {
  const found = new Map<string, string>();
  const add = (words: readonly string[]) => {
    const written = words.join(' ');
    const key = compact(written.toLowerCase());
    if (isDistinctive(key) && !found.has(key)) found.set(key, written);
  };
  for (const run of withoutMakers(text).match(LATIN_RUN) ?? []) {
    const words = [...new Set(run.split(' '))].filter((w) => !isTypeAbbreviation(w.toLowerCase()));
    while (words.length > 0 && GENERIC_WORDS.has(words[words.length - 1]!.toLowerCase())) words.pop();
    if (!words.some(isModelLike)) continue;
    // `AVANCE 700MHz` and `AVANCE 700` are one model: a quantity keeps its number and drops its unit.
    add(words.map((w) => QUANTITY.exec(w.toLowerCase())?.[1] ?? w));
    // A word with letters and digits is a model on its own too: `JEM-ARM200F` of `JEM-ARM200F NEOARM`. (A word
    // of letters alone is often a family, `XtaLAB` of `XtaLAB P200` and `XtaLAB Synergy`, so it is not.)
    for (const word of words) if (isModelLike(word) && /\d/.test(word)) add([word]);
  }
  return [...found].map(([key, text]) => ({ key, text }));
}

/** Folds like `normalizeText` but keeps letter case (model-likeness reads it). */
function foldKeepingCase(text: string): string {
  const lower = normalizeText(text);
  const kept = text
    .normalize('NFKC')
    .replace(/[\u2010-\u2015\u2212\uFF0D]/gu, '-')
    .replace(/[\s\p{White_Space}]+/gu, ' ')
    .trim();
  // Lower-casing keeps positions for every script listings use; fall back to lower case where it would not.
  return kept.length === lower.length ? kept : lower;
}

/**
 * `text` folded (case kept) without catalogue noise, makers' names with the `製` after them, and company forms;
 * each maker's name leaves `separator` in its place.
 */
function withoutMakers(text: string, separator = ' '): string {
  const folded = foldKeepingCase(text).replace(NOISE_BRACKETS, (b) => ' '.repeat(b.length));
  const lower = folded.toLowerCase();
  let out = '';
  let at = 0;
  for (const mention of manufacturerMentions(lower)) {
    out += `${folded.slice(at, mention.start)}${separator}`;
    at = mention.end + (MADE_BY.exec(lower.slice(mention.end))?.[0].length ?? 0);
  }
  out += folded.slice(at);
  return out.replace(COMPANY_FORMS, separator);
}

/** Where a model designation cannot continue: brackets and the separators listings put between maker and model. */
const MODEL_BOUNDARIES = /[()[\]{}【】「」『』〈〉《》・、。,;:|]/gu;
/** What may stand between the characters of one model designation: `JEM 2100F`, `JEM-2100F`, `EA-300/2`. */
const SOFT_SEPARATOR = /[ \-./_+]/u;
const ALNUM = /[\p{L}\p{N}]/u;
const LATIN_OR_DIGIT = /[a-z0-9]/;

/**
 * The texts of an instrument as `containsModel` reads them: lower case, makers' names taken out, each text and
 * each part between brackets or separators kept apart by `|`, and within a part letters, digits and the spaces
 * and hyphens that may sit inside a model. `(Zeiss LSM710)` gives `|lsm710|`: the model is not glued to the
 * maker written before it, as it would be were the text reduced to letters and digits.
 */
function modelTextOf(texts: readonly string[]): string {
  return texts
    .map((text) =>
      withoutMakers(text, '|')
        .toLowerCase()
        .replace(MODEL_BOUNDARIES, '|')
        .replace(/[^\p{L}\p{N}| \-./_+]/gu, '|')
        .replace(/ *\| */g, '|')
        .replace(/\|+/g, '|'),
    )
    .join('|');
}

/** What the name says the instrument is, without maker, models, quantities and catalogue noise. */
function descriptorOf(name: string, models: readonly ModelMention[]): string {
  const text = withoutMakers(name).replace(LATIN_RUN, (run) =>
    run
      .split(' ')
      .filter((word) => {
        const key = compact(word.toLowerCase());
        return (
          !QUANTITY.test(word.toLowerCase()) &&
          !/^\d+$/.test(word) &&
          !(key.length >= 2 && models.some((m) => m.key.includes(key)))
        );
      })
      .join(' '),
  );
  return compact(text.toLowerCase());
}

/**
 * Name, English name and model of an instrument normalised and reduced to letters and digits: where a model
 * is found however it was spaced or hyphenated. Services store it (`instruments.compact_text`, trigram
 * indexed) so that the candidates they fetch are the ones `compareEquivalence` will find the model in.
 */
export function compactText(subject: Pick<EquivalenceSubject, 'name' | 'nameEn' | 'model'>): string {
  return compact(
    [subject.name, subject.nameEn, subject.model]
      .filter((t): t is string => !!t)
      .map(normalizeText)
      .join(' '),
  );
}

/** Derives what equivalence compares. Pure; call once per instrument or proposal. */
export function equivalenceProfile(subject: EquivalenceSubject): EquivalenceProfile {
  const texts = [subject.name, subject.nameEn, subject.model].filter((t): t is string => !!t);
  const makers: Manufacturer[] = [];
  for (const text of [subject.manufacturer, subject.name, subject.nameEn]) {
    if (!text) continue;
    for (const { manufacturer } of manufacturerMentions(normalizeText(text))) {
      if (!makers.includes(manufacturer)) makers.push(manufacturer);
    }
  }
  const models = new Map<string, ModelMention>();
  if (subject.model) {
    const whole = normalizeModel(withoutMakers(subject.model));
    if (isDistinctive(whole)) models.set(whole, { key: whole, text: subject.model.trim() });
  }
  for (const text of texts)
    for (const mention of modelMentions(text)) if (!models.has(mention.key)) models.set(mention.key, mention);
  const modelList = [...models.values()];
  const descriptors = [subject.name, subject.nameEn]
    .filter((t): t is string => !!t)
    .map((t) => descriptorOf(t, modelList))
    .filter((d) => d.length > 0);
  const category = subject.category ? normalizeText(subject.category) : null;
  const fullText = [subject.name, subject.nameEn, subject.manufacturer, subject.model, subject.category, subject.description]
    .filter((t): t is string => !!t)
    .map(normalizeText)
    .join(' ');
  return {
    manufacturers: makers,
    models: modelList,
    descriptors,
    category: category && !CATCH_ALL_CATEGORIES.has(category) ? category : null,
    categoryText: category && !CATCH_ALL_CATEGORIES.has(category) ? subject.category!.trim() : null,
    modelText: modelTextOf(texts),
    fullText,
  };
}

/**
 * True when the model `key` (`normalizeModel`) is written in `text` (a `modelTextOf`, or any lower-case text)
 * as that model and not as part of another: its characters in order, with spaces or hyphens between them
 * allowed (`jem 2100f` and `jem-2100f` hold `jem2100f`), and
 * - not glued to a letter or digit after it: `c1000` is not in `c1000touch`, `tecnai20` not in `tecnai200`,
 *   `jem2100` not in `jem-2100f` (a suffix makes another model);
 * - not followed by a hyphenated suffix: `multimode8` is not in `multimode8-a`;
 * - when it has no digit (a family: `nextseq`, `stepone`), not followed by more of a designation:
 *   `nextseq` is not in `nextseq 500`, `stepone` not in `stepone plus`;
 * - not glued to a letter before it when it starts with one (`h7650` is not in `sh7650`), nor to a digit when it
 *   starts with a digit.
 */
export function containsModel(text: string, key: string): boolean {
  if (key.length === 0) return false;
  const familyOnly = !/\d/.test(key);
  for (let start = text.indexOf(key[0]!); start >= 0; start = text.indexOf(key[0]!, start + 1)) {
    const before = text[start - 1] ?? '';
    if (/[a-z]/.test(key[0]!) && /[a-z]/.test(before)) continue;
    if (/\d/.test(key[0]!) && /\d/.test(before)) continue;
    let at = start;
    let k = 0;
    while (k < key.length && at < text.length) {
      if (text[at] === key[k]) {
        at++;
        k++;
      } else if (k > 0 && SOFT_SEPARATOR.test(text[at]!) && ALNUM.test(text[at - 1]!)) {
        at++;
      } else break;
    }
    if (k < key.length) continue;
    const next = text[at] ?? '';
    if (LATIN_OR_DIGIT.test(next)) continue;
    if (SOFT_SEPARATOR.test(next)) {
      let after = at;
      while (after < text.length && text[after] === ' ') after++;
      const following = text[after] ?? '';
      if (next !== ' ' && LATIN_OR_DIGIT.test(text[at + 1] ?? '')) continue;
      if (familyOnly && LATIN_OR_DIGIT.test(following)) continue;
      if (/\d/.test(following) && /\d/.test(key[key.length - 1]!)) continue;
    }
    return true;
  }
  return false;
}

/** The longest common prefix of two model keys when it names a series: 5+ characters with a letter, 60%+ of the shorter. */
function seriesOf(a: string, b: string): string | null {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  const prefix = a.slice(0, n);
  return n >= 5 && n >= 0.6 * Math.min(a.length, b.length) && /\p{L}/u.test(prefix) ? prefix : null;
}

/** Character-bigram Dice coefficient of two compacted texts, in [0, 1]. */
export function textSimilarity(a: string, b: string): number {
  if (a.length === 0 || b.length === 0) return 0;
  if (a === b) return 1;
  const grams = (s: string) => {
    const chars = Array.from(s);
    const counts = new Map<string, number>();
    const list = chars.length === 1 ? chars : chars.slice(1).map((c, i) => `${chars[i]}${c}`);
    for (const g of list) counts.set(g, (counts.get(g) ?? 0) + 1);
    return { counts, size: list.length };
  };
  const x = grams(a);
  const y = grams(b);
  let common = 0;
  for (const [g, n] of x.counts) common += Math.min(n, y.counts.get(g) ?? 0);
  return (2 * common) / (x.size + y.size);
}

/** How one existing instrument compares with a planned purchase. */
export interface Equivalence {
  /** In [0, 1], rounded to 3 decimals. */
  score: number;
  /** Human-readable evidence, strongest first. */
  reasons: string[];
  sameModel: boolean;
}

/** Score at or above which an instrument counts as equivalent (only the same model, or maker + category + the same name without a model conflict, reach it). */
export const EQUIVALENT_SCORE = 0.75;
/** Score at or above which an instrument counts as similar. */
export const SIMILAR_SCORE = 0.4;

const percent = (x: number) => `${Math.round(x * 100)}%`;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Scores `candidate` against `proposal`, in three tiers:
 * - the same model (a model of one found in the other's texts, same maker or makers unknown):
 *   0.8 + 0.08 same maker + 0.04 same category + 0.08 × name similarity;
 * - the same model series (model keys sharing a long prefix): 0.5 + 0.1 + 0.05 + 0.09 × similarity, below
 *   `EQUIVALENT_SCORE` however alike the rest;
 * - otherwise 0.5 × name similarity + 0.15 same maker + 0.1 same category, at most 0.6 when both name models
 *   and they differ.
 * A different maker (both known) gives no maker credit, and turns a shared model number into the series tier.
 * `keywords` found in the instrument's texts raise the name similarity (never lower it).
 */
export function compareEquivalence(
  proposal: EquivalenceProfile,
  candidate: EquivalenceProfile,
  keywords: readonly string[] = [],
): Equivalence {
  const reasons: string[] = [];
  const sharedMaker = proposal.manufacturers.find((m) => candidate.manufacturers.includes(m)) ?? null;
  const makersConflict = !sharedMaker && proposal.manufacturers.length > 0 && candidate.manufacturers.length > 0;
  const sameMaker = sharedMaker ? 1 : 0;

  // The same designation read out of both, else one's designation written in the other's texts.
  const model =
    proposal.models.find((p) => candidate.models.some((c) => c.key === p.key)) ??
    proposal.models.find((m) => containsModel(candidate.modelText, m.key)) ??
    candidate.models.find((m) => containsModel(proposal.modelText, m.key)) ??
    null;
  let series: { prefix: string; text: string } | null = null;
  if (!model) {
    for (const p of proposal.models) {
      for (const c of candidate.models) {
        const prefix = seriesOf(p.key, c.key);
        if (prefix && (!series || prefix.length > series.prefix.length)) series = { prefix, text: c.text };
      }
    }
  }

  const sameCategory =
    proposal.category !== null &&
    candidate.category !== null &&
    (proposal.category === candidate.category ||
      (Math.min(proposal.category.length, candidate.category.length) >= 2 &&
        (proposal.category.includes(candidate.category) || candidate.category.includes(proposal.category))))
      ? 1
      : 0;

  let similarity = 0;
  for (const p of proposal.descriptors)
    for (const c of candidate.descriptors) similarity = Math.max(similarity, textSimilarity(p, c));
  const foldedKeywords = [...new Set(keywords.map(normalizeText).filter((k) => k.length > 0))];
  const found = foldedKeywords.filter((k) => candidate.fullText.includes(k));
  if (foldedKeywords.length > 0)
    similarity = Math.max(similarity, 0.75 * similarity + (0.25 * found.length) / foldedKeywords.length);

  let score: number;
  if (model && !makersConflict) {
    score = 0.8 + 0.08 * sameMaker + 0.04 * sameCategory + 0.08 * similarity;
    reasons.push(`same model: ${model.text}`);
  } else if (model || series) {
    score = 0.5 + 0.1 * sameMaker + 0.05 * sameCategory + 0.09 * similarity;
    reasons.push(model ? `same model number ${model.text} from another maker` : `same model series (${series!.text})`);
  } else {
    score = 0.5 * similarity + 0.15 * sameMaker + 0.1 * sameCategory;
    if (proposal.models.length > 0 && candidate.models.length > 0) {
      score = Math.min(score, 0.6);
      reasons.push(`different model (${candidate.models[0]!.text})`);
    }
  }
  if (sharedMaker) reasons.push(`same manufacturer: ${sharedMaker.name}`);
  else if (makersConflict) reasons.push(`different manufacturer: ${candidate.manufacturers[0]!.name}`);
  if (sameCategory) reasons.push(`same category: ${candidate.categoryText}`);
  if (similarity >= 0.3) reasons.push(`similar name (${percent(similarity)})`);
  if (found.length > 0) reasons.push(`keywords found: ${found.join(', ')}`);
  return { score: round3(Math.min(1, score)), reasons, sameModel: !!model && !makersConflict };
}
