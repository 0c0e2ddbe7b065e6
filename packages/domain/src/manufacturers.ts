import { normalizeText } from './text';

/** A maker of research instruments: one key, a display name, and what listings write for it in either script. */
export interface Manufacturer {
  key: string;
  /** English and Japanese display name, e.g. `JEOL (日本電子)`. */
  name: string;
  aliases: readonly string[];
}

/**
 * Makers that national listings name, with their Japanese and English spellings, brand names and former
 * names (FEI is Thermo Fisher's electron microscopy since 2016; Varian's instruments are Agilent's). Aliases
 * are compared after `normalizeText`; Latin aliases must stand as whole words, Japanese ones anywhere (Japanese
 * text has no spaces). Bare words that are also instrument types (`サーモ` as in サーモグラフィ, `thermo`
 * as in thermo-microscope) are deliberately absent.
 */
export const MANUFACTURERS: readonly Manufacturer[] = [
  m('jeol', 'JEOL (日本電子)', ['JEOL', '日本電子', 'ジェオール']),
  m('rigaku', 'Rigaku (リガク)', ['Rigaku', 'リガク', '理学電機']),
  m('shimadzu', 'Shimadzu (島津製作所)', ['Shimadzu', '島津製作所', '島津']),
  m('bruker', 'Bruker (ブルカー)', [
    'Bruker',
    'Bruker AXS',
    'Bruker Daltonics',
    'Bruker BioSpin',
    'ブルカー',
    'ブルカー・エイエックスエス',
    'ブルカー・AXS',
    'ブルカーAXS',
  ]),
  m('thermo-fisher', 'Thermo Fisher Scientific (サーモフィッシャーサイエンティフィック)', [
    'Thermo Fisher Scientific',
    'Thermo Fisher',
    'ThermoFisher',
    'Thermo Scientific',
    'Thermo Electron',
    'Thermo Savant',
    'Thermo Finnigan',
    'サーモフィッシャーサイエンティフィック',
    'サーモフィッシャー',
    'サーモサイエンティフィック',
    'サーモエレクトロン',
    'FEI',
    'エフイーアイ',
    'Applied Biosystems',
    'アプライドバイオシステムズ',
    'Finnigan',
    'Nicolet',
    'Sorvall',
  ]),
  m('hitachi-hightech', 'Hitachi High-Tech (日立ハイテク)', [
    'Hitachi High-Tech',
    'Hitachi High-Technologies',
    'Hitachi High-Tech Science',
    'Hitachi',
    '日立ハイテクノロジーズ',
    '日立ハイテクサイエンス',
    '日立ハイテク',
    '日立製作所',
    '日立',
  ]),
  m('agilent', 'Agilent (アジレント)', [
    'Agilent',
    'Agilent Technologies',
    'アジレント',
    'アジレント・テクノロジー',
    'Varian',
    'バリアン',
  ]),
  m('zeiss', 'Carl Zeiss (カールツァイス)', ['Carl Zeiss', 'Zeiss', 'カールツァイス', 'カール・ツァイス', 'ツァイス']),
  m('olympus', 'Evident / Olympus (エビデント / オリンパス)', ['Olympus', 'オリンパス', 'Evident', 'エビデント']),
  m('nikon', 'Nikon (ニコン)', ['Nikon', 'ニコン']),
  m('leica', 'Leica (ライカ)', ['Leica', 'Leica Microsystems', 'ライカ', 'ライカマイクロシステムズ']),
  m('keyence', 'Keyence (キーエンス)', ['Keyence', 'キーエンス']),
  m('horiba', 'Horiba (堀場製作所)', ['Horiba', '堀場製作所', '堀場', 'ホリバ']),
  m('jasco', 'JASCO (日本分光)', ['JASCO', '日本分光']),
  m('waters', 'Waters (ウォーターズ)', ['Waters', 'ウォーターズ', '日本ウォーターズ']),
  m('perkinelmer', 'PerkinElmer (パーキンエルマー)', ['PerkinElmer', 'Perkin Elmer', 'Perkin-Elmer', 'パーキンエルマー']),
  m('malvern', 'Malvern Panalytical (マルバーン・パナリティカル)', [
    'Malvern Panalytical',
    'Malvern',
    'PANalytical',
    'マルバーン',
    'マルバーン・パナリティカル',
    'パナリティカル',
    'スペクトリス',
  ]),
  m('bio-rad', 'Bio-Rad (バイオ・ラッド)', ['Bio-Rad', 'BioRad', 'バイオ・ラッド', 'バイオラッド']),
  m('beckman', 'Beckman Coulter (ベックマン・コールター)', [
    'Beckman Coulter',
    'Beckman',
    'ベックマン・コールター',
    'ベックマンコールター',
    'ベックマン',
  ]),
  m('illumina', 'Illumina (イルミナ)', ['Illumina', 'イルミナ']),
  m('sciex', 'SCIEX (サイエックス)', ['SCIEX', 'AB Sciex', 'エービー・サイエックス', 'サイエックス']),
  m('oxford-instruments', 'Oxford Instruments (オックスフォード・インストゥルメンツ)', [
    'Oxford Instruments',
    'オックスフォード・インストゥルメンツ',
    'オックスフォードインストゥルメンツ',
  ]),
  m('oxford-nanopore', 'Oxford Nanopore (オックスフォード・ナノポア)', ['Oxford Nanopore', 'オックスフォード・ナノポア']),
  m('quantum-design', 'Quantum Design (カンタム・デザイン)', ['Quantum Design', 'カンタム・デザイン', 'カンタムデザイン']),
  m('anton-paar', 'Anton Paar (アントンパール)', ['Anton Paar', 'アントンパール', 'アントン・パール']),
  m('netzsch', 'Netzsch (ネッチ)', ['Netzsch', 'ネッチ']),
  m('tosoh', 'Tosoh (東ソー)', ['Tosoh', '東ソー']),
  m('ulvac-phi', 'ULVAC-PHI (アルバック・ファイ)', ['ULVAC-PHI', 'アルバック・ファイ', 'アルバックファイ']),
  m('ulvac', 'ULVAC (アルバック)', ['ULVAC', 'アルバック']),
  m('samco', 'SAMCO (サムコ)', ['SAMCO', 'サムコ']),
  m('elionix', 'Elionix (エリオニクス)', ['Elionix', 'エリオニクス']),
  m('hamamatsu', 'Hamamatsu Photonics (浜松ホトニクス)', ['Hamamatsu Photonics', 'Hamamatsu', '浜松ホトニクス']),
  m('bd', 'BD (日本ベクトン・ディッキンソン)', [
    'Becton Dickinson',
    'BD Biosciences',
    'BD',
    'ベクトン・ディッキンソン',
    '日本ベクトン・ディッキンソン',
    '日本ベクトン',
  ]),
  m('sysmex', 'Sysmex (シスメックス)', ['Sysmex', 'シスメックス']),
  m('molecular-devices', 'Molecular Devices (モレキュラーデバイス)', ['Molecular Devices', 'モレキュラーデバイス']),
  m('tecan', 'Tecan (テカン)', ['Tecan', 'テカン']),
  m('cytiva', 'Cytiva / GE Healthcare (サイティバ)', ['Cytiva', 'GE Healthcare', 'サイティバ', 'GEヘルスケア']),
  m('eppendorf', 'Eppendorf (エッペンドルフ)', ['Eppendorf', 'エッペンドルフ']),
  m('qiagen', 'Qiagen (キアゲン)', ['Qiagen', 'キアゲン']),
  m('kratos', 'Kratos (クレイトス)', ['Kratos', 'クレイトス']),
  m('canon-anelva', 'Canon Anelva (キヤノンアネルバ)', ['Canon Anelva', 'キヤノンアネルバ', 'アネルバ']),
  m('canon', 'Canon (キヤノン)', ['Canon', 'キヤノン', 'キャノン']),
  m('yokogawa', 'Yokogawa (横河電機)', ['Yokogawa', '横河電機']),
  m('tescan', 'TESCAN (テスカン)', ['TESCAN', 'テスカン']),
  m('park-systems', 'Park Systems (パークシステムズ)', ['Park Systems', 'パークシステムズ']),
  m('asylum', 'Asylum Research (アサイラムリサーチ)', ['Asylum Research', 'アサイラム']),
  m('renishaw', 'Renishaw (レニショー)', ['Renishaw', 'レニショー']),
  m('nanophoton', 'Nanophoton (ナノフォトン)', ['Nanophoton', 'ナノフォトン']),
  m('mitutoyo', 'Mitutoyo (ミツトヨ)', ['Mitutoyo', 'ミツトヨ']),
  m('sony', 'Sony (ソニー)', ['Sony', 'ソニー']),
  m('miltenyi', 'Miltenyi Biotec (ミルテニーバイオテク)', ['Miltenyi', 'Miltenyi Biotec', 'ミルテニー']),
  m('mettler-toledo', 'Mettler Toledo (メトラー・トレド)', [
    'Mettler Toledo',
    'Mettler-Toledo',
    'メトラー・トレド',
    'メトラートレド',
  ]),
  m('ta-instruments', 'TA Instruments (ティー・エイ・インスツルメント)', ['TA Instruments', 'ティー・エイ・インスツルメント']),
  m('tokyo-instruments', 'Tokyo Instruments (東京インスツルメンツ)', ['Tokyo Instruments', '東京インスツルメンツ']),
  m('riken-keiki', 'Riken Keiki (理研計器)', ['Riken Keiki', '理研計器']),
  m('photron', 'Photron (フォトロン)', ['Photron', 'フォトロン']),
  m('hitachi-koki', 'Eppendorf Himac (日立工機)', ['Himac', '日立工機', 'エッペンドルフ・ハイマック']),
];

function m(key: string, name: string, aliases: string[]): Manufacturer {
  return { key, name, aliases };
}

/** One alias ready for matching: its folded text and whether it must stand as a whole (Latin) word. */
interface AliasPattern {
  manufacturer: Manufacturer;
  text: string;
  latin: boolean;
}

/** Every alias, folded, longest first, so `日立ハイテク` wins over `日立` and `Bruker AXS` over `Bruker`. */
const ALIASES: readonly AliasPattern[] = MANUFACTURERS.flatMap((manufacturer) =>
  manufacturer.aliases.map((alias) => {
    const text = normalizeText(alias);
    return { manufacturer, text, latin: /^[a-z0-9 .&+-]+$/.test(text) };
  }),
).sort((a, b) => b.text.length - a.text.length || (a.text < b.text ? -1 : 1));

const ALNUM = /[a-z0-9]/;

/** Where one alias of a maker occurs in normalised text. */
export interface ManufacturerMention {
  manufacturer: Manufacturer;
  start: number;
  end: number;
}

/**
 * Every maker named in `normalized` (text already through `normalizeText`), in order of appearance, with
 * where its alias stands; overlapping aliases resolve to the longest. Latin aliases count only as whole
 * words: `bd` in `bd facsaria`, not in `abd`.
 */
export function manufacturerMentions(normalized: string): ManufacturerMention[] {
  const taken: boolean[] = new Array<boolean>(normalized.length).fill(false);
  const mentions: ManufacturerMention[] = [];
  for (const alias of ALIASES) {
    let from = 0;
    for (;;) {
      const start = normalized.indexOf(alias.text, from);
      if (start < 0) break;
      const end = start + alias.text.length;
      from = start + 1;
      if (alias.latin && (ALNUM.test(normalized[start - 1] ?? '') || ALNUM.test(normalized[end] ?? ''))) continue;
      if (taken.slice(start, end).some(Boolean)) continue;
      taken.fill(true, start, end);
      mentions.push({ manufacturer: alias.manufacturer, start, end });
    }
  }
  return mentions.sort((a, b) => a.start - b.start);
}

/** The maker `text` names (raw text, any script), or null when it names none of the known ones. */
export function manufacturerOf(text: string | null | undefined): Manufacturer | null {
  if (!text) return null;
  return manufacturerMentions(normalizeText(text))[0]?.manufacturer ?? null;
}
