import { describe, expect, it } from 'vitest';
import { CatalogueChecksum, catalogueFigures, type ChecksumBusyPeriod, type ChecksumListing } from './catalogue-checksum';

const asOf = new Date('2030-06-01T00:00:00Z');
const at = (iso: string) => new Date(iso);

function listing(id: number, changes: Partial<ChecksumListing> = {}): ChecksumListing {
  return {
    id,
    localId: `L-${id}`,
    name: `透過電子顕微鏡 ${id}`,
    nameEn: 'TEM',
    category: '電子顕微鏡',
    manufacturer: 'JEOL',
    model: 'JEM-2100',
    description: null,
    acquisitionPrice: 120_000_000,
    acquiredOn: '2020-04-01',
    building: '理学部1号館',
    location: { latitude: 38.2547, longitude: 140.8367 },
    sharedExternally: true,
    remoteOperable: false,
    requiresApproval: true,
    requiresQualification: false,
    maxBookingMinutes: 480,
    cancellationFreeHours: 24,
    cancellationFeePercent: 50,
    fees: [
      { userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 5000, billingUnitMinutes: 30, minimumCharge: 0 },
      { userCategory: 'INDUSTRY', mode: 'SELF', hourlyRate: 20000, billingUnitMinutes: 60, minimumCharge: 10000 },
    ],
    openHours: [
      { weekday: 1, opensAt: 540, closesAt: 1020 },
      { weekday: 2, opensAt: 540, closesAt: 1020 },
    ],
    closures: [{ id: 7, start: at('2030-07-01T00:00:00Z'), end: at('2030-07-02T00:00:00Z') }],
    ...changes,
  };
}

const busy = (id: number, changes: Partial<ChecksumBusyPeriod> = {}): ChecksumBusyPeriod => ({
  id,
  instrumentId: 1,
  start: at('2030-06-10T01:00:00Z'),
  end: at('2030-06-10T03:00:00Z'),
  held: true,
  external: false,
  ...changes,
});

describe('the catalogue checksum both an owner and the gateway compute', () => {
  it('is the same whatever order listings, busy periods, fees, hours and closures come in', () => {
    const closures = [
      { id: 7, start: at('2030-07-01T00:00:00Z'), end: at('2030-07-02T00:00:00Z') },
      { id: 9, start: at('2030-08-01T00:00:00Z'), end: at('2030-08-02T00:00:00Z') },
    ];
    const a = listing(1, { closures });
    const b = listing(2);
    const reordered = {
      ...a,
      fees: [...a.fees].reverse(),
      openHours: [...a.openHours].reverse(),
      closures: [...closures].reverse(),
    };
    const one = catalogueFigures([a, b], [busy(1), busy(2)], asOf);
    const other = new CatalogueChecksum(asOf);
    // Page by page, in another order, as a reader of another database may go.
    other.addBusyPeriod(busy(2));
    other.addListing(b);
    other.addBusyPeriod(busy(1));
    other.addListing(reordered);
    expect(other.figures()).toEqual(one);
    expect(one).toMatchObject({ listings: 2, busyPeriods: 2 });
    expect(one.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with any nation-visible field of a listing, its fees, hours or closures', () => {
    const base = catalogueFigures([listing(1)], [], asOf).checksum;
    const variants: Partial<ChecksumListing>[] = [
      { name: '透過電子顕微鏡 1 改' },
      { nameEn: null },
      { category: '分光' },
      { description: '' },
      { acquisitionPrice: 120_000_001 },
      { acquiredOn: null },
      { location: { latitude: 38.2547, longitude: 140.8368 } },
      { location: null },
      { sharedExternally: false },
      { requiresApproval: false },
      { maxBookingMinutes: 240 },
      { cancellationFeePercent: 0 },
      { fees: [listing(1).fees[0]!] },
      { fees: listing(1).fees.map((f) => ({ ...f, hourlyRate: f.hourlyRate + 1 })) },
      { openHours: [{ weekday: 1, opensAt: 540, closesAt: 1080 }] },
      { closures: [] },
      { closures: [{ id: 7, start: at('2030-07-01T00:00:00Z'), end: at('2030-07-03T00:00:00Z') }] },
    ];
    const checksums = variants.map((v) => catalogueFigures([listing(1, v)], [], asOf).checksum);
    for (const checksum of checksums) expect(checksum).not.toBe(base);
    expect(new Set(checksums).size).toBe(variants.length);
  });

  it('changes when a listing is missing, added or has another id, even with the count unchanged', () => {
    const base = catalogueFigures([listing(1), listing(2)], [], asOf);
    expect(catalogueFigures([listing(1)], [], asOf).checksum).not.toBe(base.checksum);
    expect(catalogueFigures([listing(1), listing(2), listing(3)], [], asOf).checksum).not.toBe(base.checksum);
    const swapped = catalogueFigures([listing(1), { ...listing(2), id: 3 }], [], asOf);
    expect(swapped.listings).toBe(base.listings);
    expect(swapped.checksum).not.toBe(base.checksum);
  });

  it('changes with a busy period’s times, instrument or use, and counts only those not ended', () => {
    const base = catalogueFigures([], [busy(1)], asOf).checksum;
    for (const changes of [
      { start: at('2030-06-10T01:30:00Z') },
      { end: at('2030-06-10T04:00:00Z') },
      { instrumentId: 2 },
      { held: false },
      { external: true },
    ]) {
      expect(catalogueFigures([], [busy(1, changes)], asOf).checksum).not.toBe(base);
    }
    const ended = busy(2, { start: at('2030-05-01T00:00:00Z'), end: asOf });
    expect(catalogueFigures([], [busy(1), ended], asOf)).toEqual(catalogueFigures([], [busy(1)], asOf));
    expect(catalogueFigures([], [busy(1), ended], asOf).busyPeriods).toBe(1);
  });

  it('leaves out closures that ended by the summary’s time, which the catalogue may still hold', () => {
    const past = { id: 3, start: at('2030-05-01T00:00:00Z'), end: at('2030-05-31T23:59:59.999Z') };
    const withPast = listing(1, { closures: [...listing(1).closures, past] });
    expect(catalogueFigures([withPast], [], asOf)).toEqual(catalogueFigures([listing(1)], [], asOf));
    const later = new Date('2030-07-02T00:00:00Z');
    expect(catalogueFigures([listing(1)], [], later).checksum).not.toBe(catalogueFigures([listing(1)], [], asOf).checksum);
  });

  it('of nothing listed is a fixed value', () => {
    expect(catalogueFigures([], [], asOf)).toEqual(catalogueFigures([], [], new Date()));
    expect(catalogueFigures([], [], asOf)).toMatchObject({ listings: 0, busyPeriods: 0 });
  });
});
