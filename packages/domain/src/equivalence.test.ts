import { describe, expect, it } from 'vitest';
import {
  compareEquivalence,
  containsModel,
  EQUIVALENT_SCORE,
  equivalenceProfile,
  modelMentions,
  normalizeModel,
  SIMILAR_SCORE,
  textSimilarity,
  type EquivalenceSubject,
} from './equivalence';
import { manufacturerOf } from './manufacturers';

const keys = (text: string) => modelMentions(text).map((m) => m.key);
const compare = (proposal: EquivalenceSubject, candidate: EquivalenceSubject, keywords: string[] = []) =>
  compareEquivalence(equivalenceProfile(proposal), equivalenceProfile(candidate), keywords);

describe('normalizeModel', () => {
  it('folds case, width, spaces, hyphens, dots and slashes', () => {
    expect(normalizeModel('JEM ARM200F')).toBe('jemarm200f');
    expect(normalizeModel('JEM-ARM200F')).toBe('jemarm200f');
    expect(normalizeModel('ＪＥＭ－ＡＲＭ２００Ｆ')).toBe('jemarm200f');
    expect(normalizeModel('jem‐arm 200f')).toBe('jemarm200f');
    expect(normalizeModel('CHNS/O 2400 Ⅱ')).toBe('chnso2400ii');
  });
});

describe('manufacturers', () => {
  it.each([
    ['JEOL', '日本電子'],
    ['Rigaku', 'リガク'],
    ['Shimadzu', '島津製作所'],
    ['Bruker', 'ブルカー'],
    ['Thermo Fisher', 'サーモフィッシャー'],
    ['Hitachi High-Tech', '日立ハイテク'],
    ['Agilent', 'アジレント'],
    ['Zeiss', 'カールツァイス'],
    ['Olympus', 'オリンパス'],
    ['PerkinElmer', 'パーキンエルマー'],
  ])('knows %s and %s as one maker', (english, japanese) => {
    const maker = manufacturerOf(english);
    expect(maker).not.toBeNull();
    expect(manufacturerOf(japanese)).toBe(maker);
  });

  it('reads makers inside names, the longest alias first, Latin ones only as whole words', () => {
    expect(manufacturerOf('透過型電子顕微鏡(日立ハイテクノロジーズ社製 H-7650)')?.key).toBe('hitachi-hightech');
    expect(manufacturerOf('汎用透過型電子顕微鏡(FEI Tecnai20)')?.key).toBe('thermo-fisher');
    expect(manufacturerOf('ＪＥＯＬ　ＪＳＭ－７８００Ｆ')?.key).toBe('jeol');
    expect(manufacturerOf('Explorer Thermo-microscope')).toBeNull();
    expect(manufacturerOf('サーモグラフィカメラ')).toBeNull();
    expect(manufacturerOf('ABDX-200')).toBeNull();
  });
});

describe('model designations in names', () => {
  it.each([
    ['単結晶X線回折装置 (リガク・XtaLaB Synergy-DW)', ['xtalabsynergydw']],
    ['汎用透過型電子顕微鏡(FEI Tecnai20)', ['tecnai20']],
    ['透過型電子顕微鏡・TEM(日立ハイテクノロジーズ社製 H-7650)', ['h7650']],
    ['低加速電圧対応原子分解能走査型透過電子顕微鏡 JEM-ARM200F NEOARM', ['jemarm200fneoarm', 'jemarm200f']],
    ['日本電子JSM-IT810（SHL）', ['jsmit810']],
    ['プラズマエッチング装置 ICP110iPKU （サムコ㈱）', ['icp110ipku']],
    ['オールインワン蛍光顕微鏡 BZ-X710[No.1]', ['bzx710']],
    ['次世代シーケンサー Illumina NextSeq ランのみ', ['nextseq']],
    ['Bruker AVANCE 700MHz', ['avance700']],
  ])('%s → %j', (name, expected) => {
    expect(keys(name)).toEqual(expected);
  });

  it('finds none in type abbreviations, quantities, catalogue numbers or plain English', () => {
    expect(keys('500MHz NMR測定装置(scorpio)(液体試料専用)')).toEqual([]);
    expect(keys('[535]タンデム四重極型質量分析装置')).toEqual([]);
    expect(keys('MALDI-TOF-MS 質量分析装置')).toEqual([]);
    expect(keys('DNA/RNA分析用マイクロチップ電気泳動装置')).toEqual([]);
    expect(keys('Automated Peptide Synthesizer')).toEqual([]);
    expect(keys('Zeiss Confocal Microscope')).toEqual([]);
  });
});

describe('containsModel', () => {
  it('finds a model however it was spaced, but not glued to more digits or letters', () => {
    expect(containsModel('低加速電圧対応透過電子顕微鏡|jem-arm200f neoarm', 'jemarm200f')).toBe(true);
    expect(containsModel('透過電子顕微鏡|jem 2100f|', 'jem2100f')).toBe(true);
    expect(containsModel('透過電子顕微鏡|jem-2100f|', 'jem2100')).toBe(false);
    expect(containsModel('サーマルサイクラー|c1000touch', 'c1000')).toBe(false);
    expect(containsModel('原子間力顕微鏡|multimode8-a', 'multimode8')).toBe(false);
    expect(containsModel('透過電子顕微鏡tecnai200', 'tecnai20')).toBe(false);
    expect(containsModel('装置sh7650', 'h7650')).toBe(false);
    expect(containsModel('装置h7650', 'h7650')).toBe(true);
  });
});

describe('textSimilarity', () => {
  it('is 1 for the same text, 0 for nothing in common, in between otherwise', () => {
    expect(textSimilarity('単結晶x線回折装置', '単結晶x線回折装置')).toBe(1);
    expect(textSimilarity('単結晶x線回折装置', 'フローサイトメーター')).toBe(0);
    const s = textSimilarity('単結晶x線回折装置', '単結晶x線構造解析装置');
    expect(s).toBeGreaterThan(0.4);
    expect(s).toBeLessThan(0.8);
  });
});

describe('compareEquivalence', () => {
  const proposal = { name: '原子分解能走査透過電子顕微鏡', manufacturer: 'JEOL', model: 'JEM ARM200F', category: '電子顕微鏡' };

  it('scores the same model from the same maker as equivalent, with reasons', () => {
    const result = compare(proposal, {
      name: '低加速電圧対応原子分解能走査型透過電子顕微鏡 JEM-ARM200F NEOARM',
      manufacturer: '日本電子',
      category: '電子顕微鏡',
    });
    expect(result.sameModel).toBe(true);
    expect(result.score).toBeGreaterThanOrEqual(0.95);
    expect(result.reasons).toEqual(
      expect.arrayContaining(['same model: JEM ARM200F', 'same manufacturer: JEOL (日本電子)', 'same category: 電子顕微鏡']),
    );
  });

  it('reads maker and model out of the name when the listing has no such fields', () => {
    const result = compare(
      { name: '単結晶X線回折装置', manufacturer: 'Rigaku', model: 'XtaLAB Synergy-DW' },
      { name: '単結晶X線回折装置 (リガク・XtaLaB Synergy-DW)', category: 'その他' },
    );
    expect(result.sameModel).toBe(true);
    expect(result.score).toBeGreaterThanOrEqual(EQUIVALENT_SCORE);
  });

  it('ranks a model series below the model, and another model of the maker below that', () => {
    const p = { name: '単結晶X線回折装置', manufacturer: 'Rigaku', model: 'XtaLAB Synergy-DW' };
    const same = compare(p, { name: '単結晶X線回折装置 (リガク・XtaLaB Synergy-DW)' });
    const series = compare(p, { name: 'X線回折装置システム XtaLAB Synergy-R' });
    const other = compare(p, { name: 'イメージングプレート型単結晶X線回折装置 (リガク・R-AXIS RAPID II)' });
    expect(series.reasons[0]).toBe('same model series (XtaLAB Synergy-R)');
    expect(series.score).toBeLessThan(EQUIVALENT_SCORE);
    expect(other.reasons).toContain('different model (R-AXIS RAPID II)');
    expect(same.score).toBeGreaterThan(series.score);
    expect(series.score).toBeGreaterThan(other.score);
    expect(other.score).toBeGreaterThanOrEqual(SIMILAR_SCORE);
  });

  it('does not call a shared model number from another maker the same model', () => {
    const result = compare(
      { name: '走査電子顕微鏡', manufacturer: 'JEOL', model: 'SU-8230' },
      { name: '走査電子顕微鏡 SU8230', manufacturer: 'Hitachi High-Tech' },
    );
    expect(result.sameModel).toBe(false);
    expect(result.score).toBeLessThan(EQUIVALENT_SCORE);
    expect(result.reasons).toContain('different manufacturer: Hitachi High-Tech (日立ハイテク)');
  });

  it('gives an unrelated instrument a low score', () => {
    const result = compare(proposal, { name: 'フローサイトメーター', manufacturer: 'BD', model: 'FACSCanto II' });
    expect(result.score).toBeLessThan(SIMILAR_SCORE);
  });

  it('counts keywords found in the description towards similarity, never against it', () => {
    const candidate = { name: '透過電子顕微鏡', description: 'クライオ観察、200kV、トモグラフィー' };
    const without = compare({ name: '透過電子顕微鏡' }, candidate);
    const withKeywords = compare({ name: 'クライオ電子顕微鏡' }, candidate, ['クライオ', 'トモグラフィー']);
    expect(withKeywords.reasons).toContain('keywords found: クライオ, トモグラフィー');
    expect(compare({ name: '透過電子顕微鏡' }, candidate, ['存在しない語']).score).toBe(without.score);
  });
});

describe('a model series', () => {
  it('never reaches the equivalent score, however alike maker, category and name are', () => {
    const result = compare(
      { name: '単結晶X線回折装置', manufacturer: 'Rigaku', model: 'XtaLAB Synergy-S', category: 'X線回折' },
      { name: '単結晶X線回折装置 (リガク・XtaLaB Synergy-DW)', category: 'X線回折' },
    );
    expect(result.sameModel).toBe(false);
    expect(result.score).toBeLessThan(EQUIVALENT_SCORE);
    expect(result.score).toBeGreaterThan(0.7);
  });
});

describe('model families and trailing English words', () => {
  it('leaves generic English words at the end out of a model', () => {
    expect(keys('フローサイトメーター LSRFortessa X-20 Flow Cytometer')).toEqual(['lsrfortessax20']);
  });

  it('does not take a family for a model of it', () => {
    expect(containsModel('リアルタイムpcrシステムsteponeplus', 'stepone')).toBe(false);
    expect(containsModel('リアルタイムpcrシステム|stepone plus', 'stepone')).toBe(false);
    expect(containsModel('次世代シーケンサー|nextseq 500', 'nextseq')).toBe(false);
    expect(containsModel('超微量分光光度計nanodropone', 'nanodrop')).toBe(false);
    expect(containsModel('リアルタイムpcrシステムstepone', 'stepone')).toBe(true);
  });
});

describe('weak model keys', () => {
  it('takes neither a bare quantity nor a short number fragment for a model', () => {
    expect(equivalenceProfile({ name: 'NMR', model: '500 MHz' }).models).toEqual([]);
    expect(keys('集束イオンビーム加工装置 200i')).toEqual([]);
    expect(keys('元素分析装置 2400II')).toEqual(['2400ii']);
  });
});

/**
 * One instrument owned elsewhere, and proposals for the same model written every way applicants and offices
 * write them (issue #20: `名称 (メーカー 型式)` lost the exact match to a maker glued to the model).
 */
describe('the same model, however the proposal is written', () => {
  const owned = [
    { name: '共焦点レーザー顕微鏡(Zeiss LSM710)' },
    { name: '共焦点レーザー走査顕微鏡(Carl Zeiss・LSM710)' },
    { name: '共焦点レーザースキャン顕微鏡 Carl-Zeiss(LSM 710)', manufacturer: 'Carl Zeiss', model: 'LSM 710' },
  ];
  const forms: Record<string, { title: string; manufacturer?: string; model?: string }> = {
    'maker and model in their fields': { title: '共焦点レーザー顕微鏡', manufacturer: 'Carl Zeiss', model: 'LSM710' },
    '名称 (Maker Model) and the fields': {
      title: '共焦点レーザー顕微鏡 (Carl Zeiss LSM710)',
      manufacturer: 'Carl Zeiss',
      model: 'LSM710',
    },
    '名称 (Maker Model), title only': { title: '共焦点レーザー顕微鏡 (Carl Zeiss LSM710)' },
    '名称 Maker Model, title only': { title: '共焦点レーザー顕微鏡 Carl Zeiss LSM710' },
    '名称（メーカー Model）, Japanese maker': { title: '共焦点レーザー顕微鏡（カールツァイス LSM710）' },
    'full-width': { title: '共焦点レーザー顕微鏡　（Ｃａｒｌ　Ｚｅｉｓｓ　ＬＳＭ７１０）' },
    'model with a hyphen': { title: '共焦点レーザー顕微鏡 (Zeiss LSM-710)', model: 'LSM-710' },
    'model with a space': { title: '共焦点レーザー顕微鏡 (Zeiss LSM 710)', model: 'LSM 710' },
  };
  const score = (form: (typeof forms)[string], listing: (typeof owned)[number]) =>
    compareEquivalence(equivalenceProfile({ ...form, name: form.title }), equivalenceProfile(listing));

  for (const [label, form] of Object.entries(forms)) {
    it(`finds the same model: ${label}`, () => {
      for (const listing of owned) {
        const result = score(form, listing);
        expect(result.sameModel, `${form.title} vs ${listing.name}`).toBe(true);
        expect(result.score).toBeGreaterThanOrEqual(EQUIVALENT_SCORE);
      }
    });
  }

  it('scores every form alike against the same listing', () => {
    const scores = Object.values(forms).map((form) => score(form, owned[0]!).score);
    expect(Math.max(...scores) - Math.min(...scores)).toBeLessThanOrEqual(0.1);
  });

  it('finds the same model whichever side writes the maker in brackets', () => {
    const plain = equivalenceProfile({ name: '透過型電子顕微鏡', manufacturer: 'JEOL', model: 'JEM-2100F' });
    for (const name of [
      '透過型電子顕微鏡 (JEOL JEM-2100F)',
      '透過型電子顕微鏡（日本電子・ＪＥＭ－２１００Ｆ）',
      'JEOL JEM 2100F',
    ]) {
      const result = compareEquivalence(plain, equivalenceProfile({ name }));
      expect(result.sameModel, name).toBe(true);
      expect(result.score).toBeGreaterThanOrEqual(EQUIVALENT_SCORE);
    }
  });

  it('does not take a variant with a suffix for the same model, in brackets or not', () => {
    for (const title of ['透過型電子顕微鏡 (JEOL JEM-2100)', '透過型電子顕微鏡 JEOL JEM-2100', '透過型電子顕微鏡']) {
      const proposal = equivalenceProfile({ name: title, model: title.includes('JEM') ? null : 'JEM-2100' });
      const result = compareEquivalence(proposal, equivalenceProfile({ name: '透過型電子顕微鏡 (JEOL JEM-2100F)' }));
      expect(result.sameModel, title).toBe(false);
      expect(result.score).toBeLessThan(EQUIVALENT_SCORE);
    }
  });
});
