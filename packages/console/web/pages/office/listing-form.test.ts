import { describe, expect, it } from 'vitest';
import { blankForm, feeRow, formOf, inputOf, type ListingForm } from './listing-form';
import type { Listing } from './types';

const LISTING: Listing = {
  id: 'x',
  localId: 'EQ-1',
  name: '核磁気共鳴装置',
  nameEn: 'NMR',
  category: 'NMR',
  manufacturer: null,
  model: null,
  description: null,
  acquisitionPrice: 120000000,
  acquiredOn: '2021-04-01',
  building: 'B101',
  location: { latitude: 38.25, longitude: 140.84 },
  sharedExternally: true,
  remoteOperable: false,
  requiresApproval: true,
  requiresQualification: true,
  maxBookingMinutes: 240,
  cancellationFreeHours: 24,
  cancellationFeePercent: 100,
  decommissionedAt: null,
  fees: [{ userCategory: 'ACADEMIC', mode: 'ASSISTED', hourlyRate: 5000, billingUnitMinutes: 30, minimumCharge: 1000 }],
};

const problemsOf = (form: ListingForm) => {
  const read = inputOf(form, 'tohoku-u');
  return 'problems' in read ? Object.fromEntries(Object.entries(read.problems).map(([field, p]) => [field, p.key])) : {};
};

describe('the listing form', () => {
  it('gives back the listing it was filled from, as an input for its institution', () => {
    const read = inputOf(formOf(LISTING), 'tohoku-u');
    const { id: _id, localId: _localId, decommissionedAt: _at, ...fields } = LISTING;
    expect(read).toEqual({ input: { institution: 'tohoku-u', localId: 'EQ-1', ...fields, manufacturer: null, model: null } });
  });

  it('reads full-width digits and thousands separators, and clears empty optional fields', () => {
    const read = inputOf(
      { ...formOf(LISTING), acquisitionPrice: '１２,０００,０００', nameEn: '  ', latitude: '', longitude: '' },
      'tohoku-u',
    );
    expect('input' in read && read.input).toMatchObject({ acquisitionPrice: 12_000_000, nameEn: null, location: null });
  });

  it('names each problem by the input path the server would name', () => {
    const form: ListingForm = {
      ...blankForm(),
      localId: 'EQ-9',
      category: 'NMR',
      acquisitionPrice: '12万',
      latitude: '38.2',
      maxBookingMinutes: '5',
      fees: [feeRow({ hourlyRate: 100 }), feeRow({ hourlyRate: undefined })],
    };
    expect(problemsOf(form)).toEqual({
      'input.name': 'office.form.required',
      'input.acquisitionPrice': 'office.form.wholeYen',
      'input.location.longitude': 'office.form.bothCoordinates',
      'input.maxBookingMinutes': 'office.form.wholeNumber',
      'input.fees[1]': 'office.form.duplicateRate',
      'input.fees[1].hourlyRate': 'office.form.required',
    });
  });
});
