import { describe, expect, it } from 'vitest';
import { batchTemplate, proposalsFromCsv } from './proposal-rows';
import { parseWholeNumber } from './proposal';

const rules = { institutions: new Set(['tohoku-u', 'kyoto-u']) };
const HEADER =
  'title,category,manufacturer,model,estimated_price,institution,funding_program,grant_id,expected_hours_per_year,keywords';

describe('parseWholeNumber', () => {
  it('reads whole numbers as people write them', () => {
    expect(parseWholeNumber('30000000')).toBe(30_000_000);
    expect(parseWholeNumber(' 30,000,000 ')).toBe(30_000_000);
    expect(parseWholeNumber('￥３０，０００，０００')).toBe(30_000_000);
    expect(parseWholeNumber('1500万')).toBeNull();
    expect(parseWholeNumber('-5')).toBeNull();
    expect(parseWholeNumber('1.5')).toBeNull();
    expect(parseWholeNumber('3,00')).toBeNull();
    expect(parseWholeNumber('')).toBeNull();
  });
});

describe('proposalsFromCsv', () => {
  it('reads every row into a proposal, keywords split at semicolons', () => {
    const batch = proposalsFromCsv(
      `${HEADER}\r\n"NMR, 600MHz",NMR,JEOL,JNM-ECZ600R,"85,000,000",tohoku-u,KAKENHI,25H00001,800,NMR; 構造解析 ;\r\nSEM,,,,48000000,kyoto-u,,,,\r\n`,
      rules,
    );
    expect(batch.problems).toEqual([]);
    expect(batch.proposals).toEqual([
      {
        title: 'NMR, 600MHz',
        category: 'NMR',
        manufacturer: 'JEOL',
        model: 'JNM-ECZ600R',
        estimatedPrice: 85_000_000,
        institution: 'tohoku-u',
        fundingProgram: 'KAKENHI',
        grantId: '25H00001',
        expectedHoursPerYear: 800,
        keywords: ['NMR', '構造解析'],
      },
      {
        title: 'SEM',
        category: null,
        manufacturer: null,
        model: null,
        estimatedPrice: 48_000_000,
        institution: 'kyoto-u',
        fundingProgram: null,
        grantId: null,
        expectedHoursPerYear: null,
        keywords: [],
      },
    ]);
    expect(batch.lines).toEqual([2, 3]);
  });

  it('takes the columns in any order and leaves optional ones out', () => {
    const batch = proposalsFromCsv('Institution,Estimated_Price,Title\nkyoto-u,10000000,XRD\n', rules);
    expect(batch.problems).toEqual([]);
    expect(batch.proposals[0]).toMatchObject({ title: 'XRD', estimatedPrice: 10_000_000, institution: 'kyoto-u' });
  });

  it('reports every bad row with its number and column, and gives no proposals', () => {
    const batch = proposalsFromCsv(
      `${HEADER}\nok,,,,30000000,tohoku-u,,,,\n,,,,-1,osaka-u,,,99999,\n\n"multi\nline",,,,1.5,tohoku-u,,,,\n`,
      rules,
    );
    expect(batch.proposals).toEqual([]);
    expect(batch.problems.map((p) => [p.row, p.line, p.column, p.key])).toEqual([
      [2, 3, 'title', 'funder.problem.titleRequired'],
      [2, 3, 'estimated_price', 'funder.problem.priceWhole'],
      [2, 3, 'institution', 'funder.problem.institutionUnknown'],
      [2, 3, 'expected_hours_per_year', 'funder.problem.hours'],
      [3, 5, 'estimated_price', 'funder.problem.priceWhole'],
    ]);
  });

  it("holds a facility office to its own institution's proposals", () => {
    const batch = proposalsFromCsv('title,estimated_price,institution\nXRD,20000000,kyoto-u\n', {
      ...rules,
      onlyInstitution: 'tohoku-u',
    });
    expect(batch.problems[0]).toMatchObject({ row: 1, column: 'institution', key: 'funder.problem.institutionNotOwn' });
  });

  it('refuses unknown, repeated and missing columns before reading rows', () => {
    const batch = proposalsFromCsv('title,title,price\nx,y,1\n', rules);
    expect(batch.problems.map((p) => p.key)).toEqual([
      'funder.csv.repeatedColumn',
      'funder.csv.unknownColumn',
      'funder.csv.missingColumn',
      'funder.csv.missingColumn',
    ]);
  });

  it('refuses rows with more fields than the header', () => {
    const batch = proposalsFromCsv('title,estimated_price,institution\nx,1,kyoto-u,extra\n', rules);
    expect(batch.problems[0]).toMatchObject({ row: 1, key: 'funder.csv.extraFields' });
  });

  it('refuses an empty file, a header alone, broken quoting and more than 1,000 rows', () => {
    expect(proposalsFromCsv('', rules).problems[0]!.key).toBe('funder.csv.empty');
    expect(proposalsFromCsv(`${HEADER}\n`, rules).problems[0]!.key).toBe('funder.csv.noRows');
    expect(proposalsFromCsv(`${HEADER}\n"open,`, rules).problems[0]).toMatchObject({ key: 'funder.csv.unclosedQuote', line: 2 });
    const many = `title,estimated_price,institution\n${'x,1,kyoto-u\n'.repeat(1001)}`;
    expect(proposalsFromCsv(many, rules).problems[0]).toMatchObject({ key: 'funder.csv.tooMany', values: { count: 1001 } });
  });

  it('offers a template that reads back without problems', () => {
    const batch = proposalsFromCsv(batchTemplate('kyoto-u'), rules);
    expect(batch.problems).toEqual([]);
    expect(batch.proposals).toHaveLength(2);
  });
});
