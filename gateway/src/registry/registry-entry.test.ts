import { describe, expect, it } from 'vitest';
import { PREFECTURES, parseRegistryEntry, type RegistryEntryInput } from './registry-entry';

const tohoku: RegistryEntryInput = {
  code: 'tohoku-u',
  name: '東北大学',
  nameEn: 'Tohoku University',
  prefecture: '宮城県',
  latitude: '38.2547',
  longitude: '140.838',
  serviceUrl: 'https://kyoyo.tohoku.example.ac.jp/',
};

/** The problems of `input` as "option: message" lines, or [] when it is accepted. */
function problemsOf(input: RegistryEntryInput): string[] {
  const parsed = parseRegistryEntry(input);
  return 'problems' in parsed ? parsed.problems.map((p) => `${p.option}: ${p.message}`) : [];
}

describe('a registry entry typed by an operator', () => {
  it('becomes the registered institution, with the service URL reduced to its origin', () => {
    expect(parseRegistryEntry(tohoku)).toEqual({
      entry: {
        code: 'tohoku-u',
        name: '東北大学',
        nameEn: 'Tohoku University',
        prefecture: '宮城県',
        location: { latitude: 38.2547, longitude: 140.838 },
        serviceUrl: 'https://kyoyo.tohoku.example.ac.jp',
      },
    });
    expect(parseRegistryEntry({ ...tohoku, nameEn: undefined, serviceUrl: 'http://10.0.0.5:4100' })).toMatchObject({
      entry: { nameEn: null, serviceUrl: 'http://10.0.0.5:4100' },
    });
  });

  it('lists every problem at once, by option', () => {
    expect(problemsOf({})).toEqual([
      '--code: is required',
      '--name: is required',
      '--prefecture: is required',
      '--latitude: is required',
      '--longitude: is required',
      '--service-url: is required',
    ]);
  });

  it('needs a code by the service’s INSTITUTION_CODE rule', () => {
    for (const code of ['Tohoku-U', 'tohoku_u', '-tohoku', 'tohoku-', 'x', 'a'.repeat(41)]) {
      expect(problemsOf({ ...tohoku, code })).toEqual([expect.stringMatching(/^--code: .* is not an institution code/)]);
    }
    expect(problemsOf({ ...tohoku, code: 'ab' })).toEqual([]);
  });

  it('needs one of the 47 prefectures, spelled as the registry spells them', () => {
    expect(PREFECTURES).toHaveLength(47);
    expect(new Set(PREFECTURES).size).toBe(47);
    expect(problemsOf({ ...tohoku, prefecture: '宮城' })).toEqual([
      '--prefecture: must be spelled as the registry spells it: 宮城県',
    ]);
    expect(problemsOf({ ...tohoku, prefecture: 'Miyagi' })).toEqual([
      '--prefecture: Miyagi is not one of the 47 prefectures (e.g. 宮城県, 東京都)',
    ]);
    expect(problemsOf({ ...tohoku, prefecture: '北海道' })).toEqual([]);
  });

  it('needs coordinates in range, written as decimal degrees', () => {
    expect(problemsOf({ ...tohoku, latitude: '90.5', longitude: '-181' })).toEqual([
      '--latitude: must be from -90 to 90, not 90.5',
      '--longitude: must be from -180 to 180, not -181',
    ]);
    expect(problemsOf({ ...tohoku, latitude: '38°15′N', longitude: '0x8c' })).toEqual([
      '--latitude: must be a decimal number (degrees), not 38°15′N',
      '--longitude: must be a decimal number (degrees), not 0x8c',
    ]);
    expect(problemsOf({ ...tohoku, latitude: '-90', longitude: '180' })).toEqual([]);
  });

  it('needs an http(s) origin for the service, since the gateway calls <origin>/graphql', () => {
    expect(problemsOf({ ...tohoku, serviceUrl: 'kyoyo.tohoku.ac.jp' })).toEqual([
      '--service-url: kyoyo.tohoku.ac.jp is not a URL (e.g. https://kyoyo.example.ac.jp or http://10.0.0.5:4100)',
    ]);
    expect(problemsOf({ ...tohoku, serviceUrl: 'ftp://kyoyo.example.ac.jp' })).toEqual([
      '--service-url: must be http:// or https://, not ftp://',
    ]);
    expect(problemsOf({ ...tohoku, serviceUrl: 'https://example.ac.jp/kyoyo' })).toEqual([
      "--service-url: must be the service's origin only (the gateway calls https://example.ac.jp/graphql), without a path or query",
    ]);
    expect(problemsOf({ ...tohoku, serviceUrl: 'https://user:pw@example.ac.jp' })).toEqual([
      '--service-url: must not carry a user name or password',
    ]);
  });

  it('refuses names with control characters or over 200 characters', () => {
    expect(problemsOf({ ...tohoku, name: '東北\u0007大学', nameEn: 'x'.repeat(201) })).toEqual([
      '--name: holds control characters',
      '--name-en: is longer than 200 characters',
    ]);
  });
});
