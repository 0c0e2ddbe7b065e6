import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf } from '../e2e/support/icalendar';
import { noBrowser, startConsoleWorld, type ConsoleWorld } from './support/console';

/**
 * Issue #22's campus flow in a real browser: a researcher signs in through the campus OpenID provider (a real
 * `oidc-provider`, which gives her address), books an instrument that needs approval, finds the owner's e-mail
 * in the Mailbox and the booking in her calendar feed; an office member, granted by an administrator through
 * the API, signs in the same way and approves it; her cancellation tells the next person waiting for the
 * period, by e-mail over real SMTP. Signing out ends the session at the gateway and at the provider. The
 * development sign-in is not offered.
 */

const HOUR = 3_600_000;
const GRANT = `mutation ($input: RoleGrantInput!) { grantRole(input: $input) { id } }`;
const LISTINGS = `query ($institution: ID!) { searchInstruments(filter: { institutions: [$institution] }, first: 50) {
  edges { node { id name requiresApproval requiresQualification fees { userCategory mode } } } } }`;
const BOOKINGS = `query ($id: ID!) { booking(id: $id) { status decisionNote } }`;
const MY_BOOKINGS = `{ myBookings { id status purpose } }`;

describe.skipIf(noBrowser)('signing in through the campus OpenID provider', () => {
  let world: ConsoleWorld;
  let home: string;
  beforeAll(async () => {
    world = await startConsoleWorld({ instruments: 40, oidc: true, mail: true });
    home = world.institutions[0]!.code;
    const org = world.institutions[0]!.name;
    world.provider!.addAccount({
      sub: 'hanako@campus.example',
      inst: home,
      org,
      aff: 'academic',
      email: 'hanako@campus.example',
    });
    world.provider!.addAccount({
      sub: 'office@campus.example',
      inst: home,
      org,
      aff: 'academic',
      email: 'office@campus.example',
    });
  });
  afterAll(() => world?.stop());

  /** The console, started and its effects run (see researcher.browser.test.ts). */
  async function openConsole() {
    const opened = await world.open();
    await opened.page.locator('main h1').waitFor();
    await opened.page.evaluate('new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)))');
    return opened;
  }

  /** Signs in as a person would: the console's button, the provider's page, and back. */
  async function signInAtProvider(page: Page, login: string) {
    await page.goto(`${world.origin}/#/sign-in`);
    const button = page.getByTestId('oidc-sign-in');
    expect(await button.textContent()).toBe('Test campus でサインイン');
    // Only the campus provider: no development sign-in on this gateway.
    expect(await page.locator('input[name="sub"]').count()).toBe(0);
    await button.click();
    await page.getByRole('heading', { name: 'Test campus sign-in' }).waitFor();
    expect(new URL(page.url()).origin).toBe(world.provider!.issuer);
    await page.getByLabel('Login').fill(login);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('viewer').waitFor();
    expect(new URL(page.url()).origin).toBe(world.origin);
    expect(await page.getByTestId('viewer').textContent()).toContain(login);
  }

  it('signs in, books, finds the e-mail in the Mailbox and the booking in her calendar feed; an office member granted by an administrator approves it; her cancellation tells the next person waiting', async () => {
    const admin = await world.federation.token({ id: 'admin-1', organization: 'Kyoyo', roles: ['ADMIN'] });
    const granted = await world.federation.query(
      GRANT,
      { input: { subject: 'office@campus.example', role: 'FACILITY_MANAGER', institution: home, note: 'browser test' } },
      admin,
    );
    expect(granted.errors).toBeUndefined();
    const listings = await world.federation.query<{
      searchInstruments: {
        edges: {
          node: {
            id: string;
            name: string;
            requiresApproval: boolean;
            requiresQualification: boolean;
            fees: { userCategory: string }[];
          };
        }[];
      };
    }>(LISTINGS, { institution: home }, admin);
    const instrument = listings
      .data!.searchInstruments.edges.map((e) => e.node)
      .find((l) => l.requiresApproval && !l.requiresQualification && l.fees.some((f) => f.userCategory === 'INTERNAL'));
    expect(instrument, 'an instrument at home that needs approval and no qualification').toBeDefined();

    const purpose = 'ブラウザ試験: 学認でサインインして予約';
    let feedUrl = '';
    const researcher = await openConsole();
    try {
      const { page } = researcher;
      await signInAtProvider(page, 'hanako@campus.example');
      // The browser holds the session only as an HttpOnly cookie: the page's script cannot read it.
      expect(await page.evaluate('document.cookie')).not.toContain('kyoyo_session');
      const cookies = await researcher.context.cookies(world.origin);
      expect(cookies.find((c) => c.name === 'kyoyo_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

      // The first free slot a day ahead; if the owner answers that someone else took it meanwhile (the
      // calendar is a moment old), the next one. Any other answer fails the test with what the page said.
      const refused: string[] = [];
      let booked = false;
      for (let attempt = 0; attempt < 3 && !booked; attempt++) {
        await page.goto(`${world.origin}/#/instruments/${instrument!.id}`);
        await page.getByRole('heading', { level: 1, name: instrument!.name }).waitFor();
        let start: string | undefined;
        for (let week = 0; week < 6 && !start; week++) {
          await page.locator('.calendar .week').waitFor();
          const starts = await page
            .locator('button.slot')
            .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-start')!));
          start = starts.filter((s) => Date.parse(s) > Date.now() + 26 * HOUR)[attempt];
          if (start) await page.locator(`button.slot[data-start="${start}"]`).click();
          else await page.getByRole('button', { name: '次の週' }).click();
        }
        expect(start).toBeDefined();
        // The pick fills the form and then focuses its start field (after a frame): filling the purpose
        // before that, under load, typed it into the start field instead.
        await expect.poll(() => page.getByLabel('開始日時').inputValue()).not.toBe('');
        await page.getByLabel('利用目的').fill(purpose);
        await page.getByLabel('支払財源').fill('科研費 JP25K00022');
        await page.getByRole('button', { name: '予約する' }).click();
        const done = page.getByRole('heading', { name: '予約を受け付けました（承認待ち）' });
        const problem = page.locator('.alert.error, .field .problem');
        await done.or(problem).first().waitFor({ timeout: 60_000 });
        if (await done.isVisible()) booked = true;
        else {
          const text = (await problem.first().textContent()) ?? '';
          await world.screenshot(page, `oidc-booking-refused-${attempt}`);
          if (!text.includes('SLOT_UNAVAILABLE')) throw new Error(`booking refused: ${text}`);
          refused.push(text);
        }
      }
      expect(booked, `every slot tried was taken: ${refused.join(' | ')}`).toBe(true);
      await world.screenshot(page, 'oidc-booked-pending');

      // The booking in my calendar feed, at a secret URL made on the bookings page.
      await page.goto(`${world.origin}/#/bookings`);
      await page.getByRole('button', { name: 'フィードの URL を作る' }).click();
      feedUrl = await page.getByTestId('feed-url').inputValue();
      expect(feedUrl).toMatch(new RegExp(`^${world.origin}/calendar/personal\\.ics\\?token=`));
      const pending = eventsOf(await (await fetch(feedUrl)).text());
      expect(pending).toEqual([
        expect.objectContaining({ summary: `${instrument!.name}（承認待ち / pending approval）`, status: 'TENTATIVE' }),
      ]);
      await page.getByTestId('feed-state').waitFor();
      await world.screenshot(page, 'oidc-calendar-feed');

      // The owner's e-mail, delivered over SMTP, on the Mailbox page (filtered to her address, from her sign-in).
      await page.goto(`${world.origin}/#/dev/mailbox`);
      expect(await page.getByTestId('mailbox-filter').inputValue()).toBe('hanako@campus.example');
      const requested = page.getByTestId('mailbox-message').filter({ hasText: '予約を申請しました（承認待ち）' });
      await requested.waitFor({ timeout: 15_000 });
      expect(await requested.textContent()).toContain(instrument!.name);
      await world.screenshot(page, 'oidc-mailbox-requested');
    } finally {
      await researcher.context.close();
    }

    const office = await openConsole();
    try {
      const { page } = office;
      await signInAtProvider(page, 'office@campus.example');
      await page.goto(`${world.origin}/#/office/approvals`);
      const row = page.locator('table.booking-table tbody tr', { hasText: purpose });
      await row.waitFor();
      expect(await row.textContent()).toContain('hanako@campus.example');
      await row.getByLabel('コメント（任意）').fill('学認経由の承認');
      await row.getByRole('button', { name: '承認' }).click();
      await row.locator('.badge', { hasText: '確定' }).waitFor();
      // The office sees its institution's mail: nothing undelivered, and all of it on asking.
      await page.goto(`${world.origin}/#/office/mail`);
      await page.getByTestId('mail-none').waitFor();
      await page.getByRole('link', { name: 'すべてのメールを表示' }).click();
      // Her request's confirmation went out before she read it in the Mailbox (the approval's may still be on its way).
      const requested = page.getByTestId('mail-table').locator('tbody tr', { hasText: '予約を申請しました' });
      await requested.filter({ hasText: 'hanako@campus.example' }).filter({ hasText: '送信済み' }).waitFor();
      await world.screenshot(page, 'oidc-office-mail');
    } finally {
      await office.context.close();
    }
    const token = await world.federation.token({ id: 'hanako@campus.example', institution: home, roles: ['RESEARCHER'] });
    const mine = await world.federation.query<{ myBookings: { id: string; status: string; purpose: string }[] }>(
      MY_BOOKINGS,
      {},
      token,
    );
    const booking = mine.data!.myBookings.find((b) => b.purpose === purpose)!;
    const decided = await world.federation.query<{ booking: { status: string; decisionNote: string } }>(
      BOOKINGS,
      { id: booking.id },
      token,
    );
    expect(decided.data!.booking).toEqual({ status: 'CONFIRMED', decisionNote: '学認経由の承認' });
    // Approved: the feed now says CONFIRMED.
    const [event] = eventsOf(await (await fetch(feedUrl)).text());
    expect(event).toEqual(expect.objectContaining({ summary: instrument!.name, status: 'CONFIRMED' }));

    // Someone else waits for the period (through the API); her cancellation in the console tells him.
    const taro = await world.federation.token({ id: 'taro', institution: home, email: 'taro@osaka.example' });
    const joined = await world.federation.query<{ joinWaitlist: { position: number } }>(
      'mutation ($input: WaitlistInput!) { joinWaitlist(input: $input) { position } }',
      { input: { instrumentId: instrument!.id, start: event!.start, end: event!.end } },
      taro,
    );
    expect(joined.errors).toBeUndefined();
    expect(joined.data!.joinWaitlist.position).toBe(1);
    const again = await openConsole();
    try {
      const { page } = again;
      await signInAtProvider(page, 'hanako@campus.example');
      await page.goto(`${world.origin}/#/dev/mailbox`);
      await page.getByTestId('mailbox-message').filter({ hasText: '予約が承認されました' }).waitFor({ timeout: 15_000 });
      await page.goto(`${world.origin}/#/bookings`);
      expect(await page.getByTestId('mail-address').textContent()).toContain('hanako@campus.example');
      await page.getByRole('button', { name: `キャンセル（${instrument!.name}）` }).click();
      await page.getByRole('button', { name: 'キャンセルを確定する' }).click();
      await page.getByTestId('cancelled').waitFor();
      // The next person waiting is told, in the Mailbox (anyone's address can be looked up there in development).
      await page.goto(`${world.origin}/#/dev/mailbox?to=taro@osaka.example`);
      const freed = page.getByTestId('mailbox-message').filter({ hasText: '空きが出ました' });
      await freed.waitFor({ timeout: 15_000 });
      expect(await freed.textContent()).toContain(instrument!.name);
      await world.screenshot(page, 'oidc-mailbox-waitlist-freed');
    } finally {
      await again.context.close();
    }
    // Gone from her calendar once cancelled.
    expect(eventsOf(await (await fetch(feedUrl)).text())).toEqual([]);
  });

  it('signs out at the gateway and at the provider, and the old cookie no longer works', async () => {
    const { context, page } = await openConsole();
    try {
      await signInAtProvider(page, 'hanako@campus.example');
      const session = (await context.cookies(world.origin)).find((c) => c.name === 'kyoyo_session')!;
      await page.getByRole('button', { name: 'サインアウト' }).click();
      await page.getByRole('heading', { name: 'Sign out of the test campus?' }).waitFor();
      await page.getByRole('button', { name: 'Yes, sign me out' }).click();
      await page.waitForURL(`${world.origin}/`);
      await page.locator('header.top .brand').waitFor();
      await page.getByRole('link', { name: 'サインイン' }).first().waitFor();
      expect(await page.getByTestId('viewer').count()).toBe(0);
      const replay = await fetch(`${world.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `kyoyo_session=${session.value}` },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      const answer = (await replay.json()) as { errors?: { extensions?: { code?: string } }[] };
      expect(answer.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await context.close();
    }
  });
});
