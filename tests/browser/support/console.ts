/**
 * The browser tests' world: a demo federation (three demo institutions, real PostgreSQL, the gateway serving
 * the built console and `POST /dev/sign-in`) and Debian's Chromium driven by playwright-core.
 *
 * Chromium comes from the system (`apt-get install chromium`; `.ci/run` installs it). Without one the
 * browser tests are skipped with the reason, except under CI, where they fail.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { generateInstitution, toDemoInstitution, DEMO_INSTITUTIONS } from '../../../infra/src/demo-data';
import { seedInstitution } from '../../../infra/src/seed/seed.repository';
import { startMailbox, type Mailbox } from '@kyoyo/infra';
import { startFederation, type TestFederation } from '../../e2e/support/federation';
import { startOidcProvider, type TestOidcProvider } from '../../e2e/support/oidc-provider';
import { freePort } from '../../e2e/support/service-process';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium to drive, or null when this machine has none. */
export const chromiumPath: string | null = CANDIDATES.find((p): p is string => !!p && existsSync(p)) ?? null;
if (!chromiumPath && process.env.CI) {
  throw new Error('CI needs Chromium for the browser tests: apt-get install -y chromium (or set CHROMIUM_PATH)');
}
/** Why the browser tests are skipped here, for `describe.skipIf`. */
export const noBrowser = !chromiumPath;
if (noBrowser) {
  process.stderr.write('browser tests skipped: no Chromium (apt-get install -y chromium, or set CHROMIUM_PATH)\n');
}

/** Where screenshots go (CI keeps test-results/ as artefacts). */
export const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/browser/', import.meta.url));

export interface ConsoleWorld {
  /** The gateway's origin, e.g. http://127.0.0.1:41234 (the console is at `/`). */
  origin: string;
  federation: TestFederation;
  /** The campus OpenID provider the console signs in through (with `oidc: true`; then no development sign-in). */
  provider: TestOidcProvider | null;
  /** The mail receiver the institutions send through, shown on the console's Mailbox page (with `mail: true`). */
  mailbox: Mailbox | null;
  /** Demo institutions, in order: code and Japanese name. */
  institutions: { code: string; name: string }[];
  browser: Browser;
  /** A fresh browser profile (own storage) with one page open at the console. */
  open(options?: { lang?: 'ja' | 'en' }): Promise<{ context: BrowserContext; page: Page }>;
  /** Saves a full-page screenshot as test-results/browser/<name>.png. */
  screenshot(page: Page, name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the federation (3 demo institutions × `instruments` listings, a year of history) and Chromium; with
 * `oidc`, a real OpenID provider the console signs in through instead of the development sign-in.
 */
export async function startConsoleWorld(
  options: { instruments?: number; oidc?: boolean; mail?: boolean } = {},
): Promise<ConsoleWorld> {
  const profiles = DEMO_INSTITUTIONS.slice(0, 3);
  const gatewayPort = await freePort();
  const gatewayOrigin = `http://127.0.0.1:${gatewayPort}`;
  const provider = options.oidc
    ? await startOidcProvider({ redirectUri: `${gatewayOrigin}/auth/callback`, postSignOutUri: `${gatewayOrigin}/` })
    : null;
  const mailbox = options.mail ? await startMailbox({ httpPort: 0 }) : null;
  const mail = mailbox ? { smtpUrl: mailbox.smtpUrl, devMailboxUrl: mailbox.httpUrl! } : null;
  const federation = await startFederation(
    profiles.map((p) => ({
      code: p.code,
      name: p.name,
      prefecture: p.prefecture,
      location: { latitude: p.latitude, longitude: p.longitude },
    })),
    {
      gatewayPort,
      ...(provider ? {} : { devSignIn: true }),
      ...(mail ? { smtpUrl: mail.smtpUrl } : {}),
      gateway: {
        ...(provider ? { signIn: provider.signInOption(gatewayOrigin) } : {}),
        ...(mail ? { devMailboxUrl: mail.devMailboxUrl } : {}),
      },
    },
  );
  const now = new Date();
  for (const [index, profile] of profiles.entries()) {
    const data = generateInstitution(toDemoInstitution(profile), index, {
      institutionCount: 3,
      instrumentsPerInstitution: options.instruments ?? 40,
      now,
    });
    await seedInstitution(federation.services.get(profile.code)!.database.db, data);
  }
  await federation.gateway.probe();
  const browser = await chromium.launch({ executablePath: chromiumPath!, headless: true, args: ['--no-sandbox'] });
  await mkdir(SCREENSHOTS, { recursive: true });
  const origin = federation.gatewayUrl.replace(/\/graphql$/, '');
  return {
    origin,
    federation,
    provider,
    mailbox,
    institutions: profiles.map((p) => ({ code: p.code, name: p.name })),
    browser,
    async open(openOptions = {}) {
      const context = await browser.newContext({
        locale: openOptions.lang === 'en' ? 'en-GB' : 'ja-JP',
        timezoneId: 'Asia/Tokyo',
        viewport: { width: 1280, height: 900 },
      });
      if (openOptions.lang) await context.addInitScript(`localStorage.setItem('kyoyo.lang', '${openOptions.lang}')`);
      // Offline: nothing but the gateway may be asked for.
      await context.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      await page.locator('header.top .brand').waitFor(); // the console has rendered (and restored its session)
      return { context, page };
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    async stop() {
      await browser.close();
      await federation.stop();
      await provider?.stop();
      await mailbox?.stop();
    },
  };
}

/** Signs in on the console's development sign-in page as `who` (fills the form as a user would). */
export async function signIn(
  page: Page,
  who: { sub: string; institution?: string; organization?: string; roles: string[]; affiliation?: 'academic' | 'industry' },
): Promise<void> {
  await page.goto(`${page.url().split('#')[0]}#/sign-in`);
  await page.locator('header.top .brand').waitFor();
  await page.locator('input[name="sub"]').fill(who.sub);
  await page.locator('select[name="institution"]').selectOption(who.institution ?? '');
  await page.locator('input[name="organization"]').fill(who.organization ?? '');
  if (who.affiliation === 'industry') await page.locator('input[name="affiliation"]').nth(1).check();
  for (const box of await page.locator('input[name="roles"]').all()) {
    const wanted = who.roles.includes((await box.getAttribute('value')) ?? '');
    if ((await box.isChecked()) !== wanted) await box.setChecked(wanted);
  }
  await page.locator('form button[type="submit"]').click();
  await page.getByTestId('viewer').waitFor();
}
