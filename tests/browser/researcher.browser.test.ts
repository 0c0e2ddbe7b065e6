import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noBrowser, signIn, startConsoleWorld, type ConsoleWorld } from './support/console';

/** Common in the demo catalogue: FE-SEM, TEM, AFM, confocal, fluorescence, digital microscopes… */
const TERM = '顕微鏡';
const HOUR = 3_600_000;

interface Candidate {
  id: string;
  name: string;
  sharedExternally: boolean;
  requiresApproval: boolean;
  requiresQualification: boolean;
  institution: { code: string };
  fees: { userCategory: string; mode: string }[];
}

/** The first page of the same search the page makes, as the same user sees it. */
const FIRST_PAGE = `query ($query: String) { searchInstruments(query: $query, first: 30) { totalCount
  edges { node { id name sharedExternally requiresApproval requiresQualification institution { code } fees { userCategory mode } } } } }`;

const MY_BOOKINGS = `{ myBookings { id status fee cancellationFee start } }`;

/** `YYYY-MM-DDTHH:MM` in Tokyo, as a datetime-local input holds it. */
const tokyoLocal = (iso: string) => new Date(Date.parse(iso) + 9 * HOUR).toISOString().slice(0, 16);
const yenText = (amount: number) => new Intl.NumberFormat('ja-JP', { style: 'currency', currency: 'JPY' }).format(amount);

describe.skipIf(noBrowser)('the researcher pages', () => {
  let world: ConsoleWorld;
  beforeAll(async () => {
    world = await startConsoleWorld({ instruments: 40 });
  });
  afterAll(() => world?.stop());

  /**
   * The console, started: its first page drawn and its effects run. The router subscribes to address changes in
   * an effect, so an address changed before then (as `signIn` and `goto` do at once) would go unnoticed.
   */
  async function openConsole(lang?: 'ja' | 'en') {
    const opened = await world.open(lang ? { lang } : {});
    await opened.page.locator('main h1').waitFor();
    await opened.page.evaluate('new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)))');
    return opened;
  }

  /** A shared instrument on the first page of results that I can book for self use without approval. */
  async function bookableInstrument(token: string, home: string): Promise<{ instrument: Candidate; total: number }> {
    const answer = await world.federation.query<{ searchInstruments: { totalCount: number; edges: { node: Candidate }[] } }>(
      FIRST_PAGE,
      { query: TERM },
      token,
    );
    const candidates = answer.data!.searchInstruments.edges.map((e) => e.node);
    const found = candidates.find(
      (c) =>
        c.sharedExternally &&
        !c.requiresApproval &&
        !c.requiresQualification &&
        c.fees.some((f) => f.mode === 'SELF' && f.userCategory === (c.institution.code === home ? 'INTERNAL' : 'ACADEMIC')),
    );
    if (!found) throw new Error(`no bookable instrument among ${candidates.length} results for ${TERM}`);
    return { instrument: found, total: answer.data!.searchInstruments.totalCount };
  }

  /** Goes forward week by week until the calendar shows a free stretch starting at least two hours from now. */
  async function pickFreeStretch(page: Page): Promise<string> {
    for (let week = 0; week < 6; week++) {
      await page.locator('.calendar .week').waitFor();
      const starts = await page
        .locator('button.slot')
        .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-start')!));
      const soon = Date.now() + 2 * HOUR;
      // Prefer one inside the free-cancellation period, so cancelling it later costs something.
      const late = starts.find((s) => Date.parse(s) > soon && Date.parse(s) < Date.now() + 46 * HOUR);
      const start = late ?? starts.find((s) => Date.parse(s) > soon);
      if (start) {
        await page.locator(`button.slot[data-start="${start}"]`).click();
        return start;
      }
      await page.getByRole('button', { name: '次の週' }).click();
    }
    throw new Error('no free stretch in six weeks');
  }

  it('searches, opens an instrument, books a free stretch and cancels it with the fee shown first', async () => {
    const home = world.institutions[0]!.code;
    const me = { sub: 'researcher-flow', institution: home, roles: ['RESEARCHER'] };
    const token = await world.federation.token({ id: me.sub, institution: home, roles: ['RESEARCHER'] });
    const { instrument, total } = await bookableInstrument(token, home);
    const { context, page } = await openConsole();
    try {
      await signIn(page, me);

      // Search: list and map.
      await page.getByRole('navigation').getByRole('link', { name: '設備検索' }).click();
      await page.getByRole('heading', { level: 1, name: '研究設備を探す' }).waitFor();
      await page.getByRole('searchbox', { name: 'キーワード' }).fill(TERM);
      await page.getByRole('searchbox', { name: 'キーワード' }).press('Enter');
      const count = page.locator('p.count');
      await expect.poll(() => count.textContent()).toContain(`${total.toLocaleString('ja-JP')} 件見つかりました`);
      expect(page.url()).toContain(`q=${encodeURIComponent(TERM)}`);
      expect(await page.locator('ol.results > li').count()).toBeGreaterThan(0);
      const markers = page.locator('.map-marker');
      expect(await markers.count()).toBeGreaterThan(0);
      await page.locator('.results-map path.land').waitFor();
      await world.screenshot(page, 'search-results');

      // A marker is a keyboard-operable button that narrows the list to its place, and back.
      const firstMarker = markers.first();
      const markerName = (await firstMarker.getAttribute('aria-label'))!;
      expect(markerName).toMatch(/: \d+ 件$/);
      await firstMarker.focus();
      await page.keyboard.press('Enter');
      expect(await firstMarker.getAttribute('aria-pressed')).toBe('true');
      const narrowed = Number(/(\d+) 件$/.exec(markerName)![1]);
      await expect.poll(() => page.locator('ol.results > li').count()).toBe(narrowed);
      await page.getByRole('button', { name: 'すべての結果を表示' }).click();

      // The instrument page: details, my fee row, calendar.
      await page.locator(`ol.results a[href="#/instruments/${instrument.id}"]`).click();
      await page.getByRole('heading', { level: 1, name: instrument.name }).waitFor();
      const mine = page.locator('table.fees tr.mine');
      expect(await mine.textContent()).toContain('（あなた）');
      expect(await page.locator('.my-category').textContent()).toContain('あなたの利用区分は');
      const start = await pickFreeStretch(page);
      await expect.poll(() => page.getByLabel('開始日時').inputValue()).toBe(tokyoLocal(start));
      await world.screenshot(page, 'instrument-page');

      // Quote, then book (a double click must not book twice).
      await page.getByLabel('利用目的').fill('合成した試料の表面観察');
      await page.getByLabel('支払財源').fill('科研費 JP23H01234');
      await page.getByRole('button', { name: '見積もる' }).click();
      const quote = page.locator('.quote');
      await quote.waitFor();
      expect(await quote.textContent()).toContain('合計');
      await page.getByRole('button', { name: '予約する' }).dblclick();
      await page.getByRole('heading', { name: '予約が確定しました' }).waitFor();
      const feeText = (await page.getByTestId('booked-fee').textContent())!;
      await world.screenshot(page, 'booking-confirmed');
      const booked = (
        await world.federation.query<{ myBookings: { id: string; fee: number; start: string }[] }>(MY_BOOKINGS, {}, token)
      ).data!.myBookings;
      expect(booked).toHaveLength(1);
      const booking = booked[0]!;
      expect(feeText).toBe(yenText(booking.fee));

      // The same slot again, from a fresh form: refused, said at the start field and as an alert.
      await page.reload();
      await page.getByRole('heading', { level: 1, name: instrument.name }).waitFor();
      await page.getByLabel('開始日時').fill(tokyoLocal(booking.start));
      await page.getByLabel('終了日時').fill(tokyoLocal(new Date(Date.parse(booking.start) + 15 * 60_000).toISOString()));
      await page.getByLabel('利用目的').fill('同じ時間帯をもう一度');
      await page.getByRole('button', { name: '予約する' }).click();
      const alert = page.locator('form [role="alert"]');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('その時間帯は予約できません。');
      expect(await page.getByLabel('開始日時').getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('.field .problem').first().textContent()).toContain('その時間帯は予約できません。');
      await world.screenshot(page, 'booking-slot-taken');
      // An end before the start is caught before anything is sent.
      await page.getByLabel('終了日時').fill(tokyoLocal(new Date(Date.parse(booking.start) - HOUR).toISOString()));
      await page.getByRole('button', { name: '見積もる' }).click();
      await page.getByText('終了日時は開始日時より後にしてください。').waitFor();
      await world.screenshot(page, 'booking-error');

      // My bookings: cancel, seeing the fee before confirming.
      await page.getByRole('navigation').getByRole('link', { name: '予約一覧' }).click();
      await page.getByRole('heading', { level: 1, name: '予約一覧' }).waitFor();
      const row = page.locator(`tr[data-booking="${booking.id}"]`);
      expect(await row.textContent()).toContain('確定');
      await row.getByRole('button', { name: /^キャンセル/ }).click();
      const panelHeading = page.getByRole('heading', { name: 'この予約をキャンセルしますか？' });
      await panelHeading.waitFor();
      const focused = () => page.locator('#cancel-heading').evaluate((el) => el === el.ownerDocument.activeElement);
      await expect.poll(focused).toBe(true);
      const late = Date.parse(booking.start) - Date.now() < 48 * HOUR;
      const expectedFee = late ? Math.ceil(booking.fee / 2) : 0;
      const preview = (await page.getByTestId('cancel-fee-preview').textContent())!;
      expect(preview).toContain(`今キャンセルした場合のキャンセル料: ${yenText(expectedFee)}`);
      expect(preview).toContain(late ? '過ぎているため' : 'までは無料でキャンセルできます');
      await page.getByLabel('キャンセルの理由').fill('試料の準備が間に合わないため');
      await world.screenshot(page, 'cancel-confirm');
      await page.getByRole('button', { name: 'キャンセルを確定する' }).click();
      const done = page.getByTestId('cancelled');
      await done.waitFor();
      expect(await done.textContent()).toContain(`キャンセル料: ${yenText(expectedFee)}`);
      await expect.poll(() => row.textContent()).toContain('キャンセル済');
      expect(await row.getByRole('button').count()).toBe(0);
      await world.screenshot(page, 'bookings-after-cancel');
      const after = (
        await world.federation.query<{ myBookings: { status: string; cancellationFee: number | null }[] }>(MY_BOOKINGS, {}, token)
      ).data!.myBookings;
      expect(after).toEqual([expect.objectContaining({ status: 'CANCELLED', cancellationFee: expectedFee })]);

      // The same page in English.
      await page.getByRole('button', { name: 'Switch to English' }).click();
      await page.getByRole('heading', { level: 1, name: 'My bookings' }).waitFor();
      expect(await page.locator('table.bookings thead').textContent()).toContain('Cancellation fee');
      expect(await row.textContent()).toContain('Cancelled');
      await world.screenshot(page, 'bookings-en');
    } finally {
      await context.close();
    }
  });

  it('lets anyone browse, keeps filters in the address and asks for sign-in only to book', async () => {
    const { context, page } = await openConsole('en');
    try {
      await page.goto(`${world.origin}/#/search?q=${encodeURIComponent(TERM)}&shared=1&sort=DISTANCE`);
      await page.getByRole('heading', { level: 1, name: 'Find research instruments' }).waitFor();
      await expect.poll(() => page.locator('p.count').textContent()).toMatch(/found/);
      expect(await page.getByLabel('Open to external users only').isChecked()).toBe(true);
      // Without a home institution or a "near" point there is nothing to measure distance from.
      await page.getByText('results are sorted by relevance').waitFor();
      const badges = await page.locator('ol.results .badge').allTextContents();
      expect(badges.filter((b) => b === 'Internal use only')).toEqual([]);
      expect(await page.locator('ol.results').textContent()).toContain('Self use fee for Academic (external)');
      await world.screenshot(page, 'search-en');

      await page.locator('ol.results h3 a').first().click();
      await page.getByRole('heading', { name: 'Availability' }).waitFor();
      expect(await page.locator('.my-category').textContent()).toContain('not signed in');
      await page.getByText('Sign in to get a quote or book').waitFor();
      expect(await page.getByRole('button', { name: 'Book' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
