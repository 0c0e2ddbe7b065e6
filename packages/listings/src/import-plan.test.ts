import { describe, expect, it } from 'vitest';
import { planImport, planLimitProblem } from './import-plan';
import { parseKyoyoCsv } from './kyoyo-csv';

const jsonl = (records: Record<string, unknown>[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';
const JP = {
  category_general: '分析機器',
  category_detail: null,
  org_type: '国立大学',
  prefecture: '宮城県',
  address_raw: '理学部 B棟',
  external_use: '可',
};

describe('planImport', () => {
  it('sends a Kyoyo CSV as written, with the source line of every row', async () => {
    const text = 'local_id,name,category,description\nA,装置,分析,"two\nlines"\nB,装置,分析,x\n';
    const plan = await planImport('kyoyo-csv', text);
    expect(plan).toMatchObject({ csv: text, rows: 2, sourceLines: [2, 4], rejected: [] });
  });

  it('maps national-network lines to only the columns the source has, keeps repeats out and says so, and filters by organisation', async () => {
    const text = jsonl([
      { ...JP, equipment_id: 'T-1', name: '単結晶X線回折装置 (リガク・XtaLaB Synergy-DW)', org_name: '東北大学 金属材料研究所' },
      { ...JP, equipment_id: 'T-1', name: '単結晶X線回折装置', org_name: '東北大学 多元研' },
      { ...JP, equipment_id: 'K-1', name: 'NMR', org_name: '京都大学', external_use: '不可' },
    ]);
    const plan = await planImport('jp-equipment-jsonl', text, { organisation: '東北大学' });
    expect(plan).toMatchObject({ rows: 1, recordsRead: 3, filteredOut: 1, sourceLines: [1] });
    expect(plan.rejected).toEqual([
      { line: 2, column: 'equipment_id', message: 'equipment_id T-1 repeats line 1, which is kept' },
    ]);
    const sent = parseKyoyoCsv(plan.csv);
    expect(sent.columns).toEqual([
      'local_id',
      'name',
      'category',
      'manufacturer',
      'model',
      'description',
      'building',
      'shared_externally',
      'requires_approval',
    ]);
    expect(sent.rows[0]?.values).toMatchObject({ localId: 'T-1', model: 'XtaLaB Synergy-DW', sharedExternally: true });
    await expect(planImport('jp-equipment-jsonl', text, { organisation: '大阪大学' })).rejects.toThrow(
      /no row of the file belongs to 大阪大学/,
    );
  });

  it('maps uniquip with prices only when a rate is given', async () => {
    const text = 'ID,Name,Technique,Asset cost\nE1,Zeiss Confocal Microscope,Microscopy,100000\n';
    const unpriced = parseKyoyoCsv((await planImport('uniquip', text)).csv);
    expect(unpriced.columns).not.toContain('acquisition_price');
    const priced = parseKyoyoCsv((await planImport('uniquip', text, { yenPerUnit: 190 })).csv);
    expect(priced.rows[0]?.values).toMatchObject({ localId: 'E1', acquisitionPrice: 19_000_000, category: 'Microscopy' });
  });

  it('names the contract limit a plan exceeds', async () => {
    const rows = Array.from({ length: 50_001 }, (_, i) => `L${i},n,c`).join('\n');
    const plan = await planImport('kyoyo-csv', `local_id,name,category\n${rows}\n`);
    expect(planLimitProblem(plan)).toMatch(/50,001 rows; one import takes at most 50,000/);
  });
});
