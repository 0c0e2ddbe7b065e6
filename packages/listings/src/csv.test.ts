import { describe, expect, it } from 'vitest';
import { csvField, CsvSyntaxError, parseCsv, unprotectFormula } from './csv';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, numbering records and their lines', () => {
    const records = parseCsv('\uFEFFa,b,c\r\n1,"x, ""y""",3\n"multi\r\nline\nfield",,\n4,5,6');
    expect(records).toEqual([
      { index: 0, line: 1, fields: ['a', 'b', 'c'] },
      { index: 1, line: 2, fields: ['1', 'x, "y"', '3'] },
      { index: 2, line: 3, fields: ['multi\r\nline\nfield', '', ''] },
      { index: 3, line: 6, fields: ['4', '5', '6'] },
    ]);
  });

  it('skips blank lines without numbering them, and reads a lone CR as a line end', () => {
    expect(parseCsv('a\n\n\r\nb\rc\n')).toEqual([
      { index: 0, line: 1, fields: ['a'] },
      { index: 1, line: 4, fields: ['b'] },
      { index: 2, line: 5, fields: ['c'] },
    ]);
  });

  it('keeps a record of empty fields (commas only) and an empty quoted field', () => {
    expect(parseCsv(',\n""\n')).toEqual([
      { index: 0, line: 1, fields: ['', ''] },
      { index: 1, line: 2, fields: [''] },
    ]);
  });

  it.each([
    ['a,b\n"open,1\n2,3\n', /never closed/, 1, 2],
    ['a,b\n1,2\n"x"y,3\n', /text after a closing quote/, 2, 3],
    ['a,b\n1,x"y\n', /quote inside an unquoted field/, 1, 2],
  ])('refuses %j, naming the record and line', (text, message, index, line) => {
    let caught: unknown;
    try {
      parseCsv(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CsvSyntaxError);
    expect((caught as CsvSyntaxError).message).toMatch(message);
    expect((caught as CsvSyntaxError).index).toBe(index);
    expect((caught as CsvSyntaxError).line).toBe(line);
  });
});

describe('csvField and unprotectFormula', () => {
  it.each(['plain', '=SUM(A1)', "'=x", "''+1", '-80 °C freezer', '@home', 'a "quoted", text\nline', "'not a formula", ''])(
    'reads %j back unchanged',
    (value) => {
      const [record] = parseCsv(csvField(value) + ',end');
      expect(unprotectFormula(record?.fields[0] ?? '')).toBe(value);
    },
  );

  it('protects formula-looking text for spreadsheets', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField(12)).toBe('12');
    expect(csvField(null)).toBe('');
  });
});
