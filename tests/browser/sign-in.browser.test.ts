import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noBrowser, signIn, startConsoleWorld, type ConsoleWorld } from './support/console';

describe.skipIf(noBrowser)('the console frame', () => {
  let world: ConsoleWorld;
  beforeAll(async () => {
    world = await startConsoleWorld({ instruments: 10 });
  });
  afterAll(() => world?.stop());

  it('is Japanese by default, switches to English and back, and signs in with the development issuer', async () => {
    const { context, page } = await world.open();
    try {
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('ja');
      await page.getByRole('heading', { level: 1, name: 'Kyoyo 共用へようこそ' }).waitFor();
      await page.getByRole('button', { name: 'Switch to English' }).click();
      await page.getByRole('heading', { level: 1, name: 'Welcome to Kyoyo' }).waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      await signIn(page, { sub: 'researcher-7', institution: world.institutions[0]!.code, roles: ['RESEARCHER'] });
      expect(await page.getByTestId('viewer').textContent()).toContain('researcher-7');
      await page.reload();
      await page.getByTestId('viewer').waitFor();
      await page.getByRole('button', { name: '日本語に切り替え' }).click();
      await page.getByRole('heading', { level: 1, name: 'Kyoyo 共用へようこそ' }).waitFor();
      await world.screenshot(page, 'frame-signed-in');
    } finally {
      await context.close();
    }
  });

  it('refuses a sign-in without an organisation outside the federation, saying which field', async () => {
    const { context, page } = await world.open({ lang: 'en' });
    try {
      await page.goto(`${world.origin}/#/sign-in`);
      await page.locator('input[name="sub"]').fill('nobody');
      await page.locator('form button[type="submit"]').click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('organization is required');
      expect(await page.getByTestId('viewer').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
