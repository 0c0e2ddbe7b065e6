import { describe, expect, it } from 'vitest';
import { decodeText, repairMojibake, TextDecodingError } from './decode';

const utf8 = (text: string) => new TextEncoder().encode(text);
const bytes = (...values: number[]) => Uint8Array.from(values);

describe('decodeText', () => {
  it('reads UTF-8 as UTF-8', () => {
    expect(decodeText(utf8('Name,Description\r\n透過電子顕微鏡,Å\r\n'))).toEqual({
      text: 'Name,Description\r\n透過電子顕微鏡,Å\r\n',
      encoding: 'utf-8',
    });
    expect(decodeText(new Uint8Array())).toEqual({ text: '', encoding: 'utf-8' });
  });

  it('takes a UTF-8 byte-order mark off and says it was there', () => {
    expect(decodeText(bytes(0xef, 0xbb, 0xbf, ...utf8('ID,Name')))).toEqual({ text: 'ID,Name', encoding: 'utf-8-bom' });
  });

  it('reads what is not UTF-8 as Windows-1252 and says so', () => {
    // "Citroën £25,000 – ‘Zerowire’" as a Windows-1252 register writes it.
    const cp1252 = bytes(
      ...utf8('Citro'),
      0xeb,
      ...utf8('n '),
      0xa3,
      ...utf8('25,000 '),
      0x96,
      ...utf8(' '),
      0x91,
      ...utf8('Zerowire'),
      0x92,
    );
    expect(decodeText(cp1252)).toEqual({ text: 'Citroën £25,000 – ‘Zerowire’', encoding: 'latin-1' });
  });

  it('refuses UTF-16 and says to save the file as UTF-8', () => {
    expect(() => decodeText(bytes(0xff, 0xfe, 0x49, 0x00, 0x44, 0x00))).toThrow(TextDecodingError);
    expect(() => decodeText(bytes(0xfe, 0xff, 0x00, 0x49, 0x00, 0x44))).toThrow(/UTF-16.*save it as UTF-8/);
    // UTF-16 without a byte-order mark: every other byte is NUL.
    expect(() => decodeText(bytes(0x49, 0x00, 0x44, 0x00))).toThrow(/NUL bytes.*save it as UTF-8/);
  });

  it('refuses a UTF-8 byte-order mark before bytes that are not UTF-8', () => {
    expect(() => decodeText(bytes(0xef, 0xbb, 0xbf, 0x41, 0xa3))).toThrow(/byte-order mark but is not valid UTF-8/);
  });
});

describe('repairMojibake', () => {
  it('reads UTF-8 that was decoded as Windows-1252 (real text of uk-southampton-equipment.csv)', () => {
    expect(repairMojibake('the materialâ€™s etched profile')).toBe('the material’s etched profile');
    expect(repairMojibake('image of 0.3 Ã… in vertical dimension')).toBe('image of 0.3 Å in vertical dimension');
    expect(repairMojibake('Brewer Science CeeÂ® 200 Precision Spin Coater')).toBe(
      'Brewer Science Cee® 200 Precision Spin Coater',
    );
  });

  it('reads UTF-8 that was decoded as Latin-1, control characters and all (jp-equipment.jsonl)', () => {
    const latin1 = Buffer.from('キーワード', 'utf8').toString('latin1');
    expect(repairMojibake(latin1)).toBe('キーワード');
  });

  it('leaves text alone that is not mojibake', () => {
    for (const text of ['Citroën Relay van', 'Cee® 200', '£25,000 – ‘Zerowire’', '透過電子顕微鏡', 'plain ASCII', '']) {
      expect(repairMojibake(text)).toBeNull();
    }
  });

  it('repairs the mojibake beside real accented letters', () => {
    expect(repairMojibake('Citroën: the materialâ€™sé')).toBe('Citroën: the material’sé');
  });
});
