import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RowError } from '../listing';
import {
  jpCategoryOf,
  parseJpEquipmentLine,
  parseJpEquipmentLines,
  readJpEquipmentFile,
  universityOf,
  type JpEquipmentListing,
} from './jp-equipment-jsonl';
import {
  AIST_NUMERIC_DETAIL,
  CHIBA_FULL_WIDTH_CATEGORY,
  GUNMA_NULL_CATEGORIES,
  HOKUDAI_ELECTRON,
  HOKUDAI_HU_NONE,
  KUMAMOTO_NO_SPACE,
  KYUSHU_UNCLASSIFIED,
  MIE_FIRST,
  MIE_REPEAT,
  MIYAZAKI_HALF_WIDTH,
  NIMS_FULL_WIDTH_ADDRESS,
  NMR_SCORPIO,
  TODAI_MOJIBAKE,
  TOHOKU_BRACKETED,
  TOYOHASHI_LONG_ADDRESS,
} from './jp-equipment-jsonl.fixtures';

function listingOf(line: string, lineNumber = 7): JpEquipmentListing {
  const result = parseJpEquipmentLine(line, lineNumber);
  if (!result.ok) throw new Error(`expected a listing, got ${JSON.stringify(result.error)}`);
  return result.listing;
}

function errorOf(line: string, lineNumber = 7): RowError {
  const result = parseJpEquipmentLine(line, lineNumber);
  if (result.ok) throw new Error(`expected a row error, got ${JSON.stringify(result.listing)}`);
  return result.error;
}

/** A real line with some fields replaced. */
function edited(line: string, changes: Record<string, unknown>, removed: string[] = []): string {
  const record = { ...(JSON.parse(line) as Record<string, unknown>), ...changes };
  for (const key of removed) delete record[key];
  return JSON.stringify(record);
}

describe('parseJpEquipmentLine', () => {
  it('maps a listing of the network to the service input, keeping the name as written', () => {
    expect(listingOf(NMR_SCORPIO, 2)).toEqual({
      line: 2,
      orgName: '北海道大学',
      prefecture: '北海道',
      input: {
        localId: 'HOKUDAI-AP-100223',
        name: '500MHz NMR測定装置(scorpio)(液体試料専用)',
        nameEn: null,
        category: '磁気共鳴装置',
        manufacturer: null,
        model: null,
        description:
          '磁気共鳴装置 (Magnetic Resonance Equipment) / 核磁気共鳴装置(NMR) (Nuclear Magnetic Resonance (NMR) Spectrometer)',
        building: '次世代物質生命科学研究センターNMR棟 3',
        sharedExternally: true,
        remoteOperable: false,
        requiresApproval: false,
        requiresQualification: false,
      },
    });
  });

  it('reads manufacturer and model out of the name and keeps the name whole', () => {
    const makerModel = (line: string) => {
      const { name, manufacturer, model } = listingOf(line).input;
      return { name, manufacturer, model };
    };
    expect(makerModel(KYUSHU_UNCLASSIFIED)).toEqual({
      name: 'フーリエ変換赤外分光光度計(FT/IR-4700)',
      manufacturer: null,
      model: 'FT/IR-4700',
    });
    expect(makerModel(GUNMA_NULL_CATEGORIES)).toMatchObject({ manufacturer: null, model: 'F-4500' });
    // A maker the name mentions without a model beside it; the product name is in katakana.
    expect(makerModel(KUMAMOTO_NO_SPACE)).toMatchObject({ manufacturer: 'Keyence (キーエンス)', model: null });
    // Quantities, abbreviations and nicknames are not models.
    expect(makerModel(NMR_SCORPIO)).toMatchObject({ manufacturer: null, model: null });
    expect(makerModel(NIMS_FULL_WIDTH_ADDRESS)).toMatchObject({ manufacturer: null, model: null });
    expect(makerModel(edited(NMR_SCORPIO, { name: '単結晶X線回折装置 (リガク・XtaLaB Synergy-DW)' }))).toEqual({
      name: '単結晶X線回折装置 (リガク・XtaLaB Synergy-DW)',
      manufacturer: 'Rigaku (リガク)',
      model: 'XtaLaB Synergy-DW',
    });
  });

  it('keeps bracketed numbers, half-width katakana and full-width letters in names untouched', () => {
    expect(listingOf(TOHOKU_BRACKETED).input.name).toBe('[535]タンデム四重極型質量分析装置');
    expect(listingOf(MIYAZAKI_HALF_WIDTH).input.name).toBe('偏光ｾﾞｰﾏﾝ原子吸光光度計');
    expect(listingOf(TOYOHASHI_LONG_ADDRESS).input.name).toBe('ＮＣフライス盤');
    expect(listingOf(NIMS_FULL_WIDTH_ADDRESS).input.building).toBe('茨城県つくば市 桜地区 第２ＮＭＲ実験棟 108号室');
  });

  it('reads external_use as the sharing and approval flags', () => {
    const flags = (line: string) => {
      const { sharedExternally, requiresApproval } = listingOf(line).input;
      return { sharedExternally, requiresApproval };
    };
    expect(flags(NMR_SCORPIO)).toEqual({ sharedExternally: true, requiresApproval: false }); // 可
    expect(flags(KYUSHU_UNCLASSIFIED)).toEqual({ sharedExternally: false, requiresApproval: true }); // 要相談
    expect(flags(HOKUDAI_HU_NONE)).toEqual({ sharedExternally: false, requiresApproval: false }); // 不可
    expect(flags(AIST_NUMERIC_DETAIL.replace('要相談', '不明'))).toEqual({ sharedExternally: false, requiresApproval: false });
    expect(flags(edited(NMR_SCORPIO, {}, ['external_use']))).toEqual({ sharedExternally: false, requiresApproval: false });
  });

  it('takes the category from category_general unless it is the catch-all', () => {
    expect(listingOf(MIYAZAKI_HALF_WIDTH).input.category).toBe('分析機器');
    // Full-width brackets fold, so that this is the same facet value as the network's 核磁気共鳴装置(NMR).
    expect(listingOf(CHIBA_FULL_WIDTH_CATEGORY).input.category).toBe('核磁気共鳴装置(NMR)');
    expect(listingOf(KUMAMOTO_NO_SPACE).input.category).toBe('X線回析室');
  });

  it('takes the category from the head of category_detail when category_general is その他 or missing', () => {
    expect(listingOf(TOHOKU_BRACKETED).input.category).toBe('分析');
    expect(listingOf(HOKUDAI_HU_NONE).input.category).toBe('専用測定装置');
    expect(listingOf(HOKUDAI_ELECTRON).input.category).toBe('顕微鏡(電子)');
    expect(listingOf(edited(HOKUDAI_ELECTRON, { category_general: null })).input.category).toBe('顕微鏡(電子)');
  });

  it('falls back to その他 when category_detail says nothing about the instrument', () => {
    expect(listingOf(KYUSHU_UNCLASSIFIED).input.category).toBe('その他'); // 未分類
    expect(listingOf(AIST_NUMERIC_DETAIL).input.category).toBe('その他'); // 5,600
    expect(listingOf(GUNMA_NULL_CATEGORIES).input.category).toBe('その他'); // both null
    expect(listingOf(MIE_REPEAT).input.category).toBe('その他'); // その他 / その他
  });

  it('makes category_detail the description, so that the detail is searchable', () => {
    expect(listingOf(TOHOKU_BRACKETED).input.description).toBe('分析 / 質量分析');
    expect(listingOf(HOKUDAI_HU_NONE).input.description).toBe('専用測定装置_HU (Specialized Measurement Equipment) / None');
    expect(listingOf(GUNMA_NULL_CATEGORIES).input.description).toBeNull();
  });

  it('keeps null fields null', () => {
    const listing = listingOf(edited(GUNMA_NULL_CATEGORIES, { prefecture: null, address_raw: null, region: null }));
    expect(listing.prefecture).toBeNull();
    expect(listing.input.building).toBeNull();
    expect(listing.input.description).toBeNull();
    expect(listingOf(edited(GUNMA_NULL_CATEGORIES, { address_raw: '   ' })).input.building).toBeNull();
  });

  it('moves an address_raw too long for a building into the description', () => {
    const { input } = listingOf(TOYOHASHI_LONG_ADDRESS);
    expect(input.building).toBeNull();
    expect(input.description).toMatch(/^工作支援部門\nフライス盤中、主軸が垂直であるものを立フライスと呼ぶ。/);
    expect(input.description!.length).toBeGreaterThan(600);
  });

  it('trims ids, names and organisation names', () => {
    const listing = listingOf(
      edited(TOHOKU_BRACKETED, { equipment_id: ' TOHOKU-535 ', name: '\u3000[535]質量分析装置 ', org_name: ' 東北大学 ' }),
    );
    expect(listing.input.localId).toBe('TOHOKU-535');
    expect(listing.input.name).toBe('[535]質量分析装置');
    expect(listing.orgName).toBe('東北大学');
  });

  it('refuses a mojibake name and says what it would read', () => {
    expect(errorOf(TODAI_MOJIBAKE, 211)).toEqual({
      line: 211,
      column: 'name',
      message: 'name is mojibake (UTF-8 read as Latin-1); it would read "キーワード"',
    });
  });

  it('refuses a row without an equipment_id or a name, naming the field', () => {
    expect(errorOf(edited(NMR_SCORPIO, { equipment_id: '' }))).toMatchObject({ column: 'equipment_id' });
    expect(errorOf(edited(NMR_SCORPIO, {}, ['equipment_id']))).toMatchObject({ column: 'equipment_id' });
    expect(errorOf(edited(NMR_SCORPIO, { equipment_id: 100223 }))).toMatchObject({ column: 'equipment_id' });
    expect(errorOf(edited(NMR_SCORPIO, { name: ' \u3000 ' }))).toEqual({
      line: 7,
      column: 'name',
      message: 'name is missing or empty',
    });
    expect(errorOf(edited(NMR_SCORPIO, { name: null }))).toMatchObject({ column: 'name' });
    expect(errorOf(edited(NMR_SCORPIO, { org_name: null }))).toMatchObject({ column: 'org_name' });
  });

  it('refuses values the service would refuse or the mapping would have to guess', () => {
    expect(errorOf(edited(NMR_SCORPIO, { equipment_id: 'X'.repeat(101) }))).toMatchObject({ column: 'equipment_id' });
    expect(errorOf(edited(NMR_SCORPIO, { name: '装置'.repeat(251) }))).toMatchObject({ column: 'name' });
    expect(errorOf(edited(NMR_SCORPIO, { external_use: '学内のみ' }))).toMatchObject({ column: 'external_use' });
    expect(errorOf(edited(NMR_SCORPIO, { category_detail: ['磁気共鳴装置'] }))).toMatchObject({ column: 'category_detail' });
    expect(errorOf(edited(NMR_SCORPIO, { address_raw: 'NMR棟\u0007' }))).toMatchObject({ column: 'address_raw' });
    expect(listingOf(edited(NMR_SCORPIO, { category_detail: '分析\n質量分析' })).input.description).toBe('分析\n質量分析');
  });

  it('refuses lines that are not a JSON object', () => {
    expect(errorOf(NMR_SCORPIO.slice(0, 120), 3)).toMatchObject({
      line: 3,
      column: null,
      message: expect.stringMatching(/^not JSON: /),
    });
    expect(errorOf('["HOKUDAI-AP-100223"]')).toEqual({ line: 7, column: null, message: 'not a JSON object' });
    expect(errorOf('null')).toMatchObject({ column: null, message: 'not a JSON object' });
    expect(errorOf('')).toMatchObject({ column: null, message: 'empty line' });
  });

  it('accepts a byte-order mark before the first line', () => {
    expect(listingOf(`\uFEFF${NMR_SCORPIO}`, 1).input.localId).toBe('HOKUDAI-AP-100223');
  });
});

describe('jpCategoryOf', () => {
  it('uses the first level of a detail path and drops an English gloss', () => {
    expect(jpCategoryOf('その他', '計測・測定 / 電気計測 / 電源関連機器')).toBe('計測・測定');
    expect(jpCategoryOf('その他', '顕微鏡(光学)_HU (Optical Microscopes) / 共焦点')).toBe('顕微鏡(光学)');
    expect(jpCategoryOf(null, 'ビームライン')).toBe('ビームライン');
  });

  it('keeps slashes that are part of a category name', () => {
    expect(jpCategoryOf('光学顕微鏡/病理', null)).toBe('光学顕微鏡/病理');
    expect(jpCategoryOf('その他', '光学顕微鏡/病理')).toBe('光学顕微鏡/病理');
  });

  it('ignores uninformative heads', () => {
    for (const detail of ['未分類', 'その他', 'その他_HU (Others) / None', 'None', '5,600', '', '  ']) {
      expect(jpCategoryOf('その他', detail)).toBe('その他');
    }
  });
});

describe('universityOf', () => {
  it('is the text before the first half- or full-width space', () => {
    expect(universityOf('九州大学 中央分析センター(伊都地区)')).toBe('九州大学');
    expect(universityOf('東北大学\u3000金属材料研究所')).toBe('東北大学');
    expect(universityOf('北海道大学')).toBe('北海道大学');
    expect(universityOf('高エネルギー加速器研究機構 Photon Factory')).toBe('高エネルギー加速器研究機構');
  });

  it('cuts a university name that runs on without a space, but not a graduate university or a corporation', () => {
    expect(universityOf('熊本大学工学部附属工学研究機器センター')).toBe('熊本大学');
    expect(universityOf('奈良先端科学技術大学院大学 物質創成科学領域')).toBe('奈良先端科学技術大学院大学');
    expect(universityOf('公立大学法人大阪 大阪公立大学')).toBe('公立大学法人大阪');
    expect(universityOf('大学共同利用機関法人 自然科学研究機構')).toBe('大学共同利用機関法人');
  });
});

describe('parseJpEquipmentLines', () => {
  it('numbers lines from 1, skips blank lines and reports every row that is not a listing', async () => {
    const file = await parseJpEquipmentLines([NMR_SCORPIO, '', TODAI_MOJIBAKE, '{"equipment_id": ', '   ', TOHOKU_BRACKETED]);
    expect(file.listings.map((l) => [l.line, l.input.localId])).toEqual([
      [1, 'HOKUDAI-AP-100223'],
      [6, 'TOHOKU-535'],
    ]);
    expect(file.errors.map((e) => [e.line, e.column])).toEqual([
      [3, 'name'],
      [4, null],
    ]);
  });

  it('keeps the first line of a repeated equipment_id and reports the repeat', async () => {
    const file = await parseJpEquipmentLines([MIE_FIRST, MIE_REPEAT]);
    expect(file.listings).toHaveLength(1);
    expect(file.listings[0]!.line).toBe(1);
    expect(file.listings[0]!.input.description).toBeNull();
    expect(file.errors).toEqual([
      { line: 2, column: 'equipment_id', message: 'equipment_id MIE-equipment28 repeats line 1, which is kept' },
    ]);
  });
});

describe('readJpEquipmentFile', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('streams a file with a byte-order mark, CRLF line ends and no final newline', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kyoyo-listings-'));
    dirs.push(dir);
    const path = join(dir, 'jp-equipment.jsonl');
    await writeFile(
      path,
      `\uFEFF${[NMR_SCORPIO, MIYAZAKI_HALF_WIDTH, TODAI_MOJIBAKE, TOYOHASHI_LONG_ADDRESS].join('\r\n')}`,
      'utf8',
    );
    const file = await readJpEquipmentFile(path);
    expect(file.listings.map((l) => [l.line, l.input.name])).toEqual([
      [1, '500MHz NMR測定装置(scorpio)(液体試料専用)'],
      [2, '偏光ｾﾞｰﾏﾝ原子吸光光度計'],
      [4, 'ＮＣフライス盤'],
    ]);
    expect(file.errors).toMatchObject([{ line: 3, column: 'name' }]);
  });
});
