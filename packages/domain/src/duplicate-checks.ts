import { optionalNote } from './bookings';
import { errors } from './errors';
import { EQUIVALENT_SCORE, SIMILAR_SCORE } from './equivalence';
import { isInstitutionCode } from './ids';
import { isYen, type Yen } from './money';
import { SHARING_THRESHOLD_YEN } from './policy';

/** How a planned purchase compares with what the federation already has. */
export type DuplicateVerdict = 'BELOW_THRESHOLD' | 'NO_EQUIVALENT' | 'SIMILAR_AVAILABLE' | 'LIKELY_DUPLICATE';

/** Most proposals one batch check may hold (a funding call's list). */
export const MAX_PROPOSALS_PER_BATCH = 1000;
/**
 * How far (great-circle) an instrument that cannot be operated remotely counts as within reach of the
 * requester: a day trip by train with samples, or samples couriered overnight (Tokyo–Nagoya 260 km,
 * Kyoto–Osaka 30 km; not Tokyo–Osaka, 400 km).
 */
export const REACH_KM = 300;
/** Candidates a check lists, best first. */
export const MAX_CANDIDATES = 10;
/** Candidates scoring below this are not listed at all. */
export const MIN_CANDIDATE_SCORE = 0.2;
/** Hours in a leap year: the most use a year can hold. */
export const MAX_HOURS_PER_YEAR = 8784;

const MAX_TITLE_LENGTH = 300;
const MAX_FIELD_LENGTH = 200;
const MAX_KEYWORDS = 20;
const MAX_KEYWORD_LENGTH = 100;
/** ¥1 trillion: no instrument costs more; a larger number is a typing error. */
const MAX_PRICE_YEN = 1_000_000_000_000;

/** A planned purchase as a client sends it. */
export interface PurchaseProposalInput {
  title: string;
  category?: string | null;
  manufacturer?: string | null;
  model?: string | null;
  estimatedPrice: Yen;
  institution: string;
  fundingProgram?: string | null;
  grantId?: string | null;
  expectedHoursPerYear?: number | null;
  keywords?: readonly string[] | null;
}

/** A planned purchase, checked: texts trimmed, empty optional texts absent, keywords distinct. */
export interface PurchaseProposal {
  title: string;
  category: string | null;
  manufacturer: string | null;
  model: string | null;
  estimatedPrice: Yen;
  institution: string;
  fundingProgram: string | null;
  grantId: string | null;
  expectedHoursPerYear: number | null;
  keywords: string[];
}

/**
 * Line breaks and tabs (pasted titles hold them) become spaces; other control characters, lone surrogates and
 * bidirectional overrides are refused (`optionalNote`).
 */
function text(value: string | null | undefined, field: string, max: number): string | null {
  return optionalNote(value?.replace(/[\t\n\r]+/g, ' '), field, max);
}

/** What a planned purchase says it is: the texts equivalence reads, checked. */
export type ProposalDescription = Pick<PurchaseProposal, 'title' | 'category' | 'manufacturer' | 'model' | 'keywords'>;

/**
 * Checks what a planned purchase says it is; errors name `${field}.<name>`: a title of 1–300 characters,
 * optional category, manufacturer and model of at most 200, at most 20 keywords of 1–100 characters (repeats
 * dropped). Texts are trimmed, empty optional ones absent, control characters refused.
 */
export function validateProposalDescription(
  input: Pick<PurchaseProposalInput, 'title' | 'category' | 'manufacturer' | 'model' | 'keywords'>,
  field = 'input',
): ProposalDescription {
  const title = text(input.title, `${field}.title`, MAX_TITLE_LENGTH);
  if (title === null) throw errors.badInput(`${field}.title`, 'Give the planned purchase a title');
  const keywords = input.keywords ?? [];
  if (keywords.length > MAX_KEYWORDS) throw errors.badInput(`${field}.keywords`, `At most ${MAX_KEYWORDS} keywords`);
  const checkedKeywords = keywords.map((k, i) => {
    const keyword = text(k, `${field}.keywords[${i}]`, MAX_KEYWORD_LENGTH);
    if (keyword === null) throw errors.badInput(`${field}.keywords[${i}]`, 'A keyword must not be empty');
    return keyword;
  });
  return {
    title,
    category: text(input.category, `${field}.category`, MAX_FIELD_LENGTH),
    manufacturer: text(input.manufacturer, `${field}.manufacturer`, MAX_FIELD_LENGTH),
    model: text(input.model, `${field}.model`, MAX_FIELD_LENGTH),
    keywords: [...new Set(checkedKeywords)],
  };
}

/**
 * Checks a planned purchase: its description (`validateProposalDescription`), a whole-yen price from 0 to
 * ¥1 trillion, a well-formed institution code (membership is the caller's to check), optional funding texts
 * of at most 200 characters and expected use of 0–8,784 hours a year. Errors name `${field}.<name>`.
 */
export function validateProposal(input: PurchaseProposalInput, field = 'input'): PurchaseProposal {
  const description = validateProposalDescription(input, field);
  if (!isYen(input.estimatedPrice) || input.estimatedPrice < 0 || input.estimatedPrice > MAX_PRICE_YEN) {
    throw errors.badInput(`${field}.estimatedPrice`, 'estimatedPrice must be whole yen from 0 to 1,000,000,000,000');
  }
  if (typeof input.institution !== 'string' || !isInstitutionCode(input.institution)) {
    throw errors.badInput(`${field}.institution`, 'institution must be an institution code such as kyoto-u');
  }
  const hours = input.expectedHoursPerYear ?? null;
  if (hours !== null && (!Number.isInteger(hours) || hours < 0 || hours > MAX_HOURS_PER_YEAR)) {
    throw errors.badInput(`${field}.expectedHoursPerYear`, `expectedHoursPerYear must be from 0 to ${MAX_HOURS_PER_YEAR}`);
  }
  return {
    title: description.title,
    category: description.category,
    manufacturer: description.manufacturer,
    model: description.model,
    estimatedPrice: input.estimatedPrice,
    institution: input.institution,
    fundingProgram: text(input.fundingProgram, `${field}.fundingProgram`, MAX_FIELD_LENGTH),
    grantId: text(input.grantId, `${field}.grantId`, MAX_FIELD_LENGTH),
    expectedHoursPerYear: hours,
    keywords: description.keywords,
  };
}

/** Checks the size of a batch: 1 to 1,000 proposals (`LIMIT_EXCEEDED` above, `BAD_USER_INPUT` when empty). */
export function checkBatchSize(count: number, field = 'inputs'): void {
  if (count > MAX_PROPOSALS_PER_BATCH) {
    throw errors.limitExceeded(`At most ${MAX_PROPOSALS_PER_BATCH} proposals per batch; split the list`, field);
  }
  if (count === 0) throw errors.badInput(field, 'Give at least one proposal');
}

/** What the verdict reads of a candidate besides its score. */
export interface CandidateUse {
  score: number;
  /** The requester's own institution owns it. */
  sameInstitution: boolean;
  sharedExternally: boolean;
  remoteOperable: boolean;
  /** From the requesting institution; null when either location is unknown. */
  distanceKm: number | null;
  spareHoursPerYear: number;
  /** Last 12 months, in [0, 1]. */
  utilization: number;
}

/** The requester may use it: its own institution's, or shared with outside users. */
export function isUsableBy(c: Pick<CandidateUse, 'sameInstitution' | 'sharedExternally'>): boolean {
  return c.sameInstitution || c.sharedExternally;
}

/** Within reach: at the requester's institution, operable remotely, or at most `REACH_KM` away. */
export function isWithinReach(c: Pick<CandidateUse, 'sameInstitution' | 'remoteOperable' | 'distanceKm'>): boolean {
  return c.sameInstitution || c.remoteOperable || (c.distanceKm !== null && c.distanceKm <= REACH_KM);
}

/** Spare open hours for the expected use (any spare hours when the proposal does not say how much). */
export function hasCapacityFor(spareHoursPerYear: number, expectedHoursPerYear: number | null): boolean {
  return spareHoursPerYear > 0 && spareHoursPerYear >= (expectedHoursPerYear ?? 0);
}

/**
 * The verdict (DOMAIN.md): below ¥10,000,000 `BELOW_THRESHOLD` (the threshold itself is checked);
 * `LIKELY_DUPLICATE` when an equivalent instrument is usable, within reach and has spare capacity for the
 * expected use; `SIMILAR_AVAILABLE` when a similar or equivalent instrument is usable and has spare hours
 * but is not that; otherwise `NO_EQUIVALENT`.
 */
export function decideVerdict(
  estimatedPrice: Yen,
  candidates: readonly CandidateUse[],
  expectedHoursPerYear: number | null,
): DuplicateVerdict {
  if (estimatedPrice < SHARING_THRESHOLD_YEN) return 'BELOW_THRESHOLD';
  const best = Math.min(2, ...candidates.map((c) => candidateTier(c, expectedHoursPerYear)));
  return best === 0 ? 'LIKELY_DUPLICATE' : best === 1 ? 'SIMILAR_AVAILABLE' : 'NO_EQUIVALENT';
}

/**
 * Where a candidate belongs in a check's list: 0 when it alone would make the purchase a likely duplicate
 * (equivalent, usable, within reach, with capacity), 1 when it is a usable similar one with spare hours, 2
 * otherwise. Lists are ordered by tier, then score, so the instrument that decides the verdict comes first.
 */
export function candidateTier(c: CandidateUse, expectedHoursPerYear: number | null): 0 | 1 | 2 {
  if (!isUsableBy(c) || c.spareHoursPerYear <= 0) return 2;
  if (c.score >= EQUIVALENT_SCORE && isWithinReach(c) && hasCapacityFor(c.spareHoursPerYear, expectedHoursPerYear)) return 0;
  return c.score >= SIMILAR_SCORE ? 1 : 2;
}

const hoursText = (h: number) => `${Math.round(h).toLocaleString('en-US')} h`;

/** Human-readable facts of use for a candidate's reasons: who may use it, reach, load and capacity. */
export function usageReasons(c: CandidateUse, expectedHoursPerYear: number | null): string[] {
  const reasons: string[] = [];
  if (c.sameInstitution) reasons.push("at the requester's own institution");
  else if (c.sharedExternally) reasons.push('open to outside users');
  else reasons.push('not open to outside users');
  if (!c.sameInstitution && c.sharedExternally) {
    const where = c.distanceKm === null ? 'distance unknown' : `${Math.round(c.distanceKm).toLocaleString('en-US')} km away`;
    if (c.remoteOperable) reasons.push(`operable remotely (${where})`);
    else reasons.push(c.distanceKm !== null && c.distanceKm <= REACH_KM ? `within reach (${where})` : `out of reach (${where})`);
  }
  reasons.push(
    `used ${Math.round(c.utilization * 100)}% of open hours in the last 12 months, ${hoursText(c.spareHoursPerYear)} spare a year`,
  );
  if (expectedHoursPerYear !== null && !hasCapacityFor(c.spareHoursPerYear, expectedHoursPerYear)) {
    reasons.push(`not enough spare time for ${hoursText(expectedHoursPerYear)} a year`);
  }
  return reasons;
}

/**
 * Deterministic JSON for hashing: object keys sorted at every level, arrays in order, `undefined` members
 * left out, dates as ISO UTC. Two records with the same content give the same text on any machine.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
