import { describe, expect, it } from 'vitest';
import { splitMakerModel } from './names';

/** [name, manufacturer, model]: names copied from the real files (jp-equipment.jsonl, the UK registers). */
const CASES: readonly [string, string | null, string | null][] = [
  // A maker and its model side by side, the model after it or before it.
  ['単結晶X線回折装置 (リガク・XtaLaB Synergy-DW)', 'Rigaku (リガク)', 'XtaLaB Synergy-DW'],
  ['透過電子顕微鏡 日立(H-7650)', 'Hitachi High-Tech (日立ハイテク)', 'H-7650'],
  ['クリーンベンチ PCV-841-BRG(日立)', 'Hitachi High-Tech (日立ハイテク)', 'PCV-841-BRG'],
  ['J-730（日本分光社製）', 'JASCO (日本分光)', 'J-730'],
  ['[FIB]集束イオンビーム加工観察装置 日本電子株式会社JIB-4000', 'JEOL (日本電子)', 'JIB-4000'],
  ['Hitachi S4800 SEM', 'Hitachi High-Tech (日立ハイテク)', 'S4800'],
  ['500MHz核磁気共鳴装置(BRUKER製・AVANCE NEO 500)', 'Bruker (ブルカー)', 'AVANCE NEO 500'],
  // Next to a maker, capitals, a bare number or a word with its suffix make a model too.
  ['NMR (400MHz 溶液) JEOL ECS', 'JEOL (日本電子)', 'ECS'],
  ['全自動電気泳動システム Agilent 4150 TapeStation', 'Agilent (アジレント)', '4150 TapeStation'],
  ['試料水平型多目的X線回折装置 (リガク製 Ultima IV)', 'Rigaku (リガク)', 'Ultima IV'],
  ['[907]セルアナライザー BD LSR Fortessa', 'BD (日本ベクトン・ディッキンソン)', 'LSR Fortessa'],
  ['[951]高速遠心機 Beckman Avanti J-E (1-7F)', 'Beckman Coulter (ベックマン・コールター)', 'Avanti J-E'],
  // A model next to the maker wins over a local code elsewhere.
  ['NR-402:大気中光電子分光装置(Riken Keiki AC-3)', 'Riken Keiki (理研計器)', 'AC-3'],
  ['SpeedVac (Thermo SAVANT SPD1010)', 'Thermo Fisher Scientific (サーモフィッシャーサイエンティフィック)', 'SPD1010'],
  // No maker: a model-like word still counts, written any width.
  ['フーリエ変換赤外分光光度計(FT/IR-4700)', null, 'FT/IR-4700'],
  ['電界放出形走査電子顕微鏡 ＪＳＭ－７８００Ｆ', null, 'JSM-7800F'],
  ['X線回折装置(SmartLabSE)', null, 'SmartLabSE'],
  ['共焦点ﾚｰｻﾞｰｽｷｬﾝ顕微鏡－型式：LSM7DUO', null, 'LSM7DUO'],
  // Quantities, nicknames, notes, type abbreviations: no model.
  ['500MHz NMR測定装置(scorpio)(液体試料専用)', null, null],
  ['JEOL 500 MHz NMR (ECZ-500R)', 'JEOL (日本電子)', 'ECZ-500R'],
  ['MALDI-TOF MS', null, null],
  ['ガスクロマトグラフ質量分析計（GC-MS/MS）', null, null],
  ['透過型電子顕微鏡(3D-TEM)', null, null],
  ['NMR13C直接観測で圧倒的高感度 [nc600a]', null, null],
  // Catalogue numbers, unit numbers, repeats.
  ['[922]サーマルサイクラー GeneAmp 9700-1号機', null, 'GeneAmp 9700'],
  ['【武田SCR】 自動フォトマスクエッチング装置AEP-3000S AEP-3000S AEP-3000S', null, 'AEP-3000S'],
  ['バイオクリーンベンチ MCV-B91F［No.2]', null, 'MCV-B91F'],
  // Things that look like models and are not.
  ['BL-14A Single Crystal Structure Analysis/Detector Development', null, null],
  ['オールインワン蛍光顕微鏡(K2023003)', null, null],
  ['CO2インキュベーター', null, null],
  ['[118]KrFステッパ', null, null],
  ['[834]解析用PC3', null, null],
  ['高速熱処理炉RTA-1', null, null],
  ['Apollo SciTech Inc. Alkalinity Instrument', null, null],
  // A maker's own name glued together is not a model.
  ['AppliedBiosystems・433A Peptide Synthesizer', null, null],
  // English written in capitals throughout (St Andrews): capitals say nothing, names cut at 20 characters.
  ['ZEISS MICROSCOPE RP', 'Carl Zeiss (カールツァイス)', null],
  ['INDIGO2 COMPUTER RJ', null, 'INDIGO2'],
  ['SYS TA100/780/HV/DS', null, 'TA100/780/HV/DS'],
  ['YEP042 FIELD EMISSIO', null, null],
  ['Ford Transit R726RSP', null, null],
  ['52680 Rigaku', 'Rigaku (リガク)', null],
  ['Waters QToF-Xevo-CMC', 'Waters (ウォーターズ)', 'QToF-Xevo-CMC'],
  ['Bruker AXS D8 Powder Diffractometer', 'Bruker (ブルカー)', 'D8'],
  ['Nicolet 6700', 'Thermo Fisher Scientific (サーモフィッシャーサイエンティフィック)', '6700'],
];

describe('splitMakerModel', () => {
  it.each(CASES)('%s', (name, manufacturer, model) => {
    expect(splitMakerModel(name)).toEqual({ manufacturer, model });
  });

  it('gives a maker its display name however the name spells it', () => {
    for (const name of ['日本電子 JSM-7800F', 'JEOL JSM-7800F', 'ジェオール JSM-7800F', 'ｊｅｏｌ　JSM-7800F']) {
      expect(splitMakerModel(name)).toEqual({ manufacturer: 'JEOL (日本電子)', model: 'JSM-7800F' });
    }
  });

  it('takes the first maker a name mentions', () => {
    expect(splitMakerModel('高分解能電界放出型走査電子顕微鏡(EDX付属)(日立製作所 S-4800, 堀場製作所 EX-220)')).toEqual({
      manufacturer: 'Hitachi High-Tech (日立ハイテク)',
      model: 'S-4800',
    });
  });

  it('finds nothing in an empty or blank name', () => {
    expect(splitMakerModel('')).toEqual({ manufacturer: null, model: null });
    expect(splitMakerModel(' \u3000 ')).toEqual({ manufacturer: null, model: null });
  });
});
