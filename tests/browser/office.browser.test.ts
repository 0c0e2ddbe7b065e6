/**
 * The facility office's pages in a real browser: CSV import (a bad row first, then fixed), editing a listing,
 * a new listing whose local id is taken, approving a booking from the queue, and downloading a usage statement.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noBrowser, signIn, startConsoleWorld, type ConsoleWorld } from './support/console';

interface FeeRate {
  userCategory: string;
  mode: string;
  hourlyRate: number;
}

interface Found {
  id: string;
  localId: string;
  name: string;
  requiresApproval: boolean;
  requiresQualification: boolean;
  fees: FeeRate[];
}

const COUNT = `query ($institution: ID!) { searchInstruments(filter: { institutions: [$institution] }, first: 0) { totalCount } }`;
const LISTINGS = `query ($institution: ID!) {
  searchInstruments(filter: { institutions: [$institution] }, first: 100) {
    edges { node { id localId name requiresApproval requiresQualification fees { userCategory mode hourlyRate } } } } }`;
const INSTRUMENT = `query ($id: ID!) { instrument(id: $id) { name fees { userCategory mode hourlyRate } } }`;
const AVAILABILITY = `query ($id: ID!, $from: DateTime!, $to: DateTime!) { instrument(id: $id) { availability(from: $from, to: $to) { start end } } }`;
const CREATE = `mutation ($input: BookingInput!, $key: String!) { createBooking(input: $input, idempotencyKey: $key) { id status } }`;
const BOOKING = `query ($id: ID!) { booking(id: $id) { status decisionNote } }`;

const HEADER = 'local_id,name,manufacturer,category,acquisition_price,shared_externally,fee_internal,fee_academic';
const GOOD_ROWS = [
  'IMP-001,分光光度計 A,ImportTest KK,分光分析,12000000,true,2000,4000',
  'IMP-002,分光光度計 B,ImportTest KK,分光分析,15000000,可,2500,5000',
  'IMP-003,"蛍光光度計, 卓上型",ImportTest KK,分光分析,,false,1500,',
];
const BAD_ROWS = [GOOD_ROWS[0], 'IMP-002,分光光度計 B,ImportTest KK,分光分析,千五百万円,可,2500,5000', GOOD_ROWS[2]];
const csv = (rows: (string | undefined)[]) => [HEADER, ...rows].join('\r\n') + '\r\n';

/** Last month in Tokyo as YYYY-MM (the usage page's default). */
function lastMonth(): string {
  const today = new Date(Date.now() + 9 * 3600_000);
  const first = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1));
  return first.toISOString().slice(0, 7);
}

describe.skipIf(noBrowser)('the facility office pages', () => {
  let world: ConsoleWorld;
  let code: string;
  let officeToken: string;

  beforeAll(async () => {
    world = await startConsoleWorld({ instruments: 24 });
    code = world.institutions[1]!.code;
    officeToken = await world.federation.token({ id: 'office-api', institution: code, roles: ['FACILITY_MANAGER'] });
  });
  afterAll(() => world?.stop());

  async function api<T>(query: string, variables: Record<string, unknown>, token = officeToken): Promise<T> {
    const answer = await world.federation.query<T>(query, variables, token);
    if (answer.errors?.length || !answer.data) throw new Error(JSON.stringify(answer.errors));
    return answer.data;
  }

  const listingCount = async () =>
    (await api<{ searchInstruments: { totalCount: number } }>(COUNT, { institution: code })).searchInstruments.totalCount;

  const listings = async () =>
    (await api<{ searchInstruments: { edges: { node: Found }[] } }>(LISTINGS, { institution: code })).searchInstruments.edges.map(
      (e) => e.node,
    );

  /**
   * Signs in on a freshly opened console. The console subscribes to address changes in an effect after its
   * first paint: wait for that, or the sign-in page's address change can come before anyone listens.
   */
  async function signInWhenReady(page: Page, who: Parameters<typeof signIn>[1]) {
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))');
    await signIn(page, who);
  }

  async function openAsOffice(lang?: 'ja' | 'en') {
    const opened = await world.open({ lang });
    await signInWhenReady(opened.page, { sub: 'office-7', institution: code, roles: ['FACILITY_MANAGER'] });
    return opened;
  }

  const go = (page: Page, hash: string) => page.goto(`${world.origin}/#${hash}`);

  it('imports listings only after a clean dry run: a bad row is reported with its row and column, and nothing is written', async () => {
    const before = await listingCount();
    const { context, page } = await openAsOffice();
    try {
      await go(page, '/office/import');
      await page.getByRole('heading', { level: 1, name: 'CSV一括登録' }).waitFor();
      await page.getByLabel('CSVファイルを選択').setInputFiles({
        name: 'listings.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`\uFEFF${csv(BAD_ROWS)}`, 'utf8'),
      });
      await expect.poll(() => page.getByLabel('CSVの内容（貼り付け・修正）').inputValue()).toContain('千五百万円');
      await page.getByRole('button', { name: 'ドライラン（検査のみ）' }).click();

      const errors = page.locator('table.import-errors tbody tr');
      await errors.first().waitFor();
      expect(await errors.count()).toBe(1);
      const cells = await errors.first().locator('td').allTextContents();
      expect(cells.slice(0, 4)).toEqual(['2', '3', 'IMP-002', 'acquisition_price']);
      await page.getByText('ドライランのため、登録内容は何も変更されていません。').waitFor();
      expect(await page.getByRole('button', { name: '取り込む', exact: true }).isDisabled()).toBe(true);
      expect(await listingCount()).toBe(before);
      await world.screenshot(page, 'import-dry-run-errors');

      // Text that is not CSV is refused here, with its line, and not sent.
      await page.getByLabel('CSVの内容（貼り付け・修正）').fill(csv(['IMP-009,"閉じていない引用符,ImportTest KK,分光分析']));
      await page.getByRole('button', { name: 'ドライラン（検査のみ）' }).click();
      await page.getByText('2行目で始まる「"」で囲まれた項目が閉じられていません。').waitFor();
      expect(await page.getByLabel('CSVの内容（貼り付け・修正）').getAttribute('aria-invalid')).toBe('true');

      await page.getByLabel('CSVの内容（貼り付け・修正）').fill(csv(GOOD_ROWS));
      await page.getByText('ドライランの後にCSVの内容が変わりました').waitFor();
      await page.getByRole('button', { name: 'ドライラン（検査のみ）' }).click();
      await page.getByText('エラーはありません。').waitFor();
      expect(await page.getByTestId('import-created').textContent()).toBe('3');
      expect(await listingCount()).toBe(before);

      await page.getByRole('button', { name: '取り込む', exact: true }).click();
      await page.getByText('取り込みが完了しました。').waitFor();
      expect(await page.getByTestId('import-created').textContent()).toBe('3');
      expect(await listingCount()).toBe(before + 3);
      await world.screenshot(page, 'import-done');

      await page.getByRole('link', { name: '登録設備一覧を見る' }).click();
      await page.getByLabel('絞り込み').fill('ImportTest');
      await page.getByRole('button', { name: '検索', exact: true }).click();
      await expect.poll(() => page.getByTestId('listing-count').textContent()).toContain('登録設備 3 件');
      const rows = page.locator('table.listing-table tbody tr');
      await expect
        .poll(() => rows.locator('td:first-child').allTextContents())
        .toEqual(expect.arrayContaining(['IMP-001', 'IMP-002', 'IMP-003']));
      expect(await rows.filter({ hasText: '蛍光光度計, 卓上型' }).count()).toBe(1);
    } finally {
      await context.close();
    }
  });

  it("edits a listing's name and fee, with field problems shown at their fields", async () => {
    const listing = (await listings()).find((l) => l.fees.length > 0 && !l.name.includes('ImportTest'))!;
    const { context, page } = await openAsOffice();
    try {
      await go(page, `/office/listings/${listing.id}`);
      const name = page.getByLabel('設備名（必須）');
      await expect.poll(() => name.inputValue()).toBe(listing.name);
      expect(await page.getByLabel('管理番号（必須）').inputValue()).toBe(listing.localId);
      const rate = page.getByLabel('1時間あたり（円）（1行目）');
      const row = {
        userCategory: await page.getByLabel('利用区分（1行目）').inputValue(),
        mode: await page.getByLabel('利用形態（1行目）').inputValue(),
      };

      // Checked here first: the problem stands at its field and nothing is sent.
      await rate.fill('千円');
      await page.getByRole('button', { name: '保存' }).click();
      await page.getByText('円単位の整数で入力してください（例: 12000000）。').waitFor();
      expect(await rate.getAttribute('aria-invalid')).toBe('true');

      // Checked by the server: its field (`input.name`) brings the message to the name.
      await rate.fill('12345');
      await name.fill('あ'.repeat(501));
      await page.getByRole('button', { name: '保存' }).click();
      await page.getByRole('alert').filter({ hasText: '入力に誤りがあります。' }).waitFor();
      expect(await name.getAttribute('aria-invalid')).toBe('true');

      await name.fill(`${listing.name}（更新）`);
      await world.screenshot(page, 'listing-edit');
      await page.getByRole('button', { name: '保存' }).click();
      await page.getByText(`「${listing.name}（更新）」を保存しました。`).waitFor();
      expect(page.url()).toContain('#/office/listings?saved=');

      const saved = await api<{ instrument: { name: string; fees: FeeRate[] } }>(INSTRUMENT, { id: listing.id });
      expect(saved.instrument.name).toBe(`${listing.name}（更新）`);
      expect(saved.instrument.fees).toContainEqual({ ...row, hourlyRate: 12345 });
    } finally {
      await context.close();
    }
  });

  it('refuses a new listing whose local id is already listed, at the field, and saves it under a free one', async () => {
    const taken = (await listings()).find((l) => !l.name.includes('ImportTest'))!;
    const before = await listingCount();
    const { context, page } = await openAsOffice();
    try {
      await go(page, '/office/listings/new');
      const localId = page.getByLabel('管理番号（必須）');
      await localId.fill(taken.localId);
      await page.getByLabel('設備名（必須）').fill('ブラウザ試験 新規設備');
      await page.getByLabel('分類（必須）').fill('分光分析');
      await page.getByLabel('1時間あたり（円）（1行目）').fill('1000');
      await page.getByRole('button', { name: '保存' }).click();
      await page.getByText('この管理番号は既に登録されています。').waitFor();
      expect(await localId.getAttribute('aria-invalid')).toBe('true');
      expect(await listingCount()).toBe(before);
      const unchanged = await api<{ instrument: { name: string } }>(INSTRUMENT, { id: taken.id });
      expect(unchanged.instrument.name).toBe(taken.name);
      await world.screenshot(page, 'listing-new-taken');

      await localId.fill('NEW-0001');
      await page.getByRole('button', { name: '保存' }).click();
      await page.getByText('「ブラウザ試験 新規設備」を保存しました。').waitFor();
      expect(await listingCount()).toBe(before + 1);
      expect((await listings()).find((l) => l.localId === 'NEW-0001')?.name).toBe('ブラウザ試験 新規設備');
    } finally {
      await context.close();
    }
  });

  it('approves a pending booking from the queue, and the row shows it confirmed', async () => {
    const instrument = (await listings()).find(
      (l) =>
        l.requiresApproval &&
        l.fees.some((f) => f.userCategory === 'INTERNAL' && (f.mode !== 'SELF' || !l.requiresQualification)),
    )!;
    expect(instrument).toBeDefined();
    const fee = instrument.fees.find(
      (f) => f.userCategory === 'INTERNAL' && (f.mode !== 'SELF' || !instrument.requiresQualification),
    )!;
    const researcher = await world.federation.token({ id: 'researcher-approval', institution: code, roles: ['RESEARCHER'] });
    const from = new Date(Date.now() + 2 * 86_400_000);
    const free = await api<{ instrument: { availability: { start: string; end: string }[] } }>(
      AVAILABILITY,
      { id: instrument.id, from: from.toISOString(), to: new Date(from.getTime() + 21 * 86_400_000).toISOString() },
      researcher,
    );
    const HOUR = 3_600_000;
    // A whole hour inside a free stretch (a stretch may begin at `from`, which is not on a whole minute).
    const start = free.instrument.availability
      .map((s) => ({ start: Math.ceil(Date.parse(s.start) / HOUR) * HOUR, end: Date.parse(s.end) }))
      .find((s) => s.end - s.start >= HOUR)!.start;
    const purpose = 'ブラウザ試験: 承認待ちの予約';
    const created = await api<{ createBooking: { id: string; status: string } }>(
      CREATE,
      {
        input: {
          instrumentId: instrument.id,
          start: new Date(start).toISOString(),
          end: new Date(start + HOUR).toISOString(),
          mode: fee.mode,
          purpose,
          fundingSource: 'JP24K00001',
        },
        key: `office-browser-${Date.now()}`,
      },
      researcher,
    );
    expect(created.createBooking.status).toBe('PENDING');

    const { context, page } = await openAsOffice();
    try {
      await go(page, '/office/approvals');
      const row = page.locator('table.booking-table tbody tr', { hasText: purpose });
      await row.waitFor();
      expect(await row.textContent()).toContain('researcher-approval');
      expect(await row.textContent()).toContain('JP24K00001');
      await row.getByLabel('コメント（任意）').fill('機器の空きを確認しました');
      await world.screenshot(page, 'approvals');
      await row.getByRole('button', { name: '承認' }).click();
      await row.locator('.badge', { hasText: '確定' }).waitFor();
      const booking = await api<{ booking: { status: string; decisionNote: string } }>(BOOKING, { id: created.createBooking.id });
      expect(booking.booking).toEqual({ status: 'CONFIRMED', decisionNote: '機器の空きを確認しました' });
    } finally {
      await context.close();
    }
  });

  it('decommissions a listing, which leaves the listings, and lists it again', async () => {
    // Not one that requires approval: the approvals test books one of those, and its booking would hold this up.
    const listing = (await listings()).filter((l) => !l.requiresApproval).at(-1)!;
    const before = await listingCount();
    const { context, page } = await openAsOffice();
    try {
      await go(page, `/office/listings/${listing.id}`);
      await page.getByLabel('廃止の理由（任意）').fill('老朽化のため');
      await page.getByRole('button', { name: '登録を廃止する' }).click();
      await page.getByRole('button', { name: '再登録する' }).waitFor();
      expect(await listingCount()).toBe(before - 1);
      await page.getByText('老朽化のため').waitFor();

      await page.getByRole('button', { name: '再登録する' }).click();
      await page.getByLabel('設備名（必須）').waitFor();
      expect(await listingCount()).toBe(before);
    } finally {
      await context.close();
    }
  });

  it('grants and revokes a qualification for an instrument that requires one', async () => {
    const instrument = (await listings()).find((l) => l.requiresQualification)!;
    const { context, page } = await openAsOffice();
    try {
      await go(page, '/office/qualifications');
      await page.getByLabel('利用資格が必要な設備').selectOption(instrument.id);
      await page.getByRole('heading', { level: 2, name: `${instrument.name}の利用資格` }).waitFor();
      expect(page.url()).toContain(`instrument=${instrument.id}`);

      await page.getByLabel('利用者 ID').fill('researcher-qualified');
      await page.getByLabel('有効期限（最終日）').fill('2099-03-31');
      await page.getByRole('button', { name: '付与する' }).click();
      await page.getByText('researcher-qualifiedに利用資格を付与しました。').waitFor();
      const row = page.locator('tr', { hasText: 'researcher-qualified' });
      await row.locator('.badge', { hasText: '有効' }).waitFor();
      expect(await row.textContent()).toContain('office-7');

      await row.getByRole('button', { name: 'researcher-qualifiedの利用資格を取り消す' }).click();
      await page.getByText('researcher-qualifiedの利用資格を取り消しました。').waitFor();
      await row.locator('.badge', { hasText: '無効' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('lets an administrator act for any institution, chosen in a selector kept in the address', async () => {
    const other = world.institutions[2]!;
    const count = (
      await world.federation.query<{ searchInstruments: { totalCount: number } }>(COUNT, { institution: other.code })
    ).data!.searchInstruments.totalCount;
    const { context, page } = await world.open();
    try {
      await signInWhenReady(page, { sub: 'admin-1', organization: 'Kyoyo operations', roles: ['ADMIN'] });
      await go(page, '/office/listings');
      await page.getByLabel('対象機関（管理者として操作）').selectOption(other.code);
      await expect.poll(() => page.getByTestId('listing-count').textContent()).toBe(`登録設備 ${count} 件`);
      expect(page.url()).toContain(`institution=${other.code}`);
      await page.getByRole('link', { name: '新規登録' }).click();
      expect(page.url()).toContain(`#/office/listings/new?institution=${other.code}`);
    } finally {
      await context.close();
    }
  });

  it("shows last month's usage statement and downloads it as CSV", async () => {
    const month = lastMonth();
    const { context, page } = await openAsOffice('en');
    try {
      await go(page, '/office/usage');
      await page.getByRole('heading', { level: 2, name: `usage statement (${month})` }).waitFor();
      expect(await page.getByLabel('Month').inputValue()).toBe(month);
      expect(Number((await page.getByTestId('usage-count').textContent())!.replace(/,/g, ''))).toBeGreaterThan(0);
      expect(await page.getByTestId('usage-total').textContent()).toMatch(/^\S*[¥￥][\d,]+$/);
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download CSV' }).click(),
      ]);
      expect(file.suggestedFilename()).toBe(`usage-${code}-${month}.csv`);
      const text = await readFile((await file.path())!, 'utf8');
      // The file's total row says what the page says.
      const totalRow = text.split('\r\n').find((line) => line.startsWith('total,'))!;
      const shownTotal = (await page.getByTestId('usage-total').textContent())!.replace(/\D/g, '');
      expect(totalRow.split(',').at(-1)).toBe(shownTotal);
      await world.screenshot(page, 'usage-statement');
    } finally {
      await context.close();
    }
  });
});
