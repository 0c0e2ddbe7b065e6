import { describe, expect, it } from 'vitest';
import { escapeLike, hasCjk, normalizeText, queryTokens, queryWords, searchTokens } from './text';

const INSTRUMENT_NAMES = [
  '500MHz NMR測定装置(scorpio)(液体試料専用)',
  '[535]タンデム四重極型質量分析装置',
  '単結晶X線回折装置 (リガク・XtaLaB Synergy-DW)',
  '透過型電子顕微鏡 JEM-ARM200F NEOARM',
  'ｶﾞｽｸﾛﾏﾄｸﾞﾗﾌ質量分析計 GCMS-QP2020 NX',
  'ＦＥ－ＳＥＭ（電界放出形走査電子顕微鏡）　ＪＳＭ‐７８００Ｆ',
  'X線光電子分光分析装置(XPS) PHI 5000 VersaProbe Ⅲ',
  '共焦点レーザー顕微鏡 LSM 980 with Airyscan 2',
  'フローサイトメーター　BD FACSymphony™ A5',
  'Orbitrap Exploris 480 — LC-MS/MS system',
  '次世代シークエンサー NovaSeq 6000',
  'クライオ電子顕微鏡 Titan Krios G4（300kV）',
  'ICP-MS　8900　トリプル四重極',
  'Atomic Force Microscope (AFM) – Dimension Icon',
  '超伝導量子干渉素子磁束計 MPMS3 ＳＱＵＩＤ‐ＶＳＭ',
  'ラマン分光光度計 NRS-7100 ﾚｰｻﾞｰ 532nm',
];

/** A small deterministic generator (mulberry32), so failures reproduce. */
function randomSource(seed: number): (limit: number) => number {
  let state = seed;
  return (limit) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * limit);
  };
}

/** Spells ASCII letters, digits and symbols the way people type them on a Japanese keyboard. */
function toFullWidth(s: string): string {
  return s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /g, '\u3000');
}

function variantOf(s: string, pick: (limit: number) => number): string {
  switch (pick(4)) {
    case 0:
      return s.toUpperCase();
    case 1:
      return toFullWidth(s);
    case 2:
      return `  ${s.replace(/-/g, '–')}\t`;
    default:
      return s;
  }
}

describe('normalizeText', () => {
  it('folds full-width ASCII to lower-case ASCII', () => {
    expect(normalizeText('ＮＭＲ')).toBe('nmr');
    expect(normalizeText('Ｘ線')).toBe('x線');
  });

  it('widens half-width katakana, joining voiced marks', () => {
    expect(normalizeText('ｶﾞｽｸﾛ')).toBe('ガスクロ');
  });

  it('lower-cases without regard to locale', () => {
    expect(normalizeText('TITAN KRIOS')).toBe('titan krios');
  });

  it('maps every dash and minus sign to a hyphen-minus', () => {
    for (const dash of ['‐', '‑', '‒', '–', '—', '―', '−', '－']) {
      expect(normalizeText(`JSM${dash}7800F`), dash).toBe('jsm-7800f');
    }
  });

  it('keeps the katakana long vowel mark', () => {
    expect(normalizeText('レーザー')).toBe('レーザー');
    expect(normalizeText('ﾚｰｻﾞｰ')).toBe('レーザー');
  });

  it('turns any white space, the ideographic space included, into single spaces and trims', () => {
    expect(normalizeText('\u3000 ICP-MS\u3000\u30008900\t\nトリプル\u00a0\u0085四重極 ')).toBe('icp-ms 8900 トリプル 四重極');
  });

  it('is idempotent', () => {
    for (const name of INSTRUMENT_NAMES) {
      expect(normalizeText(normalizeText(name)), name).toBe(normalizeText(name));
    }
  });
});

describe('searchTokens', () => {
  it('lists every character and adjacent pair of each word, distinct and sorted', () => {
    expect(searchTokens('nmr 測定 nm')).toEqual(['m', 'mr', 'n', 'nm', 'r', '定', '測', '測定']);
  });

  it('never pairs characters across a space', () => {
    expect(searchTokens('ab cd')).not.toContain('bc');
    expect(searchTokens('ab cd')).not.toContain('b c');
  });

  it('counts code points, not UTF-16 units, so characters outside the BMP stay whole', () => {
    const tokens = searchTokens('𠮷野');
    expect(tokens).toHaveLength(3);
    expect(tokens).toEqual(expect.arrayContaining(['𠮷', '𠮷野', '野']));
  });

  it('gives nothing for empty text', () => {
    expect(searchTokens('')).toEqual([]);
  });
});

describe('queryTokens', () => {
  it('uses a one-character word itself and the adjacent pairs of longer words', () => {
    expect(queryTokens('x線 回折装置 x')).toEqual(['x', 'x線', '回折', '折装', '装置']);
    expect(queryTokens('線')).toEqual(['線']);
  });

  it('finds every token of a query in any document that contains the query', () => {
    const pick = randomSource(20_261_201);
    let checked = 0;
    for (let i = 0; i < 600; i++) {
      const name = INSTRUMENT_NAMES[pick(INSTRUMENT_NAMES.length)] ?? '';
      const chars = Array.from(name);
      const start = pick(chars.length);
      const excerpt = chars.slice(start, start + 1 + pick(10)).join('');
      const [doc, query] = pick(2) === 0 ? [name, variantOf(excerpt, pick)] : [variantOf(name, pick), excerpt];
      const normalizedDoc = normalizeText(doc);
      const normalizedQuery = normalizeText(query);
      // A cut through a half-width voiced mark or a dash run can stop being a substring once normalised.
      if (normalizedQuery === '' || !normalizedDoc.includes(normalizedQuery)) continue;
      const stored = new Set(searchTokens(normalizedDoc));
      expect(
        queryTokens(normalizedQuery).filter((token) => !stored.has(token)),
        `${query} in ${doc}`,
      ).toEqual([]);
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(400);
  });

  it('rules out a document that lacks one of the query pairs', () => {
    const doc = new Set(searchTokens(normalizeText('単結晶X線回折装置')));
    expect(queryTokens(normalizeText('粉末X線回折')).every((token) => doc.has(token))).toBe(false);
  });
});

describe('queryWords', () => {
  it('lists the distinct words in the order they first appear', () => {
    expect(queryWords('nmr 液体 nmr 500mhz')).toEqual(['nmr', '液体', '500mhz']);
    expect(queryWords('')).toEqual([]);
  });
});

describe('escapeLike', () => {
  it('escapes the LIKE wildcards and the escape character itself', () => {
    expect(escapeLike('100%_a\\b')).toBe('100\\%\\_a\\\\b');
  });

  it('leaves ordinary text alone', () => {
    expect(escapeLike('x線 回折')).toBe('x線 回折');
  });
});

describe('hasCjk', () => {
  it('detects kanji, hiragana and katakana', () => {
    expect(hasCjk('x線')).toBe(true);
    expect(hasCjk('ぶんせき')).toBe(true);
    expect(hasCjk('ガスクロ')).toBe(true);
  });

  it('is false for Latin text, digits and symbols', () => {
    expect(hasCjk('NMR 500MHz (scorpio) – Ⅲ')).toBe(false);
  });
});
