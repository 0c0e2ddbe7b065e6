import { quoteFee, SHARING_THRESHOLD_YEN } from '@kyoyo/domain';
import type { FeeRate, OpenHoursRule, OperationMode, UserCategory } from '@kyoyo/domain';
import { INSTRUMENT_TEMPLATES, type Family, type InstrumentTemplate, type ModelSpec } from './catalogue';
import { COMMON_PURPOSES, DESCRIPTION_NOTES, FAMILY_BUILDINGS, FAMILY_PURPOSES, INDUSTRY_PURPOSES, schoolName } from './flavour';
import {
  DEMO_COMPANIES,
  DEMO_INSTITUTIONS,
  NON_MEMBER_ACADEMIC,
  toDemoInstitution,
  type DemoInstitutionProfile,
} from './institutions';
import { OPEN_HOURS_PROFILES, type OpenHoursProfile } from './open-hours';
import { Rng, hashSeed, pickCumulative } from './random';
import type { DemoBooking, DemoInstitution, DemoInstitutionData, DemoInstrument, DemoOptions } from './types';

/** The seed used when `DemoOptions.seed` is not given. */
export const DEFAULT_DEMO_SEED = 20260401;
/** Institutions in the demo federation unless `DemoOptions.institutionCount` says otherwise. */
export const DEFAULT_INSTITUTION_COUNT = 6;
/** Instruments per institution unless `DemoOptions.instrumentsPerInstitution` says otherwise. */
export const DEFAULT_INSTRUMENTS_PER_INSTITUTION = 220;

/** Smallest and largest acquisition price the generator produces. */
export const MIN_ACQUISITION_PRICE = 1_000_000;
export const MAX_ACQUISITION_PRICE = 500_000_000;

/** Share of instruments (with a known price) drawn at or above the threshold. */
const HIGH_PRICE_SHARE = 0.4;
const NULL_PRICE_SHARE = 0.03;
const NULL_ACQUIRED_ON_SHARE = 0.02;
const SHARED_IF_HIGH = 0.35;
const SHARED_IF_LOW = 0.25;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Bookings are placed on a 15-minute grid. */
const SLOT_MINUTES = 15;
const SLOT_MS = SLOT_MINUTES * MINUTE_MS;
const SLOTS_PER_DAY = 1440 / SLOT_MINUTES;
/** Asia/Tokyo is UTC+09:00 all year (no daylight saving). */
const TOKYO_OFFSET_MINUTES = 540;
const TOKYO_OFFSET_SLOTS = TOKYO_OFFSET_MINUTES / SLOT_MINUTES;
/** Bookings last at least 30 minutes and at most 8 hours (or the instrument's maximum, if shorter). */
const MIN_BOOKING_SLOTS = 2;
const MAX_BOOKING_MINUTES_GENERATED = 480;
/** Resolution of each instrument's booking-duration distribution. */
const DURATION_QUANTILES = 256;
/** Bookings cover the 365 days before `now`. */
const WINDOW_DAYS = 365;
/** No bookings in the first weeks after an instrument arrives (installation, acceptance tests). */
const COMMISSIONING_DAYS = 30;
/** Internal user ids are drawn from `u-<inst>-0001` … `u-<inst>-NNNN`. */
const USERS_PER_INSTITUTION = 800;

const USER_CATEGORY_LIST = ['INTERNAL', 'ACADEMIC', 'INDUSTRY'] as const satisfies readonly UserCategory[];
const MODE_LIST = ['SELF', 'ASSISTED', 'DELEGATED'] as const satisfies readonly OperationMode[];
const MODE_WEIGHT: Readonly<Record<OperationMode, number>> = { SELF: 0.7, ASSISTED: 0.15, DELEGATED: 0.15 };
const FAMILIES = Object.keys(FAMILY_BUILDINGS) as Family[];

// ── Catalogue variants ─────────────────────────────────────────────────────────────────────────────

/** A (template, model) pair with its own price range. */
interface Variant {
  template: InstrumentTemplate;
  model: ModelSpec;
  lo: number;
  hi: number;
  weight: number;
}

const VARIANTS: readonly Variant[] = INSTRUMENT_TEMPLATES.flatMap((template) =>
  template.models.map((model) => {
    const [lo, hi] = model.price ?? template.price;
    return { template, model, lo, hi, weight: template.weight / template.models.length };
  }),
);

/** The part of a variant's log-price range at (`high`) or below the threshold, in [0, 1]. */
function tierShare(v: Variant, high: boolean): number {
  if (v.hi <= v.lo) return v.lo >= SHARING_THRESHOLD_YEN === high ? 1 : 0;
  const span = Math.log(v.hi) - Math.log(v.lo);
  const cut = Math.log(Math.min(Math.max(SHARING_THRESHOLD_YEN, v.lo), v.hi));
  const above = (Math.log(v.hi) - cut) / span;
  return high ? above : 1 - above;
}

// ── Small helpers ──────────────────────────────────────────────────────────────────────────────────

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const round10 = (yen: number): number => Math.round(yen / 10) * 10;
const round6 = (deg: number): number => Math.round(deg * 1e6) / 1e6;

/** A point `km` kilometres from (lat, lon) on bearing `bearing` (radians), flat-earth approximation. */
function offset(lat: number, lon: number, km: number, bearing: number): [number, number] {
  const dLat = (km * Math.cos(bearing)) / 111.32;
  const dLon = (km * Math.sin(bearing)) / (111.32 * Math.cos((lat * Math.PI) / 180));
  return [round6(lat + dLat), round6(lon + dLon)];
}

/** The calendar year in Asia/Tokyo at `ms`. */
function tokyoYear(ms: number): number {
  return new Date(ms + TOKYO_OFFSET_MINUTES * MINUTE_MS).getUTCFullYear();
}

/**
 * Naming flavour for an institution's buildings: the profile fields when `inst` carries them, else the
 * listed profile with the same code, else generic defaults (so any institution can be generated).
 */
function profileOf(inst: DemoInstitution): Pick<DemoInstitutionProfile, 'schoolStyle' | 'coreFacility' | 'institutes'> {
  const known: Partial<DemoInstitutionProfile> =
    'schoolStyle' in inst ? (inst as DemoInstitutionProfile) : (DEMO_INSTITUTIONS.find((p) => p.code === inst.code) ?? {});
  return {
    schoolStyle: known.schoolStyle ?? 'kenkyuka',
    coreFacility: known.coreFacility ?? '共用機器センター',
    institutes: known.institutes ?? [],
  };
}

// ── Options ────────────────────────────────────────────────────────────────────────────────────────

interface ResolvedOptions {
  seed: number;
  institutionCount: number;
  instrumentsPerInstitution: number;
  nowMs: number;
}

function resolveOptions(options: DemoOptions): ResolvedOptions {
  const nowMs = options.now instanceof Date ? options.now.getTime() : Number.NaN;
  if (!Number.isFinite(nowMs)) throw new RangeError('DemoOptions.now must be a valid Date');
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  if (!Number.isSafeInteger(seed)) throw new RangeError('DemoOptions.seed must be an integer');
  const institutionCount = options.institutionCount ?? DEFAULT_INSTITUTION_COUNT;
  if (!Number.isInteger(institutionCount) || institutionCount < 1 || institutionCount > DEMO_INSTITUTIONS.length) {
    throw new RangeError(`DemoOptions.institutionCount must be a whole number from 1 to ${DEMO_INSTITUTIONS.length}`);
  }
  const instrumentsPerInstitution = options.instrumentsPerInstitution ?? DEFAULT_INSTRUMENTS_PER_INSTITUTION;
  if (!Number.isInteger(instrumentsPerInstitution) || instrumentsPerInstitution < 0 || instrumentsPerInstitution > 99_999) {
    throw new RangeError('DemoOptions.instrumentsPerInstitution must be a whole number from 0 to 99999');
  }
  return { seed, institutionCount, instrumentsPerInstitution, nowMs };
}

/** The institutions of the demo federation for these options (the first `institutionCount`). */
export function demoFederationMembers(options: Pick<DemoOptions, 'institutionCount'>): DemoInstitutionProfile[] {
  const count = options.institutionCount ?? DEFAULT_INSTITUTION_COUNT;
  if (!Number.isInteger(count) || count < 1 || count > DEMO_INSTITUTIONS.length) {
    throw new RangeError(`DemoOptions.institutionCount must be a whole number from 1 to ${DEMO_INSTITUTIONS.length}`);
  }
  return DEMO_INSTITUTIONS.slice(0, count);
}

// ── Public entry points ────────────────────────────────────────────────────────────────────────────

/**
 * Generates the whole demo federation: the first `institutionCount` institutions of
 * `DEMO_INSTITUTIONS`, each with `instrumentsPerInstitution` instruments and a year of past bookings.
 * Deterministic: the same `seed` and `now` always give deep-equal output.
 *
 * @throws RangeError for an invalid `now`, seed or count.
 */
export function generateDemoFederation(options: DemoOptions): DemoInstitutionData[] {
  resolveOptions(options);
  return demoFederationMembers(options).map((inst, index) => generateInstitution(inst, index, options));
}

/**
 * Generates one institution's instruments and bookings. `index` is the institution's position in the
 * federation; together with the seed and code it seeds the institution's own PRNG streams, so one
 * institution can be regenerated alone. `ACADEMIC` requesters come from the other federation members
 * (the first `options.institutionCount` of `DEMO_INSTITUTIONS`, this one excluded).
 */
export function generateInstitution(inst: DemoInstitution, index: number, options: DemoOptions): DemoInstitutionData {
  const opts = resolveOptions(options);
  const peers = demoFederationMembers(options).filter((p) => p.code !== inst.code);
  const rng = new Rng(hashSeed(opts.seed, index, inst.code, 'instruments'));
  const ctx = createContext(inst, rng);
  const instruments: DemoInstrument[] = [];
  const extras: InstrumentExtras[] = [];
  for (let n = 1; n <= opts.instrumentsPerInstitution; n++) {
    const { instrument, extra } = generateInstrument(ctx, rng, n, opts.nowMs);
    instruments.push(instrument);
    extras.push(extra);
  }
  const bookingRng = new Rng(hashSeed(opts.seed, index, inst.code, 'bookings'));
  const bookings = generateBookings(inst, peers, instruments, extras, bookingRng, opts.nowMs);
  return { institution: toDemoInstitution(inst), instruments, bookings };
}

// ── Instruments ────────────────────────────────────────────────────────────────────────────────────

interface Building {
  label: string;
  latitude: number;
  longitude: number;
}

interface InstitutionContext {
  byFamily: Readonly<Record<Family, Building[]>>;
  core: Building;
  institutes: Building[];
  cumulativeHigh: number[];
  cumulativeLow: number[];
  seen: Map<string, number>;
}

/** Per-instrument facts the booking generator needs but the record does not carry. */
interface InstrumentExtras {
  family: Family;
  /** First slot at which the instrument may be booked (after commissioning). */
  availableFromMs: number;
}

function createContext(inst: DemoInstitution, rng: Rng): InstitutionContext {
  const profile = profileOf(inst);
  const place = (label: string, maxKm: number): Building => {
    const km = 0.1 + (maxKm - 0.1) * Math.sqrt(rng.next());
    const [latitude, longitude] = offset(inst.latitude, inst.longitude, km, rng.range(0, 2 * Math.PI));
    return { label, latitude, longitude };
  };
  const built = new Map<string, Building>();
  const byFamily = {} as Record<Family, Building[]>;
  for (const family of FAMILIES) {
    byFamily[family] = FAMILY_BUILDINGS[family].map(([faculty, building]) => {
      const label = `${schoolName(faculty, profile.schoolStyle)} ${building}`;
      let b = built.get(label);
      if (!b) {
        b = place(label, 1.4);
        built.set(label, b);
      }
      return b;
    });
  }
  const core = place(profile.coreFacility, 0.8);
  const institutes = profile.institutes.flatMap((name) => [place(`${name} 本館`, 1.4), place(`${name} 2号館`, 1.4)]);
  // Each institution leans towards some fields: scale family weights by 0.5–1.6.
  const lean = new Map<Family, number>(FAMILIES.map((f) => [f, rng.range(0.5, 1.6)]));
  const cumulativeHigh: number[] = [];
  const cumulativeLow: number[] = [];
  let high = 0;
  let low = 0;
  for (const v of VARIANTS) {
    const w = v.weight * (lean.get(v.template.family) ?? 1);
    high += w * tierShare(v, true);
    low += w * tierShare(v, false);
    cumulativeHigh.push(high);
    cumulativeLow.push(low);
  }
  return { byFamily, core, institutes, cumulativeHigh, cumulativeLow, seen: new Map() };
}

function pickVariant(ctx: InstitutionContext, rng: Rng, high: boolean): Variant {
  const v = VARIANTS[pickCumulative(rng, high ? ctx.cumulativeHigh : ctx.cumulativeLow)];
  if (!v) throw new Error('variant index out of range');
  return v;
}

/** A log-uniform price within the variant's range and the tier, floored to ¥10,000 (high) or ¥1,000 (low). */
function samplePrice(rng: Rng, v: Variant, high: boolean): number {
  const lo = high ? Math.max(v.lo, SHARING_THRESHOLD_YEN) : v.lo;
  const hi = high ? v.hi : Math.min(v.hi, SHARING_THRESHOLD_YEN - 1);
  const step = high ? 10_000 : 1_000;
  const raw = Math.floor(rng.logUniform(lo, hi) / step) * step;
  return Math.min(Math.max(raw, Math.ceil(lo / step) * step), hi);
}

function generateInstrument(
  ctx: InstitutionContext,
  rng: Rng,
  n: number,
  nowMs: number,
): { instrument: DemoInstrument; extra: InstrumentExtras } {
  const high = rng.chance(HIGH_PRICE_SHARE);
  const variant = pickVariant(ctx, rng, high);
  const { template: tpl, model: spec } = variant;
  const sampledPrice = samplePrice(rng, variant, high);
  const acquisitionPrice = rng.chance(NULL_PRICE_SHARE) ? null : sampledPrice;

  // Acquisition date: 2005-01-01 … 31 December of last year (Tokyo calendar).
  const firstDay = Date.UTC(2005, 0, 1) / DAY_MS;
  const lastDay = Date.UTC(tokyoYear(nowMs) - 1, 11, 31) / DAY_MS;
  const acquiredDay = rng.int(firstDay, Math.max(firstDay, lastDay));
  const acquiredOn = rng.chance(NULL_ACQUIRED_ON_SHARE) ? null : new Date(acquiredDay * DAY_MS).toISOString().slice(0, 10);
  const availableFromMs = acquiredDay * DAY_MS - TOKYO_OFFSET_MINUTES * MINUTE_MS + COMMISSIONING_DAYS * DAY_MS;

  // Manufacturer and model: most carry both; a few are custom-built or unrecorded.
  const anonymous = rng.chance(0.04);
  const noModel = !anonymous && rng.chance(0.03);
  const makerName = spec.maker.ja !== null && rng.chance(0.45) ? spec.maker.ja : spec.maker.en;
  const manufacturer = anonymous ? null : makerName;
  const model = anonymous || noModel ? null : spec.model;

  // Names: plain, with `(maker・model)`, model first, or with a unit number for repeats.
  const repeat = (ctx.seen.get(tpl.key) ?? 0) + 1;
  ctx.seen.set(tpl.key, repeat);
  const makerJa = spec.maker.ja ?? spec.maker.en;
  const style = rng.next();
  let name: string;
  let nameEn: string;
  if (model !== null && style < 0.35) {
    name = `${tpl.shortJa} (${makerJa}・${model})`;
    nameEn = `${tpl.nameEn} (${spec.maker.en} ${model})`;
  } else if (model !== null && style < 0.5) {
    name = `${model} ${tpl.shortJa}`;
    nameEn = `${spec.maker.en} ${model} ${tpl.nameEn.charAt(0).toLowerCase()}${tpl.nameEn.slice(1)}`;
  } else {
    name = tpl.nameJa;
    nameEn = tpl.nameEn;
  }
  if (repeat > 1) {
    name += rng.chance(0.5) ? ` ${repeat}号機` : ` No.${repeat}`;
    nameEn += ` #${repeat}`;
  }

  // Location: the core facility, a research institute, or a building of the instrument's field.
  const r = rng.next();
  const building =
    r < 0.25 ? ctx.core : r < 0.35 && ctx.institutes.length > 0 ? rng.pick(ctx.institutes) : rng.pick(ctx.byFamily[tpl.family]);
  const basement = tpl.basement && rng.chance(0.8);
  const room = basement ? `B1${pad(rng.int(1, 30), 2)}` : `${rng.int(1, 6)}${pad(rng.int(1, 30), 2)}`;
  const [latitude, longitude] = offset(building.latitude, building.longitude, rng.range(0, 0.03), rng.range(0, 2 * Math.PI));

  // Policy flags.
  const atThreshold = acquisitionPrice !== null && acquisitionPrice >= SHARING_THRESHOLD_YEN;
  const sharedExternally = rng.chance(atThreshold ? SHARED_IF_HIGH : SHARED_IF_LOW);
  const remoteOperable = rng.chance(tpl.remote ? 0.26 : 0.07);
  const requiresApproval = rng.chance(atThreshold ? 0.38 : 0.26);
  const requiresQualification = rng.chance(atThreshold ? 0.5 : 0.35);

  const fees = generateFees(rng, acquisitionPrice ?? Math.sqrt(variant.lo * variant.hi), sharedExternally);

  // Open hours: mostly the default; long-running kinds often around the clock.
  const h = rng.next();
  const profile: OpenHoursProfile =
    tpl.hours === 'long'
      ? h < 0.65
        ? 'always'
        : h < 0.85
          ? 'extended'
          : 'standard'
      : h < 0.8
        ? 'standard'
        : h < 0.97
          ? 'extended'
          : 'always';
  const maxBookingMinutes = profile === 'always' ? 1440 : profile === 'extended' ? 480 : rng.chance(0.3) ? 240 : 480;
  const openHours = OPEN_HOURS_PROFILES[profile].map((rule: OpenHoursRule) => ({ ...rule }));

  // Description: the template's Japanese text, at most one note that fits this listing, then English.
  const notes: string[] = [];
  if (requiresQualification) notes.push(rng.pick(DESCRIPTION_NOTES.qualification));
  if (fees.some((f) => f.mode === 'DELEGATED')) notes.push(DESCRIPTION_NOTES.delegated[0]);
  if (remoteOperable) notes.push(DESCRIPTION_NOTES.remote[0]);
  if (sharedExternally) notes.push(DESCRIPTION_NOTES.shared[0]);
  if (requiresApproval) notes.push(DESCRIPTION_NOTES.approval[0]);
  const sentences = tpl.descJa.split('。').filter((s) => s.length > 0).length;
  const note = notes.length > 0 && sentences < 3 && rng.chance(0.7) ? rng.pick(notes) : '';
  const description = `${tpl.descJa}${note} ${tpl.descEn}`;

  const instrument: DemoInstrument = {
    localId: `EQ-${pad(n, 5)}`,
    name,
    nameEn,
    category: tpl.category,
    manufacturer,
    model,
    description,
    acquisitionPrice,
    acquiredOn,
    building: `${building.label} ${room}${rng.chance(0.25) ? '号室' : ''}`,
    latitude,
    longitude,
    sharedExternally,
    remoteOperable,
    requiresApproval,
    requiresQualification,
    fees,
    openHours,
    maxBookingMinutes,
  };
  return { instrument, extra: { family: tpl.family, availableFromMs } };
}

/**
 * A fee schedule whose INTERNAL SELF rate scales with the price (about ¥500/h at ¥1M to ¥30,000/h at
 * ¥500M), ACADEMIC 1.5–2× and INDUSTRY 3–5× of it, rounded to ¥10. Shared instruments always offer SELF
 * to all three categories; others offer INTERNAL only.
 */
function generateFees(rng: Rng, price: number, shared: boolean): FeeRate[] {
  const u = rng.next();
  const billingUnitMinutes = u < 0.75 ? 60 : u < 0.9 ? 30 : 15;
  const withMinimum = rng.chance(0.2);
  const scaled = 500 * (price / 1_000_000) ** (Math.log(60) / Math.log(500));
  const base = Math.min(30_000, Math.max(500, round10(scaled * rng.range(0.7, 1.3))));
  const categoryFactor: Record<UserCategory, number> = {
    INTERNAL: 1,
    ACADEMIC: rng.range(1.5, 2),
    INDUSTRY: rng.range(3, 5),
  };
  const modeFactor: Record<OperationMode, number> = {
    SELF: 1,
    ASSISTED: rng.range(1.3, 1.6),
    DELEGATED: rng.range(1.8, 2.5),
  };
  const modes: OperationMode[] = ['SELF'];
  if (rng.chance(shared ? 0.4 : 0.3)) modes.push('ASSISTED');
  if (shared && rng.chance(0.35)) modes.push('DELEGATED');
  const categories: readonly UserCategory[] = shared ? USER_CATEGORY_LIST : ['INTERNAL'];
  const fees: FeeRate[] = [];
  for (const userCategory of categories) {
    for (const mode of modes) {
      const hourlyRate =
        userCategory === 'INTERNAL' && mode === 'SELF' ? base : round10(base * categoryFactor[userCategory] * modeFactor[mode]);
      const minimumCharge = withMinimum ? Math.ceil((hourlyRate * billingUnitMinutes) / 60) : 0;
      fees.push({ userCategory, mode, hourlyRate, billingUnitMinutes, minimumCharge });
    }
  }
  return fees;
}

// ── Bookings ───────────────────────────────────────────────────────────────────────────────────────

interface Requester {
  id: string;
  organization: string;
  institution: string | null;
  category: UserCategory;
  grant: string | null;
  purposes: readonly string[];
}

function grantNumber(rng: Rng, year: number): string | null {
  const r = rng.next();
  const yy = pad((year - rng.int(0, 4)) % 100, 2);
  if (r < 0.55) return `JP${yy}${rng.pick(['H', 'H', 'K', 'K', 'K', 'J'])}${pad(rng.int(100, 25_999), 5)}`;
  if (r < 0.65) return `JPMJ${rng.pick(['CR', 'PR'])}${yy}${rng.pick(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'])}${rng.int(1, 9)}`;
  return null;
}

/**
 * The open intervals (absolute 15-minute slot numbers, `[start, end)` pairs) of weekly rules between two
 * slots. Tokyo day `d` starts at slot `d × 96 − 36`; 1970-01-01 was a Thursday (ISO weekday 4).
 */
function openIntervals(rules: readonly OpenHoursRule[], fromSlot: number, toSlot: number): number[] {
  const byWeekday: OpenHoursRule[][] = [[], [], [], [], [], [], [], []];
  for (const rule of rules) byWeekday[rule.weekday]?.push(rule);
  for (const list of byWeekday) list.sort((a, b) => a.opensAt - b.opensAt);
  const out: number[] = [];
  const firstDay = Math.floor((fromSlot + TOKYO_OFFSET_SLOTS) / SLOTS_PER_DAY);
  const lastDay = Math.floor((toSlot - 1 + TOKYO_OFFSET_SLOTS) / SLOTS_PER_DAY);
  for (let day = firstDay; day <= lastDay; day++) {
    const weekday = ((((day + 3) % 7) + 7) % 7) + 1;
    const midnight = day * SLOTS_PER_DAY - TOKYO_OFFSET_SLOTS;
    for (const rule of byWeekday[weekday] ?? []) {
      const start = Math.max(fromSlot, midnight + Math.ceil(rule.opensAt / SLOT_MINUTES));
      const end = Math.min(toSlot, midnight + Math.floor(rule.closesAt / SLOT_MINUTES));
      if (end - start >= MIN_BOOKING_SLOTS) out.push(start, end);
    }
  }
  return out;
}

function generateBookings(
  inst: DemoInstitution,
  peers: readonly DemoInstitution[],
  instruments: readonly DemoInstrument[],
  extras: readonly InstrumentExtras[],
  rng: Rng,
  nowMs: number,
): DemoBooking[] {
  const windowEnd = Math.floor(nowMs / SLOT_MS);
  const windowStart = Math.ceil((nowMs - WINDOW_DAYS * DAY_MS) / SLOT_MS);
  const year = tokyoYear(nowMs);
  const intervalCache = new Map<string, number[]>();
  const bookings: DemoBooking[] = [];

  const internalUser = (family: Family): Requester => {
    const id = `u-${inst.code}-${pad(rng.int(1, USERS_PER_INSTITUTION), 4)}`;
    return {
      id,
      organization: inst.name,
      institution: inst.code,
      category: 'INTERNAL',
      grant: grantNumber(rng, year),
      purposes: rng.chance(0.8) ? FAMILY_PURPOSES[family] : COMMON_PURPOSES,
    };
  };
  const academicUser = (family: Family): Requester => {
    if (peers.length > 0) {
      const peer = rng.pick(peers);
      return {
        id: `u-${peer.code}-${pad(rng.int(1, USERS_PER_INSTITUTION), 4)}`,
        organization: peer.name,
        institution: peer.code,
        category: 'ACADEMIC',
        grant: grantNumber(rng, year),
        purposes: rng.chance(0.6) ? FAMILY_PURPOSES[family] : COMMON_PURPOSES,
      };
    }
    const org = rng.pick(NON_MEMBER_ACADEMIC);
    return {
      id: `u-${org.slug}-${pad(rng.int(1, 300), 4)}`,
      organization: org.name,
      institution: null,
      category: 'ACADEMIC',
      grant: grantNumber(rng, year),
      purposes: FAMILY_PURPOSES[family],
    };
  };
  const industryUser = (): Requester => {
    const company = rng.pick(DEMO_COMPANIES);
    return {
      id: `u-${company.slug}-${pad(rng.int(1, 200), 4)}`,
      organization: company.name,
      institution: null,
      category: 'INDUSTRY',
      grant: null,
      purposes: INDUSTRY_PURPOSES,
    };
  };

  instruments.forEach((instrument, i) => {
    const extra = extras[i];
    if (!extra) return;
    // Utilisation: some never used, most low, a few busy (up to ~70% of open hours).
    const utilisation = rng.chance(0.1) ? 0 : 0.01 + 0.69 * rng.next() ** 2.5;
    if (utilisation === 0) return;

    const rulesKey = JSON.stringify(instrument.openHours);
    let intervals = intervalCache.get(rulesKey);
    if (!intervals) {
      intervals = openIntervals(instrument.openHours, windowStart, windowEnd);
      intervalCache.set(rulesKey, intervals);
    }

    // Who books it. Some "shared" instruments are never used from outside (as the Board of Audit found).
    const external = instrument.sharedExternally ? (rng.chance(0.2) ? 0 : rng.range(0.05, 0.6)) : 0;
    const academicShare = rng.range(0.5, 0.8);
    const internalPool = Array.from({ length: 2 + Math.floor(utilisation * 30) + rng.int(0, 4) }, () =>
      internalUser(extra.family),
    );
    const academicPool = external > 0 ? Array.from({ length: rng.int(1, 6) }, () => academicUser(extra.family)) : [];
    const industryPool = external > 0 ? Array.from({ length: rng.int(1, 3) }, () => industryUser()) : [];

    // Offered modes per category, with cumulative weights.
    const offered = new Map<UserCategory, { modes: OperationMode[]; cumulative: number[] }>();
    for (const rate of instrument.fees) {
      let entry = offered.get(rate.userCategory);
      if (!entry) {
        entry = { modes: [], cumulative: [] };
        offered.set(rate.userCategory, entry);
      }
      entry.modes.push(rate.mode);
      entry.cumulative.push((entry.cumulative[entry.cumulative.length - 1] ?? 0) + MODE_WEIGHT[rate.mode]);
    }
    const feeMemo = new Map<number, number>();
    const feeFor = (category: UserCategory, mode: OperationMode, minutes: number): number => {
      const key = (USER_CATEGORY_LIST.indexOf(category) * 3 + MODE_LIST.indexOf(mode)) * 10_000 + minutes;
      let fee = feeMemo.get(key);
      if (fee === undefined) {
        fee = quoteFee(instrument.fees, category, mode, minutes).amount;
        feeMemo.set(key, fee);
      }
      return fee;
    };

    // Durations: 30 min … min(max booking, 8 h) on the 15-minute grid, skewed short. A quantile table
    // keeps Math.pow out of the per-booking loop.
    const maxSlots = Math.floor(Math.min(instrument.maxBookingMinutes, MAX_BOOKING_MINUTES_GENERATED) / SLOT_MINUTES);
    const skew = rng.range(1.2, 2.6);
    const durations = new Uint8Array(DURATION_QUANTILES);
    let totalSlots = 0;
    for (let q = 0; q < DURATION_QUANTILES; q++) {
      const slots = MIN_BOOKING_SLOTS + Math.floor((maxSlots - MIN_BOOKING_SLOTS + 1) * ((q + 0.5) / DURATION_QUANTILES) ** skew);
      durations[q] = slots;
      totalSlots += slots;
    }
    const meanGap = ((totalSlots / DURATION_QUANTILES) * (1 - utilisation)) / utilisation;

    // Walk the open intervals: an idle gap (carried across closed time), then a booking that fits.
    const firstAllowed = Math.ceil(extra.availableFromMs / SLOT_MS);
    let k = 0;
    while (k < intervals.length && (intervals[k + 1] ?? 0) <= firstAllowed) k += 2;
    if (k >= intervals.length) return;
    let cursor = Math.max(intervals[k] ?? 0, firstAllowed);
    let end = intervals[k + 1] ?? 0;
    for (;;) {
      let gap = Math.round(rng.exponential(meanGap));
      while (cursor + gap > end) {
        gap -= end - cursor;
        k += 2;
        if (k >= intervals.length) break;
        cursor = intervals[k] ?? 0;
        end = intervals[k + 1] ?? 0;
      }
      if (k >= intervals.length) break;
      cursor += gap;
      let slots = durations[Math.floor(rng.next() * DURATION_QUANTILES)] ?? MIN_BOOKING_SLOTS;
      const room = end - cursor;
      if (slots > room) {
        if (room >= MIN_BOOKING_SLOTS && rng.chance(0.5)) {
          slots = room;
        } else {
          k += 2;
          if (k >= intervals.length) break;
          cursor = intervals[k] ?? 0;
          end = intervals[k + 1] ?? 0;
          continue;
        }
      }
      const startSlot = cursor;
      cursor += slots;

      let pool = internalPool;
      if (rng.next() < external) pool = rng.next() < academicShare && academicPool.length > 0 ? academicPool : industryPool;
      if (pool.length === 0) pool = internalPool;
      // A few regulars book most of the time.
      const r = rng.next();
      const user = pool[Math.floor(pool.length * r * r)];
      if (!user) continue;
      const modes = offered.get(user.category);
      if (!modes) continue;
      const mode = modes.modes[pickCumulative(rng, modes.cumulative)] ?? 'SELF';
      const minutes = slots * SLOT_MINUTES;
      const fee = feeFor(user.category, mode, minutes);
      const s = rng.next();
      const status: DemoBooking['status'] = s < 0.88 ? 'COMPLETED' : s < 0.97 ? 'CANCELLED' : 'NO_SHOW';
      const cancellationFee = status === 'CANCELLED' ? (rng.chance(0.55) ? 0 : Math.ceil(fee / 2)) : null;
      const startMs = startSlot * SLOT_MS;
      const l = rng.next();
      const leadMinutes = (2 + Math.floor(33 * l * Math.sqrt(l))) * 1440 + rng.int(0, 40) * SLOT_MINUTES;
      bookings.push({
        instrumentLocalId: instrument.localId,
        requesterId: user.id,
        requesterOrganization: user.organization,
        requesterInstitution: user.institution,
        userCategory: user.category,
        mode,
        start: new Date(startMs),
        end: new Date(startMs + minutes * MINUTE_MS),
        status,
        fee,
        cancellationFee,
        fundingSource: user.grant !== null && rng.chance(0.85) ? user.grant : null,
        purpose: rng.pick(user.purposes),
        createdAt: new Date(startMs - leadMinutes * MINUTE_MS),
      });
    }
  });
  return bookings;
}
