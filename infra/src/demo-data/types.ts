import type { FeeRate, OperationMode, UserCategory } from '@kyoyo/domain';

/** A member institution of the demo federation. */
export interface DemoInstitution {
  /** Institution code: lower-case ASCII letters, digits and hyphens, e.g. `tohoku-u`. */
  code: string;
  /** Japanese name, e.g. `東北大学`. */
  name: string;
  /** English name, e.g. `Tohoku University`. */
  nameEn: string;
  /** Prefecture of the main campus, e.g. `宮城県`. */
  prefecture: string;
  /** Latitude of the main campus (WGS 84, degrees). */
  latitude: number;
  /** Longitude of the main campus (WGS 84, degrees). */
  longitude: number;
}

/** One generated instrument listing, ready to insert into an institution's database. */
export interface DemoInstrument {
  /** Unique within the institution, e.g. `EQ-00001`. */
  localId: string;
  name: string;
  nameEn: string;
  /** A sub-category name of the national equipment network (`category_small_name`). */
  category: string;
  manufacturer: string | null;
  model: string | null;
  /** One to three sentences in Japanese followed by one in English. */
  description: string;
  /** Whole yen, or `null` when unknown. */
  acquisitionPrice: number | null;
  /** `YYYY-MM-DD`, or `null` when unknown. */
  acquiredOn: string | null;
  /** Graduate school or centre, building and room, e.g. `理学研究科 化学棟 B102`. */
  building: string;
  latitude: number;
  longitude: number;
  sharedExternally: boolean;
  remoteOperable: boolean;
  requiresApproval: boolean;
  requiresQualification: boolean;
  /** The fee schedule; a missing `(userCategory, mode)` is not offered. */
  fees: FeeRate[];
  /** Weekly open hours: ISO weekday (1 = Monday) and minutes since midnight Asia/Tokyo. */
  openHours: { weekday: number; opensAt: number; closesAt: number }[];
  maxBookingMinutes: number;
}

/** One past booking of a generated instrument (all lie in the 12 months before `now`). */
export interface DemoBooking {
  /** The `localId` of the booked instrument in the same institution. */
  instrumentLocalId: string;
  /** Identity-token subject of the requester, e.g. `u-tohoku-u-0042`. */
  requesterId: string;
  /** The requester's organisation name (the token's `org`). */
  requesterOrganization: string;
  /** The requester's home institution code when it is a federation member, else `null`. */
  requesterInstitution: string | null;
  userCategory: UserCategory;
  mode: OperationMode;
  start: Date;
  end: Date;
  status: 'COMPLETED' | 'CANCELLED' | 'NO_SHOW';
  /** The fee snapshot: `quoteFee(instrument.fees, userCategory, mode, minutes).amount`. */
  fee: number;
  /** For `CANCELLED` bookings 0 or `ceil(fee / 2)`; `null` otherwise. */
  cancellationFee: number | null;
  /** A grant number the fee is charged to (e.g. KAKENHI `JP23H01234`), or `null`. */
  fundingSource: string | null;
  purpose: string;
  /** When the booking was made: days to weeks before `start`. */
  createdAt: Date;
}

/** Everything generated for one institution. */
export interface DemoInstitutionData {
  institution: DemoInstitution;
  instruments: DemoInstrument[];
  bookings: DemoBooking[];
}

/** Options of the demo-data generator. */
export interface DemoOptions {
  /** PRNG seed; the same seed and `now` always give the same data. Default `DEFAULT_DEMO_SEED`. */
  seed?: number;
  /** How many institutions, taken in order from `DEMO_INSTITUTIONS`; default 6, at most all of them. */
  institutionCount?: number;
  /** Instruments per institution; default 220. */
  instrumentsPerInstitution?: number;
  /** Bookings are generated for the 12 months before this instant and all end by it. */
  now: Date;
}
