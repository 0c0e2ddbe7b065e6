import type { DemoInstitution } from './types';

/**
 * How an institution names its graduate schools: `研究科` (most), `研究院` (Hokkaido, Kyushu) or the
 * University of Tokyo's `系研究科` style (理学系研究科, 農学生命科学研究科, …).
 */
export type SchoolStyle = 'kenkyuka' | 'kenkyuin' | 'todai';

/** A demo institution with the extra flavour the generator uses for building names. */
export interface DemoInstitutionProfile extends DemoInstitution {
  schoolStyle: SchoolStyle;
  /** The institution's core facility (統括部局) building, where many shared instruments sit. */
  coreFacility: string;
  /** Research institutes on the same campus that also host instruments. */
  institutes: readonly string[];
}

/**
 * Real Japanese national universities, each in a different prefecture, with the coordinates of the
 * main science/engineering campus. The first six make the default demo federation.
 */
export const DEMO_INSTITUTIONS: readonly DemoInstitutionProfile[] = [
  {
    code: 'tohoku-u',
    name: '東北大学',
    nameEn: 'Tohoku University',
    prefecture: '宮城県',
    latitude: 38.2547,
    longitude: 140.838,
    schoolStyle: 'kenkyuka',
    coreFacility: 'テクニカルサポートセンター 共用機器棟',
    institutes: [],
  },
  {
    code: 'u-tokyo',
    name: '東京大学',
    nameEn: 'The University of Tokyo',
    prefecture: '東京都',
    latitude: 35.7126,
    longitude: 139.762,
    schoolStyle: 'todai',
    coreFacility: '共用機器センター 本郷分室',
    institutes: [],
  },
  {
    code: 'nagoya-u',
    name: '名古屋大学',
    nameEn: 'Nagoya University',
    prefecture: '愛知県',
    latitude: 35.1542,
    longitude: 136.9661,
    schoolStyle: 'kenkyuka',
    coreFacility: '研究基盤共用センター 共用機器棟',
    institutes: ['未来材料・システム研究所', 'トランスフォーマティブ生命分子研究所'],
  },
  {
    code: 'kyoto-u',
    name: '京都大学',
    nameEn: 'Kyoto University',
    prefecture: '京都府',
    latitude: 35.0262,
    longitude: 135.7808,
    schoolStyle: 'kenkyuka',
    coreFacility: '共用機器・分析センター 北部構内棟',
    institutes: [],
  },
  {
    code: 'osaka-u',
    name: '大阪大学',
    nameEn: 'Osaka University',
    prefecture: '大阪府',
    latitude: 34.8222,
    longitude: 135.5238,
    schoolStyle: 'kenkyuka',
    coreFacility: '科学機器リノベーション・工作支援センター',
    institutes: ['産業科学研究所', '蛋白質研究所'],
  },
  {
    code: 'kyushu-u',
    name: '九州大学',
    nameEn: 'Kyushu University',
    prefecture: '福岡県',
    latitude: 33.5975,
    longitude: 130.218,
    schoolStyle: 'kenkyuin',
    coreFacility: '中央分析センター 伊都分室',
    institutes: ['先導物質化学研究所'],
  },
  {
    code: 'hokudai',
    name: '北海道大学',
    nameEn: 'Hokkaido University',
    prefecture: '北海道',
    latitude: 43.0746,
    longitude: 141.3408,
    schoolStyle: 'kenkyuin',
    coreFacility: 'グローバルファシリティセンター',
    institutes: ['電子科学研究所', '触媒科学研究所'],
  },
  {
    code: 'hiroshima-u',
    name: '広島大学',
    nameEn: 'Hiroshima University',
    prefecture: '広島県',
    latitude: 34.4027,
    longitude: 132.713,
    schoolStyle: 'kenkyuka',
    coreFacility: '自然科学研究支援開発センター',
    institutes: [],
  },
  {
    code: 'tsukuba',
    name: '筑波大学',
    nameEn: 'University of Tsukuba',
    prefecture: '茨城県',
    latitude: 36.111,
    longitude: 140.101,
    schoolStyle: 'kenkyuka',
    coreFacility: '研究基盤総合センター 分析部門',
    institutes: [],
  },
  {
    code: 'kanazawa-u',
    name: '金沢大学',
    nameEn: 'Kanazawa University',
    prefecture: '石川県',
    latitude: 36.5446,
    longitude: 136.7062,
    schoolStyle: 'kenkyuka',
    coreFacility: '設備共用推進センター',
    institutes: ['ナノ生命科学研究所'],
  },
  {
    code: 'kobe-u',
    name: '神戸大学',
    nameEn: 'Kobe University',
    prefecture: '兵庫県',
    latitude: 34.7258,
    longitude: 135.2357,
    schoolStyle: 'kenkyuka',
    coreFacility: '研究基盤センター 機器分析部門',
    institutes: [],
  },
  {
    code: 'okayama-u',
    name: '岡山大学',
    nameEn: 'Okayama University',
    prefecture: '岡山県',
    latitude: 34.6873,
    longitude: 133.9222,
    schoolStyle: 'kenkyuka',
    coreFacility: '自然生命科学研究支援センター',
    institutes: [],
  },
  {
    code: 'kumamoto-u',
    name: '熊本大学',
    nameEn: 'Kumamoto University',
    prefecture: '熊本県',
    latitude: 32.8141,
    longitude: 130.727,
    schoolStyle: 'kenkyuka',
    coreFacility: '技術部 機器分析共用室',
    institutes: [],
  },
  {
    code: 'chiba-u',
    name: '千葉大学',
    nameEn: 'Chiba University',
    prefecture: '千葉県',
    latitude: 35.6276,
    longitude: 140.1039,
    schoolStyle: 'kenkyuka',
    coreFacility: '共用機器センター',
    institutes: [],
  },
];

/** The fields of a {@link DemoInstitution}, without any profile extras. */
export function toDemoInstitution(inst: DemoInstitution): DemoInstitution {
  const { code, name, nameEn, prefecture, latitude, longitude } = inst;
  return { code, name, nameEn, prefecture, latitude, longitude };
}

/**
 * Companies whose researchers book instruments as `INDUSTRY` users. `slug` makes their requester ids
 * (`u-<slug>-0007`).
 */
export const DEMO_COMPANIES: readonly { slug: string; name: string }[] = [
  { slug: 'toray-arc', name: '株式会社東レリサーチセンター' },
  { slug: 'scas', name: '株式会社住化分析センター' },
  { slug: 'shimadzu-techno', name: '株式会社島津テクノリサーチ' },
  { slug: 'hitachi', name: '株式会社日立製作所 研究開発グループ' },
  { slug: 'toyota', name: 'トヨタ自動車株式会社' },
  { slug: 'takeda', name: '武田薬品工業株式会社' },
  { slug: 'chugai', name: '中外製薬株式会社' },
  { slug: 'daiichi-sankyo', name: '第一三共株式会社' },
  { slug: 'fujifilm', name: '富士フイルム株式会社' },
  { slug: 'murata', name: '株式会社村田製作所' },
  { slug: 'asahi-kasei', name: '旭化成株式会社' },
  { slug: 'mcc', name: '三菱ケミカル株式会社' },
  { slug: 'sumitomo-chem', name: '住友化学株式会社' },
  { slug: 'kao', name: '花王株式会社' },
  { slug: 'shiseido', name: '株式会社資生堂' },
  { slug: 'kyocera', name: '京セラ株式会社' },
  { slug: 'denso', name: '株式会社デンソー' },
  { slug: 'nippon-steel', name: '日本製鉄株式会社' },
  { slug: 'sekisui', name: '積水化学工業株式会社' },
  { slug: 'ajinomoto', name: '味の素株式会社' },
];

/**
 * Academic organisations outside the federation; used for `ACADEMIC` users only when the federation
 * has no other member (a one-institution demo).
 */
export const NON_MEMBER_ACADEMIC: readonly { slug: string; name: string }[] = [
  { slug: 'riken', name: '理化学研究所' },
  { slug: 'aist', name: '産業技術総合研究所' },
  { slug: 'nims', name: '物質・材料研究機構' },
];
