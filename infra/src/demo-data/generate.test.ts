import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isWithinOpenHours, quoteFee, SHARING_THRESHOLD_YEN, validateFeeSchedule, validateOpenHours } from '@kyoyo/domain';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CATEGORY_NAMES, INSTRUMENT_TEMPLATES } from './catalogue';
import {
  DEFAULT_DEMO_SEED,
  MAX_ACQUISITION_PRICE,
  MIN_ACQUISITION_PRICE,
  generateDemoFederation,
  generateInstitution,
} from './generate';
import { DEMO_COMPANIES, DEMO_INSTITUTIONS } from './institutions';
import type { DemoBooking, DemoInstitutionData, DemoInstrument } from './types';

const NOW = new Date('2026-04-01T03:00:00.000Z');
const MINUTE = 60_000;
const DAY = 86_400_000;

let federation: DemoInstitutionData[];

beforeAll(() => {
  federation = generateDemoFederation({ now: NOW });
});

const allInstruments = (): DemoInstrument[] => federation.flatMap((d) => d.instruments);
const allBookings = (): DemoBooking[] => federation.flatMap((d) => d.bookings);
const share = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

/**
 * The first few items that break a rule, described by `check` (which answers a message, or null when the
 * item is fine). Checking ~250,000 bookings with one `expect` each would take minutes.
 */
function violations<T>(items: Iterable<T>, check: (item: T) => string | null, limit = 5): string[] {
  const found: string[] = [];
  for (const item of items) {
    const problem = check(item);
    if (problem !== null) {
      found.push(problem);
      if (found.length >= limit) break;
    }
  }
  return found;
}

/** Minutes since Tokyo midnight, the Tokyo day number and its ISO weekday, for an instant. */
function tokyo(date: Date): { day: number; minute: number; weekday: number } {
  const minutes = date.getTime() / MINUTE + 540;
  const day = Math.floor(minutes / 1440);
  return { day, minute: minutes - day * 1440, weekday: ((day + 3) % 7) + 1 };
}

function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(a));
}

/** Splits one CSV line, honouring double-quoted fields. */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line.charAt(i);
    if (quoted) {
      if (ch === '"' && line.charAt(i + 1) === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

describe('generateDemoFederation', () => {
  it('produces deep-equal output for the same seed and now', () => {
    const options = { now: NOW, seed: 7, institutionCount: 3, instrumentsPerInstitution: 40 };
    expect(generateDemoFederation(options)).toEqual(generateDemoFederation({ ...options }));
  });

  it('produces different output for a different seed', () => {
    const a = generateDemoFederation({ now: NOW, seed: 7, institutionCount: 2, instrumentsPerInstitution: 40 });
    const b = generateDemoFederation({ now: NOW, seed: 8, institutionCount: 2, instrumentsPerInstitution: 40 });
    expect(a.map((d) => d.instruments)).not.toEqual(b.map((d) => d.instruments));
    expect(a.map((d) => d.bookings)).not.toEqual(b.map((d) => d.bookings));
  });

  it('regenerates one institution alone exactly as it appears in the federation', () => {
    const index = 2;
    const inst = DEMO_INSTITUTIONS[index];
    if (!inst) throw new Error('missing institution');
    expect(generateInstitution(inst, index, { now: NOW, seed: DEFAULT_DEMO_SEED })).toEqual(federation[index]);
  });

  it('refuses invalid options', () => {
    expect(() => generateDemoFederation({ now: new Date(Number.NaN) })).toThrow(RangeError);
    expect(() => generateDemoFederation({ now: NOW, institutionCount: 0 })).toThrow(RangeError);
    expect(() => generateDemoFederation({ now: NOW, institutionCount: DEMO_INSTITUTIONS.length + 1 })).toThrow(RangeError);
    expect(() => generateDemoFederation({ now: NOW, instrumentsPerInstitution: -1 })).toThrow(RangeError);
  });

  it('builds six institutions by default and every available one on request', () => {
    expect(federation.map((d) => d.institution.code)).toEqual(DEMO_INSTITUTIONS.slice(0, 6).map((i) => i.code));
    const all = generateDemoFederation({ now: NOW, institutionCount: DEMO_INSTITUTIONS.length, instrumentsPerInstitution: 1 });
    expect(all).toHaveLength(DEMO_INSTITUTIONS.length);
    expect(Object.keys(federation[0]?.institution ?? {}).sort()).toEqual(
      ['code', 'latitude', 'longitude', 'name', 'nameEn', 'prefecture'].sort(),
    );
  });
});

describe('demo institutions', () => {
  it('lists at least eight real universities, each in a different prefecture', () => {
    expect(DEMO_INSTITUTIONS.length).toBeGreaterThanOrEqual(8);
    const prefectures = DEMO_INSTITUTIONS.map((i) => i.prefecture);
    expect(new Set(prefectures).size).toBe(prefectures.length);
    expect(new Set(federation.map((d) => d.institution.prefecture)).size).toBe(federation.length);
  });

  it('uses well-formed unique codes and coordinates inside Japan', () => {
    const codes = DEMO_INSTITUTIONS.map((i) => i.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const inst of DEMO_INSTITUTIONS) {
      expect(inst.code).toMatch(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])$/);
      expect(inst.latitude).toBeGreaterThan(24);
      expect(inst.latitude).toBeLessThan(46);
      expect(inst.longitude).toBeGreaterThan(122);
      expect(inst.longitude).toBeLessThan(146);
    }
  });
});

describe('demo instruments', () => {
  it('gives every institution at least 200 instruments with unique local ids', () => {
    for (const { instruments } of federation) {
      expect(instruments.length).toBeGreaterThanOrEqual(200);
      const ids = instruments.map((i) => i.localId);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^EQ-\d{5}$/);
    }
  });

  it('keeps prices between ¥1M and ¥500M with 30–50% at or above ¥10M and a few unknown', () => {
    const instruments = allInstruments();
    const priced = instruments.flatMap((i) => (i.acquisitionPrice === null ? [] : [i.acquisitionPrice]));
    for (const price of priced) {
      expect(Number.isSafeInteger(price)).toBe(true);
      expect(price).toBeGreaterThanOrEqual(MIN_ACQUISITION_PRICE);
      expect(price).toBeLessThanOrEqual(MAX_ACQUISITION_PRICE);
    }
    const high = share(priced.filter((p) => p >= SHARING_THRESHOLD_YEN).length, instruments.length);
    expect(high).toBeGreaterThanOrEqual(0.3);
    expect(high).toBeLessThanOrEqual(0.5);
    const unknown = share(instruments.length - priced.length, instruments.length);
    expect(unknown).toBeGreaterThan(0.01);
    expect(unknown).toBeLessThan(0.06);
    for (const { instruments: own } of federation) {
      const ownHigh = share(own.filter((i) => (i.acquisitionPrice ?? 0) >= SHARING_THRESHOLD_YEN).length, own.length);
      expect(ownHigh).toBeGreaterThanOrEqual(0.3);
      expect(ownHigh).toBeLessThanOrEqual(0.5);
    }
  });

  it('spreads prices over orders of magnitude rather than bunching them', () => {
    const priced = allInstruments().flatMap((i) => (i.acquisitionPrice === null ? [] : [i.acquisitionPrice]));
    expect(priced.filter((p) => p < 3_000_000).length).toBeGreaterThan(20);
    expect(priced.filter((p) => p >= 100_000_000).length).toBeGreaterThan(20);
  });

  it('shares 20–40% of instruments at or above the threshold, and fewer of the rest', () => {
    const instruments = allInstruments();
    const high = instruments.filter((i) => (i.acquisitionPrice ?? 0) >= SHARING_THRESHOLD_YEN);
    const rest = instruments.filter((i) => (i.acquisitionPrice ?? 0) < SHARING_THRESHOLD_YEN);
    const rate = share(high.filter((i) => i.sharedExternally).length, high.length);
    expect(rate).toBeGreaterThanOrEqual(0.2);
    expect(rate).toBeLessThanOrEqual(0.4);
    const restRate = share(rest.filter((i) => i.sharedExternally).length, rest.length);
    expect(restRate).toBeGreaterThan(0.15);
    expect(restRate).toBeLessThan(rate);
  });

  it('sets remote operation, approval and qualification at their intended rates', () => {
    const instruments = allInstruments();
    const rate = (flag: (i: DemoInstrument) => boolean) => share(instruments.filter(flag).length, instruments.length);
    expect(rate((i) => i.remoteOperable)).toBeGreaterThan(0.06);
    expect(rate((i) => i.remoteOperable)).toBeLessThan(0.14);
    expect(rate((i) => i.requiresApproval)).toBeGreaterThan(0.24);
    expect(rate((i) => i.requiresApproval)).toBeLessThan(0.36);
    expect(rate((i) => i.requiresQualification)).toBeGreaterThan(0.34);
    expect(rate((i) => i.requiresQualification)).toBeLessThan(0.46);
  });

  it('uses only category names copied from the national category list', () => {
    const allowed = new Set<string>(DEMO_CATEGORY_NAMES);
    for (const instrument of allInstruments()) expect(allowed.has(instrument.category)).toBe(true);
    for (const template of INSTRUMENT_TEMPLATES) expect(allowed.has(template.category)).toBe(true);
  });

  const categoriesCsv = fileURLToPath(new URL('../../../../shared/data/jp-equipment-categories.csv', import.meta.url));
  const haveCsv = existsSync(categoriesCsv);
  it.skipIf(!haveCsv)(
    `copied every category name verbatim from jp-equipment-categories.csv${haveCsv ? '' : ' (skipped: ../shared/data is absent)'}`,
    () => {
      const [header, ...rows] = readFileSync(categoriesCsv, 'utf8')
        .split(/\r?\n/)
        .filter((l) => l.length > 0);
      const column = csvFields(header ?? '').indexOf('category_small_name');
      expect(column).toBeGreaterThanOrEqual(0);
      const names = new Set(rows.map((row) => csvFields(row)[column]));
      for (const name of DEMO_CATEGORY_NAMES) expect(names.has(name)).toBe(true);
    },
  );

  it('draws templates with real models, sane price ranges and unique keys', () => {
    const keys = INSTRUMENT_TEMPLATES.map((t) => t.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(INSTRUMENT_TEMPLATES.length).toBeGreaterThanOrEqual(40);
    for (const template of INSTRUMENT_TEMPLATES) {
      expect(template.models.length).toBeGreaterThan(0);
      for (const [lo, hi] of [template.price, ...template.models.flatMap((m) => (m.price ? [m.price] : []))]) {
        expect(lo).toBeGreaterThanOrEqual(MIN_ACQUISITION_PRICE);
        expect(hi).toBeLessThanOrEqual(MAX_ACQUISITION_PRICE);
        expect(lo).toBeLessThanOrEqual(hi);
      }
    }
  });

  it('varies names, including some that carry the maker and model', () => {
    for (const { instruments } of federation) {
      expect(new Set(instruments.map((i) => i.name)).size).toBeGreaterThan(instruments.length * 0.6);
      expect(instruments.some((i) => i.model !== null && i.name.includes(`・${i.model})`))).toBe(true);
      expect(instruments.some((i) => i.manufacturer === null && i.model === null)).toBe(true);
    }
  });

  it('describes every instrument in one to three Japanese sentences and one English sentence', () => {
    for (const instrument of allInstruments()) {
      const [japanese, ...english] = instrument.description.split('。 ');
      expect(english).toHaveLength(1);
      const sentences = `${japanese}。`.split('。').filter((s) => s.length > 0);
      expect(sentences.length).toBeGreaterThanOrEqual(1);
      expect(sentences.length).toBeLessThanOrEqual(3);
      expect(english[0]).toMatch(/^[A-Z0-9].*\.$/);
    }
  });

  it('places instruments within 2 km of their institution and acquired between 2005 and last year', () => {
    for (const { institution, instruments } of federation) {
      for (const i of instruments) {
        expect(distanceKm(institution.latitude, institution.longitude, i.latitude, i.longitude)).toBeLessThan(2);
        expect(i.building.length).toBeGreaterThan(3);
        if (i.acquiredOn !== null) {
          expect(i.acquiredOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          expect(i.acquiredOn >= '2005-01-01').toBe(true);
          expect(i.acquiredOn <= '2025-12-31').toBe(true);
        }
      }
    }
  });

  it('offers SELF to all three categories on shared instruments and only INTERNAL on the rest', () => {
    for (const i of allInstruments()) {
      expect(() => validateFeeSchedule(i.fees)).not.toThrow();
      const selfCategories = i.fees.filter((f) => f.mode === 'SELF').map((f) => f.userCategory);
      if (i.sharedExternally) {
        expect(selfCategories.sort()).toEqual(['ACADEMIC', 'INDUSTRY', 'INTERNAL']);
      } else {
        expect(new Set(i.fees.map((f) => f.userCategory))).toEqual(new Set(['INTERNAL']));
        expect(i.fees.some((f) => f.mode === 'DELEGATED')).toBe(false);
      }
    }
  });

  it('scales rates with price: INTERNAL ¥500–30,000/h, ACADEMIC 1.5–2× and INDUSTRY 3–5×, in ¥10 steps', () => {
    const cheap: number[] = [];
    const dear: number[] = [];
    for (const i of allInstruments()) {
      const rate = (category: string, mode = 'SELF') =>
        i.fees.find((f) => f.userCategory === category && f.mode === mode)?.hourlyRate;
      const internal = rate('INTERNAL');
      if (internal === undefined) throw new Error(`${i.localId} has no INTERNAL SELF rate`);
      expect(internal).toBeGreaterThanOrEqual(500);
      expect(internal).toBeLessThanOrEqual(30_000);
      for (const f of i.fees) {
        expect(f.hourlyRate % 10).toBe(0);
        expect([15, 30, 60]).toContain(f.billingUnitMinutes);
        expect([0, Math.ceil((f.hourlyRate * f.billingUnitMinutes) / 60)]).toContain(f.minimumCharge);
      }
      const academic = rate('ACADEMIC');
      const industry = rate('INDUSTRY');
      if (academic !== undefined) {
        expect(academic).toBeGreaterThanOrEqual(1.5 * internal - 5);
        expect(academic).toBeLessThanOrEqual(2 * internal + 5);
      }
      if (industry !== undefined) {
        expect(industry).toBeGreaterThanOrEqual(3 * internal - 5);
        expect(industry).toBeLessThanOrEqual(5 * internal + 5);
      }
      if ((i.acquisitionPrice ?? 0) >= 100_000_000) dear.push(internal);
      if (i.acquisitionPrice !== null && i.acquisitionPrice < 3_000_000) cheap.push(internal);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(dear)).toBeGreaterThan(4 * mean(cheap));
  });

  it('gives valid open hours with a matching longest booking', () => {
    for (const i of allInstruments()) {
      expect(() => validateOpenHours(i.openHours)).not.toThrow();
      const sevenDays = new Set(i.openHours.map((r) => r.weekday)).size === 7;
      expect(sevenDays ? [1440] : [240, 480]).toContain(i.maxBookingMinutes);
    }
    const instruments = allInstruments();
    const standard = instruments.filter((i) => i.openHours.every((r) => r.opensAt === 540 && r.closesAt === 1080));
    const allDay = instruments.filter((i) => i.openHours.length === 7);
    expect(share(standard.length, instruments.length)).toBeGreaterThan(0.6);
    expect(share(allDay.length, instruments.length)).toBeGreaterThan(0.01);
    expect(share(allDay.length, instruments.length)).toBeLessThan(0.15);
  });
});

describe('demo bookings', () => {
  it('never overlaps two bookings of one instrument', () => {
    for (const { bookings } of federation) {
      const byInstrument = new Map<string, DemoBooking[]>();
      for (const b of bookings) {
        const list = byInstrument.get(b.instrumentLocalId) ?? [];
        list.push(b);
        byInstrument.set(b.instrumentLocalId, list);
      }
      const overlaps = violations(byInstrument.values(), (list) => {
        const sorted = [...list].sort((a, b) => a.start.getTime() - b.start.getTime());
        for (let k = 1; k < sorted.length; k++) {
          const previous = sorted[k - 1];
          const current = sorted[k];
          if (previous && current && current.start.getTime() < previous.end.getTime()) {
            return `${current.instrumentLocalId}: ${current.start.toISOString()} starts before ${previous.end.toISOString()}`;
          }
        }
        return null;
      });
      expect(overlaps).toEqual([]);
    }
  });

  it('places every booking inside open hours on one Tokyo day, in the year before now', () => {
    const windowStart = NOW.getTime() - 365 * DAY;
    for (const { instruments, bookings } of federation) {
      const byId = new Map(instruments.map((i) => [i.localId, i]));
      const problems = violations(bookings.entries(), ([k, b]) => {
        const instrument = byId.get(b.instrumentLocalId);
        if (!instrument) return `booking of unknown instrument ${b.instrumentLocalId}`;
        const at = `${b.instrumentLocalId} ${b.start.toISOString()}–${b.end.toISOString()}`;
        const minutes = (b.end.getTime() - b.start.getTime()) / MINUTE;
        if (minutes % 15 !== 0 || minutes < 30 || minutes > Math.min(instrument.maxBookingMinutes, 480)) {
          return `${at}: lasts ${minutes} min`;
        }
        const { weekday, minute } = tokyo(b.start);
        const inside = instrument.openHours.some(
          (r) => r.weekday === weekday && r.opensAt <= minute && minute + minutes <= r.closesAt,
        );
        if (!inside) return `${at}: outside open hours on one Tokyo day`;
        if (k % 25 === 0 && !isWithinOpenHours(instrument.openHours, b)) return `${at}: not open by the domain's rule`;
        if (b.start.getTime() < windowStart || b.end.getTime() > NOW.getTime()) return `${at}: outside the past year`;
        if (instrument.acquiredOn !== null && b.start.toISOString().slice(0, 10) <= instrument.acquiredOn) {
          return `${at}: before acquisition on ${instrument.acquiredOn}`;
        }
        return null;
      });
      expect(problems).toEqual([]);
    }
  });

  it('charges exactly what quoteFee gives, for combinations the instrument offers', () => {
    for (const { instruments, bookings } of federation) {
      const byId = new Map(instruments.map((i) => [i.localId, i]));
      const problems = violations(bookings, (b) => {
        const instrument = byId.get(b.instrumentLocalId);
        if (!instrument) return `booking of unknown instrument ${b.instrumentLocalId}`;
        if (!instrument.sharedExternally && b.userCategory !== 'INTERNAL') {
          return `${b.instrumentLocalId} is not shared but was booked by ${b.userCategory}`;
        }
        const minutes = (b.end.getTime() - b.start.getTime()) / MINUTE;
        const expected = quoteFee(instrument.fees, b.userCategory, b.mode, minutes).amount;
        return b.fee === expected ? null : `${b.instrumentLocalId} ${b.start.toISOString()}: fee ${b.fee}, quote ${expected}`;
      });
      expect(problems).toEqual([]);
    }
  });

  it('mixes statuses about 88/9/3 with cancellation fees of nothing or half the fee', () => {
    const bookings = allBookings();
    const count = (status: DemoBooking['status']) => share(bookings.filter((b) => b.status === status).length, bookings.length);
    expect(count('COMPLETED')).toBeGreaterThan(0.85);
    expect(count('COMPLETED')).toBeLessThan(0.91);
    expect(count('CANCELLED')).toBeGreaterThan(0.07);
    expect(count('CANCELLED')).toBeLessThan(0.11);
    expect(count('NO_SHOW')).toBeGreaterThan(0.02);
    expect(count('NO_SHOW')).toBeLessThan(0.04);
    const wrongFees = violations(bookings, (b) => {
      const ok =
        b.status === 'CANCELLED'
          ? b.cancellationFee === 0 || b.cancellationFee === Math.ceil(b.fee / 2)
          : b.cancellationFee === null;
      return ok ? null : `${b.status} booking with fee ${b.fee} has cancellation fee ${b.cancellationFee}`;
    });
    expect(wrongFees).toEqual([]);
    const cancelled = bookings.filter((b) => b.status === 'CANCELLED');
    expect(cancelled.some((b) => b.cancellationFee === 0)).toBe(true);
    expect(cancelled.some((b) => (b.cancellationFee ?? 0) > 0)).toBe(true);
  });

  it('names requesters consistently with their category', () => {
    const companies = new Set(DEMO_COMPANIES.map((c) => c.name));
    const members = new Map(federation.map((d) => [d.institution.code, d.institution.name]));
    const counts = { INTERNAL: 0, ACADEMIC: 0, INDUSTRY: 0 };
    for (const { institution, bookings } of federation) {
      const problems = violations(bookings, (b) => {
        counts[b.userCategory]++;
        const who = `${b.userCategory} ${b.requesterId} (${b.requesterOrganization}, ${b.requesterInstitution})`;
        if (!/^u-[a-z0-9-]+-\d{4}$/.test(b.requesterId)) return `${who}: malformed id`;
        switch (b.userCategory) {
          case 'INTERNAL':
            return b.requesterInstitution === institution.code &&
              b.requesterOrganization === institution.name &&
              b.requesterId.startsWith(`u-${institution.code}-`)
              ? null
              : `${who}: not a member of ${institution.code}`;
          case 'ACADEMIC':
            return b.requesterInstitution !== institution.code &&
              members.get(b.requesterInstitution ?? '') === b.requesterOrganization &&
              b.requesterId.startsWith(`u-${b.requesterInstitution}-`)
              ? null
              : `${who}: not from another federation member`;
          case 'INDUSTRY':
            return b.requesterInstitution === null && companies.has(b.requesterOrganization)
              ? null
              : `${who}: not a known company`;
        }
      });
      expect(problems).toEqual([]);
    }
    const total = counts.INTERNAL + counts.ACADEMIC + counts.INDUSTRY;
    expect(share(counts.INTERNAL, total)).toBeGreaterThan(0.5);
    expect(counts.ACADEMIC).toBeGreaterThan(0);
    expect(counts.INDUSTRY).toBeGreaterThan(0);
  });

  it('records funding sources as grant numbers or null, and creation days to weeks before the start', () => {
    const bookings = allBookings();
    const grant = /^JP\d{2}[HKJ]\d{5}$|^JPMJ(?:CR|PR)\d{2}[A-H]\d$/;
    const problems = violations(bookings, (b) => {
      if (b.fundingSource !== null && !grant.test(b.fundingSource)) return `funding source ${b.fundingSource}`;
      const lead = b.start.getTime() - b.createdAt.getTime();
      if (lead < DAY || lead > 40 * DAY) return `created ${lead / DAY} days before the start`;
      return b.purpose.length > 0 ? null : 'no purpose';
    });
    expect(problems).toEqual([]);
    const funded = share(bookings.filter((b) => b.fundingSource !== null).length, bookings.length);
    expect(funded).toBeGreaterThan(0.3);
    expect(funded).toBeLessThan(0.8);
  });

  it('keeps utilisation between none and about 70%, mostly low with a few busy instruments', () => {
    const utilisation: number[] = [];
    for (const { instruments, bookings } of federation) {
      const booked = new Map<string, number>();
      for (const b of bookings) {
        booked.set(b.instrumentLocalId, (booked.get(b.instrumentLocalId) ?? 0) + (b.end.getTime() - b.start.getTime()) / MINUTE);
      }
      for (const i of instruments) {
        const openPerYear = (i.openHours.reduce((sum, r) => sum + r.closesAt - r.opensAt, 0) * 365) / 7;
        utilisation.push((booked.get(i.localId) ?? 0) / openPerYear);
      }
    }
    utilisation.sort((a, b) => a - b);
    const at = (q: number) => utilisation[Math.floor(q * (utilisation.length - 1))] ?? 0;
    expect(at(1)).toBeLessThanOrEqual(0.72);
    expect(at(0.05)).toBe(0);
    expect(at(0.5)).toBeLessThan(0.15);
    expect(at(0.95)).toBeGreaterThan(0.3);
  });
});
