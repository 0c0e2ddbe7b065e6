import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFederation, uniqueCode, type TestFederation } from './support/federation';

/**
 * The office importer (`npm run import`) as an office runs it: a real child process against a real gateway,
 * dry run first, then the import, then finding the listings through national search. The shared real data
 * is used when `../shared/data` exists (it is not part of the product).
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const STANDREWS = join(root, '..', 'shared', 'data', 'uk-st-andrews-uniquip.csv');
const office = {
  code: uniqueCode('cli'),
  name: 'CLI大学',
  prefecture: '東京都',
  location: { latitude: 35.71, longitude: 139.76 },
};

let federation: TestFederation;
let token: string;
let dir: string;

function runImport(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'packages/listings/src/cli/import.ts'),
        ...args,
        '--gateway',
        federation.gatewayUrl,
        '--token',
        token,
      ],
      { cwd: root, env: { ...process.env, CI: 'true' } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  federation = await startFederation([office]);
  token = await federation.token({ id: 'office-cli', institution: office.code, roles: ['FACILITY_MANAGER'] });
  dir = await mkdtemp(join(tmpdir(), 'kyoyo-import-'));
});
afterAll(() => federation?.stop());

async function search(query: string): Promise<number> {
  const answer = await federation.query<{ searchInstruments: { totalCount: number } }>(
    'query ($q: String) { searchInstruments(query: $q, first: 1) { totalCount } }',
    { q: query },
  );
  return answer.data!.searchInstruments.totalCount;
}

describe('npm run import', () => {
  it('refuses a Kyoyo CSV with three bad rows, naming each by line and column, and writes nothing', async () => {
    const file = join(dir, 'bad.csv');
    await writeFile(
      file,
      'local_id,name,category,acquisition_price,shared_externally\nOK-1,良い装置,分析,100,true\nB-1,,分析,100,true\nB-2,装置,分析,¥100,true\nB-3,装置,分析,100,たぶん\n',
    );
    const run = await runImport(['--institution', office.code, '--file', file, '--format', 'kyoyo-csv']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('3 row errors — nothing was written');
    expect(run.stdout).toContain('line 3 (name): name must not be empty');
    expect(run.stdout).toContain('line 4 (acquisition_price)');
    expect(run.stdout).toContain('line 5 (shared_externally)');
    expect(await search('良い装置')).toBe(0);
  });

  it('explains a wrong command line', async () => {
    const run = await runImport(['--institution', office.code, '--file', join(dir, 'nowhere.csv'), '--format', 'excel']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no such file');
    expect(run.stderr).toContain('--format must be one of kyoyo-csv, uniquip, jp-equipment-jsonl');
  });

  it.skipIf(!existsSync(STANDREWS))(
    'dry-runs and imports the St Andrews uniquip register; its listings are then found',
    async () => {
      const dry = await runImport(['--institution', office.code, '--file', STANDREWS, '--format', 'uniquip', '--dry-run']);
      expect(dry.stdout).toContain('623 records read');
      expect(dry.stdout).toMatch(/2 source rows cannot become listings/);
      expect(dry.stdout).toContain('dry run — nothing written; would create 621');
      expect(dry.code).toBe(1);
      expect(await search('INDIGO2')).toBe(0);

      const refused = await runImport(['--institution', office.code, '--file', STANDREWS, '--format', 'uniquip']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('nothing sent');

      const real = await runImport(['--institution', office.code, '--file', STANDREWS, '--format', 'uniquip', '--skip-bad-rows']);
      expect(real.stdout).toContain('created 621, updated 0, unchanged 0; 2 source rows skipped');
      expect(real.code).toBe(0);
      expect(await search('INDIGO2')).toBeGreaterThan(0);

      const again = await runImport([
        '--institution',
        office.code,
        '--file',
        STANDREWS,
        '--format',
        'uniquip',
        '--skip-bad-rows',
      ]);
      expect(again.stdout).toContain('created 0, updated 0, unchanged 621');
    },
  );
});
