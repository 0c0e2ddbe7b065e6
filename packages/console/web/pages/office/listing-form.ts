/**
 * The listing edit form's model: its state (text as typed), filled from a listing or blank, and turned into an
 * `InstrumentInput` with the obvious checks done here first. Problems are keyed by the input path the server
 * names in `extensions.field` (`input.name`, `input.fees[0].hourlyRate`), so both land at the same field.
 */
import type { MessageKey } from '../../i18n';
import type { FeeRate, Listing, OperationMode, UserCategory } from './types';

export interface FeeRow {
  /** Stable key of the row while it is edited. */
  key: number;
  userCategory: UserCategory;
  mode: OperationMode;
  hourlyRate: string;
  billingUnitMinutes: string;
  minimumCharge: string;
}

export interface ListingForm {
  localId: string;
  name: string;
  nameEn: string;
  category: string;
  manufacturer: string;
  model: string;
  description: string;
  acquisitionPrice: string;
  acquiredOn: string;
  building: string;
  latitude: string;
  longitude: string;
  sharedExternally: boolean;
  remoteOperable: boolean;
  requiresApproval: boolean;
  requiresQualification: boolean;
  maxBookingMinutes: string;
  cancellationFreeHours: string;
  cancellationFeePercent: string;
  fees: FeeRow[];
}

/** What `upsertInstrument` takes. */
export interface InstrumentInput {
  institution: string;
  localId: string;
  name: string;
  nameEn: string | null;
  category: string;
  manufacturer: string | null;
  model: string | null;
  description: string | null;
  acquisitionPrice: number | null;
  acquiredOn: string | null;
  building: string | null;
  location: { latitude: number; longitude: number } | null;
  sharedExternally: boolean;
  remoteOperable: boolean;
  requiresApproval: boolean;
  requiresQualification: boolean;
  maxBookingMinutes: number;
  cancellationFreeHours: number;
  cancellationFeePercent: number;
  fees: FeeRate[];
}

/** A problem found before sending: a message key and its values. */
export interface FormProblem {
  key: MessageKey;
  values?: Record<string, string | number>;
}

export type FormProblems = Record<string, FormProblem>;

let nextKey = 1;

export function feeRow(rate: Partial<FeeRate> = {}): FeeRow {
  return {
    key: nextKey++,
    userCategory: rate.userCategory ?? 'INTERNAL',
    mode: rate.mode ?? 'SELF',
    hourlyRate: rate.hourlyRate === undefined ? '' : String(rate.hourlyRate),
    billingUnitMinutes: String(rate.billingUnitMinutes ?? 60),
    minimumCharge: String(rate.minimumCharge ?? 0),
  };
}

/** A new listing: the service's defaults, and an internal self-use rate to fill in. */
export function blankForm(): ListingForm {
  return {
    localId: '',
    name: '',
    nameEn: '',
    category: '',
    manufacturer: '',
    model: '',
    description: '',
    acquisitionPrice: '',
    acquiredOn: '',
    building: '',
    latitude: '',
    longitude: '',
    sharedExternally: false,
    remoteOperable: false,
    requiresApproval: false,
    requiresQualification: false,
    maxBookingMinutes: '480',
    cancellationFreeHours: '48',
    cancellationFeePercent: '50',
    fees: [feeRow()],
  };
}

const text = (value: string | number | null | undefined) => (value === null || value === undefined ? '' : String(value));

/** The form filled from a stored listing (to edit it). */
export function formOf(listing: Listing): ListingForm {
  return {
    localId: listing.localId,
    name: listing.name,
    nameEn: text(listing.nameEn),
    category: listing.category,
    manufacturer: text(listing.manufacturer),
    model: text(listing.model),
    description: text(listing.description),
    acquisitionPrice: text(listing.acquisitionPrice),
    acquiredOn: text(listing.acquiredOn),
    building: text(listing.building),
    latitude: text(listing.location?.latitude),
    longitude: text(listing.location?.longitude),
    sharedExternally: listing.sharedExternally,
    remoteOperable: listing.remoteOperable,
    requiresApproval: listing.requiresApproval,
    requiresQualification: listing.requiresQualification,
    maxBookingMinutes: String(listing.maxBookingMinutes),
    cancellationFreeHours: String(listing.cancellationFreeHours),
    cancellationFeePercent: String(listing.cancellationFeePercent),
    fees: listing.fees.map((rate) => feeRow(rate)),
  };
}

/** Reads what was typed: full-width digits and thousands separators are fine (`１２,０００`). */
const folded = (value: string) => value.normalize('NFKC').trim();

/** Collects problems while reading the form's fields. */
class Reader {
  readonly problems: FormProblems = {};

  problem(field: string, key: MessageKey, values?: Record<string, string | number>): void {
    this.problems[field] ??= { key, values };
  }

  required(value: string, field: string): string {
    const trimmed = value.trim();
    if (!trimmed) this.problem(field, 'office.form.required');
    return trimmed;
  }

  optional(value: string): string | null {
    return value.trim() || null;
  }

  /** Whole non-negative yen, or null when empty. */
  yen(value: string, field: string): number | null {
    const digits = folded(value).replace(/,/g, '');
    if (!digits) return null;
    const amount = Number(digits);
    if (!/^\d+$/.test(digits) || !Number.isSafeInteger(amount)) {
      this.problem(field, 'office.form.wholeYen');
      return null;
    }
    return amount;
  }

  whole(value: string, field: string, min: number, max: number): number {
    const digits = folded(value);
    const number = Number(digits);
    if (!/^\d+$/.test(digits) || number < min || number > max) this.problem(field, 'office.form.wholeNumber', { min, max });
    return number;
  }

  degrees(value: string, field: string, limit: number): number | null {
    const digits = folded(value);
    if (!digits) return null;
    const degrees = Number(digits);
    if (!Number.isFinite(degrees) || Math.abs(degrees) > limit) this.problem(field, 'office.form.degrees', { limit });
    return degrees;
  }
}

function readFees(reader: Reader, rows: FeeRow[]): FeeRate[] {
  const seen = new Set<string>();
  return rows.map((row, i) => {
    const at = `input.fees[${i}]`;
    const combination = `${row.userCategory}/${row.mode}`;
    if (seen.has(combination)) reader.problem(at, 'office.form.duplicateRate');
    seen.add(combination);
    const hourlyRate = reader.yen(row.hourlyRate, `${at}.hourlyRate`);
    if (hourlyRate === null) reader.problem(`${at}.hourlyRate`, 'office.form.required');
    return {
      userCategory: row.userCategory,
      mode: row.mode,
      hourlyRate: hourlyRate ?? 0,
      billingUnitMinutes: reader.whole(row.billingUnitMinutes, `${at}.billingUnitMinutes`, 1, 1440),
      minimumCharge: reader.yen(row.minimumCharge, `${at}.minimumCharge`) ?? 0,
    };
  });
}

/** The input to send, or the problems to fix first. */
export function inputOf(form: ListingForm, institution: string): { input: InstrumentInput } | { problems: FormProblems } {
  const reader = new Reader();
  const latitude = reader.degrees(form.latitude, 'input.location.latitude', 90);
  const longitude = reader.degrees(form.longitude, 'input.location.longitude', 180);
  if ((latitude === null) !== (longitude === null))
    reader.problem(latitude === null ? 'input.location.latitude' : 'input.location.longitude', 'office.form.bothCoordinates');
  const input: InstrumentInput = {
    institution,
    localId: reader.required(form.localId, 'input.localId'),
    name: reader.required(form.name, 'input.name'),
    nameEn: reader.optional(form.nameEn),
    category: reader.required(form.category, 'input.category'),
    manufacturer: reader.optional(form.manufacturer),
    model: reader.optional(form.model),
    description: reader.optional(form.description),
    acquisitionPrice: reader.yen(form.acquisitionPrice, 'input.acquisitionPrice'),
    acquiredOn: form.acquiredOn || null,
    building: reader.optional(form.building),
    location: latitude !== null && longitude !== null ? { latitude, longitude } : null,
    sharedExternally: form.sharedExternally,
    remoteOperable: form.remoteOperable,
    requiresApproval: form.requiresApproval,
    requiresQualification: form.requiresQualification,
    maxBookingMinutes: reader.whole(form.maxBookingMinutes, 'input.maxBookingMinutes', 15, 10080),
    cancellationFreeHours: reader.whole(form.cancellationFreeHours, 'input.cancellationFreeHours', 0, 720),
    cancellationFeePercent: reader.whole(form.cancellationFeePercent, 'input.cancellationFeePercent', 0, 100),
    fees: readFees(reader, form.fees),
  };
  return Object.keys(reader.problems).length ? { problems: reader.problems } : { input };
}
