/**
 * The funder pages in a real browser against a demo federation: a duplicate check and its printable report
 * (digest confirmed over the API), field errors from the form and from the gateway, a batch with a bad row
 * (nothing sent) and then fixed, and the sharing dashboard with its 30% target line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { noBrowser, signIn, startConsoleWorld, type ConsoleWorld } from './support/console';

const FUNDER = { sub: 'funder-1', organization: 'Japan Society for the Promotion of Science', roles: ['FUNDER'] };

interface Listed {
  id: string;
  name: string;
  category: string;
  manufacturer: string | null;
  model: string | null;
  institution: { code: string };
}

/** Counts the GraphQL requests whose body names `operation` (to prove that nothing was sent). */
function countRequests(page: Page, operation: string): () => number {
  let count = 0;
  page.on('request', (request) => {
    if (request.url().endsWith('/graphql') && (request.postData() ?? '').includes(operation)) count += 1;
  });
  return () => count;
}

describe.skipIf(noBrowser)('the funder pages', () => {
  let world: ConsoleWorld;
  let funderToken: string;
  /** A shared ¥10M+ demo instrument with a model: a planned purchase of the same model has candidates. */
  let existing: Listed;

  beforeAll(async () => {
    world = await startConsoleWorld({ instruments: 30 });
    funderToken = await world.federation.token({ id: 'funder-api', roles: ['FUNDER'], organization: 'JSPS' });
    const answer = await world.federation.query<{ searchInstruments: { edges: { node: Listed }[] } }>(
      `query($filter: InstrumentFilter) {
        searchInstruments(filter: $filter, first: 100) {
          edges { node { id name category manufacturer model institution { code } } }
        }
      }`,
      { filter: { sharedExternally: true, minAcquisitionPrice: 10_000_000, institutions: [world.institutions[1]!.code] } },
      funderToken,
    );
    const found = answer.data?.searchInstruments.edges.map((e) => e.node).find((n) => n.model && n.manufacturer);
    if (!found) throw new Error(`no shared ¥10M+ demo instrument with a model: ${JSON.stringify(answer.errors)}`);
    existing = found;
  });
  afterAll(() => world?.stop());

  /**
   * A fresh page once the console has mounted and its router listens: a hash change before that is lost (the
   * router reads the address when it mounts and subscribes in an effect), which would leave sign-in unseen.
   */
  async function open(lang?: 'ja' | 'en') {
    const opened = await world.open(lang ? { lang } : {});
    await opened.page.locator('header.top').waitFor();
    await opened.page.evaluate('new Promise((done) => requestAnimationFrame(() => setTimeout(done, 50)))');
    return opened;
  }

  it('checks a planned purchase and shows a printable report whose digest the API confirms', async () => {
    const { context, page } = await open();
    try {
      await signIn(page, FUNDER);
      await page.goto(`${world.origin}/#/funder/check`);
      await page.getByRole('heading', { level: 1, name: '購入予定設備の重複チェック' }).waitFor();
      await page.locator('[name="title"]').fill(`${existing.name}（更新）`);
      await page.locator('[name="category"]').fill(existing.category);
      await page.locator('[name="manufacturer"]').fill(existing.manufacturer!);
      await page.locator('[name="model"]').fill(existing.model!);
      await page.locator('[name="estimatedPrice"]').fill('30,000,000');
      expect(await page.locator('.price-reading').textContent()).toContain('重複確認の対象です');
      await page.locator('select[name="institution"]').selectOption(world.institutions[0]!.code);
      await page.locator('[name="fundingProgram"]').fill('科研費 基盤研究(S)');
      await page.locator('[name="grantId"]').fill('25H00042');
      await page.locator('[name="expectedHoursPerYear"]').fill('200');
      await page.locator('[name="keywords"]').fill('構造解析、共用');
      await page.getByRole('button', { name: '重複チェックを実行' }).click();

      await page.waitForURL(/#\/funder\/checks\/[A-Za-z0-9_-]+$/);
      await page.getByTestId('check-report').waitFor();
      const verdict = await page.getByTestId('verdict').textContent();
      expect(verdict).toMatch(/重複の可能性大|類似設備あり|同等設備なし/);
      const candidates = page.getByTestId('candidates').locator('tbody tr');
      expect(await candidates.count()).toBeGreaterThan(0);
      expect(await page.getByTestId('candidates').locator(`a[href="#/instruments/${existing.id}"]`).count()).toBe(1);
      const digest = (await page.getByTestId('digest').textContent())!.trim();
      expect(digest).toMatch(/^[0-9a-f]{64}$/);
      expect(await page.getByTestId('digest-verified').getAttribute('data-verified')).toBe('true');
      await page.getByTestId('browser-digest-match').waitFor();

      // The digest is the API's for this id, and the API verifies it.
      const id = (await page.getByTestId('check-id').textContent())!.trim();
      expect(page.url()).toContain(id);
      const answer = await world.federation.query<{
        duplicateCheck: { digest: string; digestVerified: boolean; proposal: { estimatedPrice: number; keywords: string[] } };
        verifyDuplicateCheck: boolean;
      }>(
        `query($id: ID!, $digest: String!) {
          duplicateCheck(id: $id) { digest digestVerified proposal { estimatedPrice keywords } }
          verifyDuplicateCheck(id: $id, digest: $digest)
        }`,
        { id, digest },
        funderToken,
      );
      expect(answer.data?.duplicateCheck).toMatchObject({
        digest,
        digestVerified: true,
        proposal: { estimatedPrice: 30_000_000, keywords: ['構造解析', '共用'] },
      });
      expect(answer.data?.verifyDuplicateCheck).toBe(true);

      // The attached-digest form says whether a digest matches.
      await page.locator('[name="attachedDigest"]').fill(digest.toUpperCase());
      await page.getByRole('button', { name: '照合する' }).click();
      await page.getByText('一致しました。').waitFor();
      await page.locator('[name="attachedDigest"]').fill('0'.repeat(64));
      await page.getByRole('button', { name: '照合する' }).click();
      await page.getByText('一致しません。ダイジェストが').waitFor();
      await page.locator('[name="attachedDigest"]').fill('');

      // The print button prints.
      await page.evaluate('window.printed = 0; window.print = () => { window.printed += 1; };');
      await page.getByRole('button', { name: '印刷', exact: true }).click();
      expect(await page.evaluate('window.printed')).toBe(1);
      await world.screenshot(page, 'check-report');

      // On paper: no frame, no buttons, the canonical record in full.
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi
      expect(await page.locator('header.top').isVisible()).toBe(false);
      expect(await page.getByRole('button', { name: '印刷', exact: true }).isVisible()).toBe(false);
      expect(await page.getByTestId('digest').isVisible()).toBe(true);
      const record = page.locator('pre.canonical-record');
      expect(await record.evaluate((e) => e.scrollHeight <= e.clientHeight + 1)).toBe(true);
      await world.screenshot(page, 'check-report-print');
      await page.emulateMedia({ media: 'screen' });
    } finally {
      await context.close();
    }
  });

  it('puts problems at their fields: the form’s own, and the gateway’s', async () => {
    const { context, page } = await open();
    try {
      await signIn(page, FUNDER);
      const checks = countRequests(page, 'checkDuplicatePurchase(');
      await page.goto(`${world.origin}/#/funder/check`);
      await page.locator('[name="title"]').fill('走査型電子顕微鏡');
      await page.locator('[name="estimatedPrice"]').fill('-5');
      await page.locator('select[name="institution"]').selectOption(world.institutions[0]!.code);
      await page.getByRole('button', { name: '重複チェックを実行' }).click();
      const price = page.locator('[name="estimatedPrice"]');
      expect(await price.getAttribute('aria-invalid')).toBe('true');
      const describedBy = (await price.getAttribute('aria-describedby'))!.split(' ');
      const messages = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).textContent()));
      expect(messages.join(' ')).toContain('見積額は0以上の整数（円）で入力してください。');
      expect(await page.evaluate('document.activeElement?.getAttribute("name")')).toBe('estimatedPrice');
      expect(checks()).toBe(0);

      // A grant number too long for the gateway: it names input.grantId, and its message shows at that field.
      await price.fill('30000000');
      expect(await price.getAttribute('aria-invalid')).toBe('false');
      const grant = page.locator('[name="grantId"]');
      await grant.fill('G'.repeat(201));
      await page.getByRole('button', { name: '重複チェックを実行' }).click();
      await page.getByRole('alert').filter({ hasText: '入力に誤りがあります。' }).waitFor();
      expect(checks()).toBe(1);
      expect(await grant.getAttribute('aria-invalid')).toBe('true');
      const grantProblem = (await grant.getAttribute('aria-describedby'))!.split(' ').pop()!;
      expect(await page.locator(`[id="${grantProblem}"]`).textContent()).toContain('longer than 200 characters');
      expect(page.url()).toMatch(/#\/funder\/check$/);
      await world.screenshot(page, 'check-form-errors');
    } finally {
      await context.close();
    }
  });

  it('lets a facility office check its own institution’s proposals only', async () => {
    const { context, page } = await open('en');
    try {
      const own = world.institutions[0]!.code;
      await signIn(page, { sub: 'office-1', institution: own, roles: ['FACILITY_MANAGER'] });
      await page.goto(`${world.origin}/#/funder/check`);
      const select = page.locator('select[name="institution"]');
      await select.locator(`option[value="${own}"]`).waitFor({ state: 'attached' });
      expect(await select.locator('option:not([value=""])').count()).toBe(1);
      expect(await select.inputValue()).toBe(own);

      await page.goto(`${world.origin}/#/funder/batch`);
      await page
        .locator('[name="csvText"]')
        .fill(`title,estimated_price,institution\nXRD,25000000,${world.institutions[1]!.code}\n`);
      const problems = page.getByTestId('row-problems');
      await problems.waitFor();
      expect(await problems.textContent()).toContain(
        `A core-facility office may check its own institution’s (${own}) proposals only.`,
      );
    } finally {
      await context.close();
    }
  });

  it('reports a batch’s bad row and sends nothing; checks the fixed batch and lists every verdict', async () => {
    const { context, page } = await open();
    try {
      await signIn(page, FUNDER);
      const batches = countRequests(page, 'checkDuplicatePurchases(');
      await page.goto(`${world.origin}/#/funder/batch`);
      await page.getByRole('heading', { level: 1, name: '一括重複チェック' }).waitFor();
      const [a, b, c] = world.institutions.map((i) => i.code);
      const header =
        'title,category,manufacturer,model,estimated_price,institution,funding_program,grant_id,expected_hours_per_year,keywords';
      const quoted = (field: string) => `"${field.replace(/"/g, '""')}"`;
      const csv = (secondRow: string) =>
        [
          header,
          [`${existing.name}, 更新`, existing.category, existing.manufacturer!, existing.model!].map(quoted).join(',') +
            `,30000000,${a},科研費,25H00001,300,更新;共用`,
          secondRow,
          `"Cryo-TEM ""Krios""\r\n300 kV",透過型電子顕微鏡 (TEM),Thermo Fisher Scientific,Krios G4,"450,000,000",${c},JST CREST,,,TEM;cryo-EM`,
        ].join('\r\n') + '\r\n';
      const upload = (text: string) =>
        page.locator('[name="csvFile"]').setInputFiles({
          name: 'proposals.csv',
          mimeType: 'text/csv',
          buffer: Buffer.from(`\uFEFF${text}`, 'utf8'),
        });

      await upload(csv(`卓上SEM,,,,8百万,no-such-u,,,,`));
      const problems = page.getByTestId('row-problems');
      await problems.waitFor();
      expect(await problems.locator('tbody tr[data-row="2"]').count()).toBe(2);
      expect(await problems.textContent()).toContain('「no-such-u」は連合の機関コードではありません。');
      await page.getByRole('button', { name: '一括チェックを実行' }).click();
      expect(batches()).toBe(0);
      await world.screenshot(page, 'batch-errors');

      await upload(csv(`卓上SEM,,,,8000000,${b},,,,`));
      await page.getByText('3件の申請を確認できます。').waitFor();
      expect(await problems.count()).toBe(0);
      await page.getByRole('button', { name: '3件を一括チェック' }).click();
      const table = page.getByTestId('batch-results-table');
      await table.waitFor();
      expect(batches()).toBe(1);
      const rows = table.locator('tbody tr');
      expect(await rows.count()).toBe(3);
      const verdicts = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-verdict')));
      expect(verdicts[1]).toBe('BELOW_THRESHOLD');
      expect(
        verdicts.every((v) => ['BELOW_THRESHOLD', 'NO_EQUIVALENT', 'SIMILAR_AVAILABLE', 'LIKELY_DUPLICATE'].includes(v!)),
      ).toBe(true);
      expect(await rows.nth(2).locator('th').textContent()).toBe('Cryo-TEM "Krios" 300 kV'); // the gateway reads line breaks in titles as spaces
      const counts = await page
        .getByTestId('verdict-counts')
        .locator('strong')
        .evaluateAll((s) => s.map((e) => Number(e.textContent)));
      expect(counts.reduce((x, y) => x + y, 0)).toBe(3);
      await world.screenshot(page, 'batch-results');

      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: '結果の CSV をダウンロード' }).click(),
      ]);
      const stream = await file.createReadStream();
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      const lines = Buffer.concat(chunks).toString('utf8').trim().split(/\r\n/);
      expect(lines[0]).toContain('check_id');
      expect(lines.filter((l) => /^\d+,/.test(l))).toHaveLength(3);

      // Each row links to its report.
      await rows.nth(1).getByRole('link', { name: '2件目の報告書' }).click();
      await page.getByTestId('verdict').getByText('基準額未満').waitFor();
    } finally {
      await context.close();
    }
  });

  it('shows the sharing dashboard: national and per-institution bars against the labelled 30% target line', async () => {
    const { context, page } = await open();
    try {
      await signIn(page, FUNDER);
      await page.goto(`${world.origin}/#/funder/dashboard`);
      await page.getByRole('heading', { level: 1, name: '共用化率ダッシュボード' }).waitFor();
      const target = page.getByTestId('sharing-rate-target');
      await target.waitFor({ state: 'attached' });
      const bars = page.getByTestId('sharing-rate-bar');
      expect(await bars.count()).toBe(world.institutions.length + 1);
      const keys = await bars.evaluateAll((rects) => rects.map((r) => r.getAttribute('data-key')));
      expect(keys[0]).toBe('national');
      expect(keys.slice(1).sort()).toEqual(world.institutions.map((i) => i.code).sort());
      expect(await page.getByTestId('sharing-rate').locator('text.target-label').textContent()).toBe('目標 30%');
      expect(await page.getByTestId('sharing-table').locator('tbody tr').count()).toBe(world.institutions.length + 1);
      await page.getByTestId('national-summary').waitFor();

      // Bars below the target say so in text, not by colour alone.
      const below = await bars.evaluateAll((rects) => rects.filter((r) => r.getAttribute('data-below') === 'true').length);
      const markers = await page.getByTestId('sharing-rate').locator('text.value', { hasText: '目標未達' }).count();
      expect(markers).toBe(below);

      const first = page.getByTestId('not-shared-list').first();
      await first.locator('summary').click();
      await world.screenshot(page, 'dashboard');

      // Another fiscal year goes into the address and reloads the reports.
      const year = await page.locator('select[name="fiscalYear"]').inputValue();
      await page.locator('select[name="fiscalYear"]').selectOption(String(Number(year) - 1));
      await page.waitForURL(new RegExp(`fy=${Number(year) - 1}`));
      await page
        .getByTestId('national-summary')
        .getByText(`${Number(year) - 1}年度`)
        .waitFor();
    } finally {
      await context.close();
    }
  });

  it('shows a facility office its own institution only', async () => {
    const { context, page } = await open('en');
    try {
      await signIn(page, { sub: 'office-2', institution: world.institutions[2]!.code, roles: ['FACILITY_MANAGER'] });
      await page.goto(`${world.origin}/#/funder/dashboard`);
      await page.getByTestId('sharing-rate-target').waitFor({ state: 'attached' });
      const keys = await page
        .getByTestId('sharing-rate-bar')
        .evaluateAll((rects) => rects.map((r) => r.getAttribute('data-key')));
      expect(keys).toEqual([world.institutions[2]!.code]);
      await page.getByText('Core-facility offices see their own institution’s report only').waitFor();
      expect(await page.getByTestId('national-summary').count()).toBe(0);
      expect(await page.getByRole('alert').count()).toBe(0);
      await world.screenshot(page, 'dashboard-office-en');
    } finally {
      await context.close();
    }
  });
});
