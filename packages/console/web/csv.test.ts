import { describe, expect, it } from 'vitest';
import { BOM, csvField, CsvSyntaxError, parseCsv, toCsv, toCsvFile, utf8Bytes } from './csv';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe('parseCsv', () => {
  it('reads plain records with LF, CRLF and CR line ends', () => {
    expect(fields('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
    expect(fields('a,b\r\n1,2\r\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(fields('a,b\r1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('does not start an empty record after the final line break, but keeps one without it', () => {
    expect(fields('a\n')).toEqual([['a']]);
    expect(fields('a\nb')).toEqual([['a'], ['b']]);
    expect(fields('')).toEqual([]);
    expect(fields('\n\r\n')).toEqual([]);
  });

  it('keeps empty fields, including trailing ones, and counts no record for blank lines', () => {
    expect(fields('a,,c,\n\nx')).toEqual([['a', '', 'c', ''], ['x']]);
    expect(fields('a,b,\n\n\n1,,\n')).toEqual([
      ['a', 'b', ''],
      ['1', '', ''],
    ]);
    expect(fields(',')).toEqual([['', '']]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks; a quoted empty field is a record', () => {
    expect(fields('"a,b","say ""hi""","line 1\r\nline 2",plain\r\n')).toEqual([['a,b', 'say "hi"', 'line 1\nline 2', 'plain']]);
    expect(fields('"",x\n""')).toEqual([['', 'x'], ['']]);
  });

  it('drops a UTF-8 byte-order mark at the start only', () => {
    expect(fields('\uFEFFtitle,model\n\uFEFFx,y')).toEqual([
      ['title', 'model'],
      ['\uFEFFx', 'y'],
    ]);
  });

  it('keeps a quote inside an unquoted field as it is', () => {
    expect(fields('5" wafer,b')).toEqual([['5" wafer', 'b']]);
  });

  it('numbers records by the line they start on, counting line breaks inside quotes and blank lines', () => {
    expect(parseCsv('h\n"a\nb"\r\nc\n').map((r) => r.line)).toEqual([1, 2, 4]);
    const text = '\uFEFFlocal_id,name\r\nA-1,"NMR, 600 MHz"\r\n\r\nA-2,"say ""hi""\nthere"\nA-3,plain';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['local_id', 'name'] },
      { line: 2, fields: ['A-1', 'NMR, 600 MHz'] },
      { line: 4, fields: ['A-2', 'say "hi"\nthere'] },
      { line: 6, fields: ['A-3', 'plain'] },
    ]);
  });

  it('refuses a quote that is never closed, naming the line it opened on', () => {
    const failure = (() => {
      try {
        parseCsv('h\nok\n"open,\nmore');
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(CsvSyntaxError);
    expect(failure).toMatchObject({ kind: 'unclosedQuote', line: 3 });
  });

  it('refuses text after a closing quote', () => {
    expect(() => parseCsv('"a"b,c')).toThrow(CsvSyntaxError);
  });

  it('reads Japanese text unchanged', () => {
    expect(fields('名称,キーワード\n"600MHz NMR装置、固体","NMR;構造解析"')).toEqual([
      ['名称', 'キーワード'],
      ['600MHz NMR装置、固体', 'NMR;構造解析'],
    ]);
  });
});

describe('toCsv', () => {
  it('quotes only what needs quoting and ends lines with CRLF', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(
      toCsv([
        ['a', 'b c'],
        ['x\ny', ''],
      ]),
    ).toBe('a,b c\r\n"x\ny",\r\n');
  });

  it('writes what parseCsv reads back', () => {
    const records = [
      ['title', 'keywords'],
      ['NMR, 600 MHz', 'a;b'],
      ['"quoted"', 'line\nbreak'],
      ['', ' padded '],
      ['可', ''],
    ];
    expect(fields(toCsv(records))).toEqual(records);
  });

  it('marks a file as UTF-8 for Excel, and the mark is not read as data', () => {
    const file = toCsvFile([['名称'], ['顕微鏡']]);
    expect(file.startsWith(BOM)).toBe(true);
    expect(fields(file)).toEqual([['名称'], ['顕微鏡']]);
  });
});

describe('utf8Bytes', () => {
  it('counts bytes, not characters', () => {
    expect(utf8Bytes('abc')).toBe(3);
    expect(utf8Bytes('設備')).toBe(6);
    expect(utf8Bytes(BOM)).toBe(3);
  });
});
