import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  checkBatchSize,
  decideVerdict,
  REACH_KM,
  usageReasons,
  validateProposal,
  type CandidateUse,
} from './duplicate-checks';

const idle: CandidateUse = {
  score: 0.95,
  sameInstitution: false,
  sharedExternally: true,
  remoteOperable: false,
  distanceKm: 40,
  spareHoursPerYear: 1500,
  utilization: 0.2,
};

describe('decideVerdict', () => {
  it('checks a purchase at the threshold and lets one yen less pass as BELOW_THRESHOLD', () => {
    expect(decideVerdict(9_999_999, [idle], null)).toBe('BELOW_THRESHOLD');
    expect(decideVerdict(10_000_000, [idle], null)).toBe('LIKELY_DUPLICATE');
  });

  it('calls an equivalent that is usable, in reach and idle enough a likely duplicate', () => {
    expect(decideVerdict(50_000_000, [idle], 1000)).toBe('LIKELY_DUPLICATE');
    expect(decideVerdict(50_000_000, [{ ...idle, sharedExternally: false, sameInstitution: true, distanceKm: null }], null)).toBe(
      'LIKELY_DUPLICATE',
    );
    expect(decideVerdict(50_000_000, [{ ...idle, distanceKm: 800, remoteOperable: true }], null)).toBe('LIKELY_DUPLICATE');
  });

  it('falls back to SIMILAR_AVAILABLE when the equivalent is far, busy, or only similar', () => {
    expect(decideVerdict(50_000_000, [{ ...idle, distanceKm: REACH_KM + 1 }], null)).toBe('SIMILAR_AVAILABLE');
    expect(decideVerdict(50_000_000, [{ ...idle, distanceKm: null }], null)).toBe('SIMILAR_AVAILABLE');
    expect(decideVerdict(50_000_000, [idle], 2000)).toBe('SIMILAR_AVAILABLE');
    expect(decideVerdict(50_000_000, [{ ...idle, score: 0.5 }], null)).toBe('SIMILAR_AVAILABLE');
  });

  it('finds NO_EQUIVALENT when nothing is usable: not shared, fully booked, or too unlike', () => {
    expect(decideVerdict(50_000_000, [], null)).toBe('NO_EQUIVALENT');
    expect(decideVerdict(50_000_000, [{ ...idle, sharedExternally: false }], null)).toBe('NO_EQUIVALENT');
    expect(decideVerdict(50_000_000, [{ ...idle, spareHoursPerYear: 0 }], null)).toBe('NO_EQUIVALENT');
    expect(decideVerdict(50_000_000, [{ ...idle, score: 0.3 }], null)).toBe('NO_EQUIVALENT');
  });
});

describe('usageReasons', () => {
  it('says who may use it, how far it is and how busy', () => {
    expect(usageReasons({ ...idle, distanceKm: 1234.4, utilization: 0.9, spareHoursPerYear: 120 }, 500)).toEqual([
      'open to outside users',
      'out of reach (1,234 km away)',
      'used 90% of open hours in the last 12 months, 120 h spare a year',
      'not enough spare time for 500 h a year',
    ]);
  });
});

describe('validateProposal', () => {
  const valid = { title: ' 透過電子顕微鏡 ', estimatedPrice: 120_000_000, institution: 'kyoto-u', keywords: ['cryo', 'cryo'] };

  it('trims texts and drops repeated keywords', () => {
    expect(validateProposal(valid)).toMatchObject({ title: '透過電子顕微鏡', keywords: ['cryo'], model: null });
  });

  it.each([
    [{ title: '   ' }, 'input.title'],
    [{ estimatedPrice: -1 }, 'input.estimatedPrice'],
    [{ estimatedPrice: 1.5 }, 'input.estimatedPrice'],
    [{ institution: 'Not A Code' }, 'input.institution'],
    [{ expectedHoursPerYear: 9000 }, 'input.expectedHoursPerYear'],
    [{ keywords: ['ok', ''] }, 'input.keywords[1]'],
    [{ model: 'x'.repeat(201) }, 'input.model'],
    [{ grantId: 'JP\u000012' }, 'input.grantId'],
    [{ title: 'a\u0007b' }, 'input.title'],
  ])('refuses %j on %s', (change, field) => {
    expect(() => validateProposal({ ...valid, ...change })).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field }));
  });

  it('limits a batch to 1,000 proposals', () => {
    expect(() => checkBatchSize(1000)).not.toThrow();
    expect(() => checkBatchSize(1001)).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
    expect(() => checkBatchSize(0)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined, x: null }], c: new Date('2026-04-01T00:00:00Z') } })).toBe(
      '{"a":{"c":"2026-04-01T00:00:00.000Z","d":[2,{"x":null,"z":1}]},"b":1}',
    );
  });
});

describe('proposal texts pasted with line breaks', () => {
  it('turns tabs and line breaks into spaces', () => {
    const proposal = validateProposal({ title: '単結晶X線\n回折装置\t(Rigaku)', estimatedPrice: 1, institution: 'kyoto-u' });
    expect(proposal.title).toBe('単結晶X線 回折装置 (Rigaku)');
  });
});
