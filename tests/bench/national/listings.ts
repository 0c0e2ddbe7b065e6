/**
 * The benchmark's listings: the real national file, each listing given what the file lacks and the
 * benchmark needs (a location near its prefecture's capital, a price, a fee schedule), and the universities packed
 * into a chosen number of member institutions.
 */
import type { FeeRate, GeoPoint } from '@kyoyo/domain';
import { searchColumnsOf, toListing } from '@kyoyo/equipment-service';
import { readJpEquipmentFile, universityOf } from '@kyoyo/listings';

/** Prefectural capitals (rounded), where a listing of the prefecture is placed (the file has addresses, not coordinates). */
const PREFECTURE_CAPITALS: Record<string, [number, number]> = {
  北海道: [43.06, 141.35],
  青森県: [40.82, 140.74],
  岩手県: [39.7, 141.15],
  宮城県: [38.27, 140.87],
  秋田県: [39.72, 140.1],
  山形県: [38.24, 140.36],
  福島県: [37.75, 140.47],
  茨城県: [36.34, 140.45],
  栃木県: [36.57, 139.88],
  群馬県: [36.39, 139.06],
  埼玉県: [35.86, 139.65],
  千葉県: [35.61, 140.12],
  東京都: [35.69, 139.69],
  神奈川県: [35.45, 139.64],
  新潟県: [37.9, 139.02],
  富山県: [36.7, 137.21],
  石川県: [36.59, 136.63],
  福井県: [36.07, 136.22],
  山梨県: [35.66, 138.57],
  長野県: [36.65, 138.18],
  岐阜県: [35.39, 136.72],
  静岡県: [34.98, 138.38],
  愛知県: [35.18, 136.91],
  三重県: [34.73, 136.51],
  滋賀県: [35.0, 135.87],
  京都府: [35.02, 135.76],
  大阪府: [34.69, 135.52],
  兵庫県: [34.69, 135.18],
  奈良県: [34.69, 135.83],
  和歌山県: [34.23, 135.17],
  鳥取県: [35.5, 134.24],
  島根県: [35.47, 133.05],
  岡山県: [34.66, 133.93],
  広島県: [34.4, 132.46],
  山口県: [34.19, 131.47],
  徳島県: [34.07, 134.56],
  香川県: [34.34, 134.04],
  愛媛県: [33.84, 132.77],
  高知県: [33.56, 133.53],
  福岡県: [33.61, 130.42],
  佐賀県: [33.25, 130.3],
  長崎県: [32.74, 129.87],
  熊本県: [32.79, 130.74],
  大分県: [33.24, 131.61],
  宮崎県: [31.91, 131.42],
  鹿児島県: [31.56, 130.56],
  沖縄県: [26.21, 127.68],
};
/** Where a listing without a prefecture is placed (the geographic centre of Honshu). */
const UNKNOWN_PLACE: [number, number] = [36.2, 138.25];

/** A small deterministic hash of a string (FNV-1a), for spreading listings without randomness. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A fee schedule in the range Japanese core facilities charge: ¥1,000–¥10,000 an hour inside, ×1.5 and ×3 outside. */
function feesOf(localId: string): FeeRate[] {
  const internal = 1000 * (1 + (hash(localId) % 10));
  const rate = (userCategory: FeeRate['userCategory'], hourlyRate: number): FeeRate => ({
    userCategory,
    mode: 'SELF',
    hourlyRate,
    billingUnitMinutes: 30,
    minimumCharge: 0,
  });
  return [rate('INTERNAL', internal), rate('ACADEMIC', internal * 1.5), rate('INDUSTRY', internal * 3)];
}

/** An acquisition price, log-uniform from ¥0.5M to ¥100M (the file has none): about 43% at or above ¥10M. */
function priceOf(localId: string): number {
  return Math.round((500_000 * 200 ** ((hash(`${localId}:price`) % 1000) / 1000)) / 1000) * 1000;
}

function placeOf(localId: string, prefecture: string | null): GeoPoint {
  const [lat, lon] = (prefecture && PREFECTURE_CAPITALS[prefecture]) || UNKNOWN_PLACE;
  const h = hash(localId);
  return { latitude: lat + ((h % 1000) / 1000 - 0.5) * 0.2, longitude: lon + (((h >>> 10) % 1000) / 1000 - 0.5) * 0.2 };
}

export interface BenchListing {
  entry: { listing: ReturnType<typeof toListing>; search: ReturnType<typeof searchColumnsOf> };
  university: string;
  prefecture: string | null;
}

/** The national file as listings (repeated `equipment_id`s and unreadable rows left out, as the importer does). */
export async function readNationalListings(path: string): Promise<{ listings: BenchListing[]; refused: number }> {
  const file = await readJpEquipmentFile(path);
  const listings = file.listings.map((row): BenchListing => {
    const listing = toListing({
      ...row.input,
      location: placeOf(row.input.localId, row.prefecture),
      acquisitionPrice: row.input.acquisitionPrice ?? priceOf(row.input.localId),
      fees: feesOf(row.input.localId),
    });
    return {
      entry: { listing, search: searchColumnsOf(listing) },
      university: universityOf(row.orgName),
      prefecture: row.prefecture,
    };
  });
  return { listings, refused: file.errors.length };
}

/** A member institution of a benchmark federation: the universities it lists for. */
export interface BenchMember {
  code: string;
  name: string;
  prefecture: string;
  location: GeoPoint;
  universities: string[];
  listings: number;
}

/**
 * Packs the universities into `count` members of nearly equal size (largest university first, into the
 * smallest member so far), so every federation size holds the same national catalogue. A member's
 * prefecture and location are those of its largest university.
 */
export function packIntoMembers(listings: readonly BenchListing[], count: number): BenchMember[] {
  const byUniversity = new Map<string, BenchListing[]>();
  for (const l of listings) byUniversity.set(l.university, [...(byUniversity.get(l.university) ?? []), l]);
  const universities = [...byUniversity].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  if (universities.length < count) throw new Error(`only ${universities.length} universities for ${count} members`);
  const members = Array.from({ length: count }, (_, i) => ({ index: i, universities: [] as string[], listings: 0 }));
  for (const [university, rows] of universities) {
    const smallest = members.reduce((a, b) => (b.listings < a.listings ? b : a));
    smallest.universities.push(university);
    smallest.listings += rows.length;
  }
  return members.map((m) => {
    const first = byUniversity.get(m.universities[0]!)!;
    const prefecture = first.find((l) => l.prefecture)?.prefecture ?? '東京都';
    const [latitude, longitude] = PREFECTURE_CAPITALS[prefecture] ?? UNKNOWN_PLACE;
    return {
      code: `m${String(m.index + 1).padStart(2, '0')}-of-${count}`,
      name: m.universities.length === 1 ? m.universities[0]! : `${m.universities[0]}ほか${m.universities.length - 1}校`,
      prefecture,
      location: { latitude, longitude },
      universities: m.universities,
      listings: m.listings,
    };
  });
}
