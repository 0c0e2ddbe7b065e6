import { describe, expect, it } from 'vitest';
import { formatKyoyoCsv, parseKyoyoCsv, type KyoyoCsvRow } from './kyoyo-csv';

const FULL: KyoyoCsvRow = {
  localId: 'NMR-01',
  name: '核磁気共鳴装置 "Avance"',
  nameEn: 'NMR, 600 MHz',
  category: 'NMR',
  manufacturer: 'Bruker',
  model: 'AVANCE NEO 600',
  description: 'line one\nline two',
  acquisitionPrice: 120_000_000,
  acquiredOn: '2021-03-31',
  building: '=理学部 B棟',
  latitude: 38.2554,
  longitude: 140.8351,
  sharedExternally: true,
  remoteOperable: false,
  requiresApproval: true,
  requiresQualification: false,
  feeInternal: 2000,
  feeAcademic: 4000,
  feeIndustry: null,
};

describe('parseKyoyoCsv', () => {
  it('reads back what formatKyoyoCsv writes, unchanged', () => {
    const empty: KyoyoCsvRow = { ...FULL, localId: 'X-2', nameEn: null, description: null, latitude: null, longitude: null };
    const parsed = parseKyoyoCsv(formatKyoyoCsv([FULL, empty]));
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.map((r) => r.values)).toEqual([FULL, empty]);
    expect(parsed.rows.map((r) => [r.row, r.line])).toEqual([
      [1, 2],
      [2, 4],
    ]);
  });

  it('leaves columns the header does not name undefined, reads empty cells as null, in any column order', () => {
    const parsed = parseKyoyoCsv('category,local_id,name,fee_academic,shared_externally\nX線,a1,回折装置,,可\n');
    expect(parsed.rows[0]?.values).toEqual({
      category: 'X線',
      localId: 'a1',
      name: '回折装置',
      feeAcademic: null,
      sharedExternally: true,
    });
  });

  it('accepts the contract’s boolean words and grouped yen', () => {
    const parsed = parseKyoyoCsv(
      'local_id,name,category,remote_operable,requires_approval,requires_qualification,shared_externally,acquisition_price\n' +
        'a,b,c,YES,0,不可,ｔｒｕｅ,"12,000,000"\n',
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows[0]?.values).toMatchObject({
      remoteOperable: true,
      requiresApproval: false,
      requiresQualification: false,
      sharedExternally: true,
      acquisitionPrice: 12_000_000,
    });
  });

  it('reports every bad cell with its row and column, and keeps the good rows', () => {
    const parsed = parseKyoyoCsv(
      [
        'local_id,name,category,acquisition_price,acquired_on,latitude,shared_externally',
        'ok-1,a,c,100,2020-01-01,35.1,true',
        'bad-1,a,c,12.5,2020-02-30,north,maybe',
        'bad-2,a,c',
        'ok-2,a,c,,,,',
      ].join('\n'),
    );
    expect(parsed.rows.map((r) => r.values.localId)).toEqual(['ok-1', 'ok-2']);
    expect(parsed.errors.map((e) => [e.row, e.column])).toEqual([
      [2, 'acquisition_price'],
      [2, 'acquired_on'],
      [2, 'latitude'],
      [2, 'shared_externally'],
      [3, null],
    ]);
    expect(parsed.errors[4]?.message).toMatch(/has 3 fields; the header has 7/);
    expect(parsed.rowCount).toBe(4);
  });

  it('refuses unknown, repeated and missing columns in the header and reads no row', () => {
    const parsed = parseKyoyoCsv('local_id,name,colour,name\n1,a,red,b\n');
    expect(parsed.rows).toEqual([]);
    expect(parsed.errors.map((e) => [e.row, e.column])).toEqual([
      [0, 'colour'],
      [0, 'name'],
      [0, 'category'],
    ]);
  });

  it('reports a file that is not CSV at the record where it stops being so', () => {
    const parsed = parseKyoyoCsv('local_id,name,category\na,b,c\nd,"e,f\n');
    expect(parsed.errors).toEqual([
      { row: 2, line: 3, column: null, message: expect.stringMatching(/^not CSV: .*never closed/) },
    ]);
    expect(parseKyoyoCsv('').errors[0]?.message).toBe('the file is empty');
    expect(parseKyoyoCsv('local_id,name,category\r\n').errors[0]?.message).toBe('the file has a header and no rows');
  });
});
