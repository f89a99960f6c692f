import type { Browser, BrowserContext } from 'playwright-core';
import { buildApplication } from '../../config/application';
import { readSettings } from '../../config/settings';
import { createLogger, type Database, type TrestleApp } from '../../framework';
import { openTestDatabase } from '../support/app';
import { describeBrowser, launchBrowser, serve, watchPage, type Served } from '../support/browser';

describeBrowser('the request inspector in a browser (development)', () => {
  let db: Database;
  let app: TrestleApp;
  let server: Served;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    db = await openTestDatabase();
    app = buildApplication(readSettings({ NODE_ENV: 'development', PASSWORD_HASH_COST: '12' }), db, createLogger({ level: 'silent' }));
    // A route of the app's own that fails, registered with Express's API.
    app.get('/kettle', () => {
      throw new Error('the kettle is empty');
    });
    server = await serve(app);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.close();
  });

  beforeEach(async () => {
    context = await browser.newContext({ baseURL: server.origin, viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
  });

  afterEach(async () => {
    await context?.close();
  });

  test("a page's badge opens its record, which shows the page's SQL; the list shows new requests as they finish", async () => {
    const page = await context.newPage();
    const problems = await watchPage(page);
    await page.goto('/posts');
    const badge = page.locator('#trestle-badge');
    await expect(badge.isVisible()).resolves.toBe(true);
    expect(await badge.innerText()).toMatch(/^200\s+[\d.]+ ms\s+3 queries$/);
    // Fixed in the corner by the inspector's stylesheet.
    expect(await badge.evaluate((element) => getComputedStyle(element).position)).toBe('fixed');
    await Promise.all([page.waitForURL(/\/_trestle\/requests\/[\w-]+$/), badge.click()]);
    expect(await page.locator('h1').innerText()).toMatch(/^GET \/posts 200$/);
    const statements = page.locator('table.ti-sql code.ti-code');
    expect(await statements.allInnerTexts()).toEqual(expect.arrayContaining([expect.stringMatching(/^select .* from "posts"/)]));
    expect(await page.locator('.ti-timeline .ti-bar-sql').count()).toBeGreaterThan(0);
    expect(await page.getByText('PostsController#index').count()).toBeGreaterThan(0);

    await page.goto('/_trestle/requests');
    const rows = page.locator('table.ti-requests tbody tr');
    const before = await rows.count();
    await page.waitForTimeout(200); // the live stream connects
    await context.request.get('/login/');
    await page.waitForFunction((count) => document.querySelectorAll('table.ti-requests tbody tr').length > count, before);
    expect(await rows.first().innerText()).toContain('/login/');
    expect(await problems.collect()).toEqual([]);
  });

  test('the development error page shows the failing line in its source, and links to the record', async () => {
    const page = await context.newPage();
    const problems = await watchPage(page);
    const response = await page.goto('/kettle');
    expect(response?.status()).toBe(500);
    expect(await page.locator('h1').innerText()).toBe('Error: the kettle is empty');
    expect(await page.locator('.ti-excerpt .ti-failing').innerText()).toMatch(/throw new Error\('the kettle is empty'\);/);
    expect(await page.locator('.ti-excerpt .ti-line').count()).toBeGreaterThan(3);
    await Promise.all([page.waitForURL(/\/_trestle\/requests\//), page.locator('a.ti-record-link').click()]);
    expect(await page.locator('h1').innerText()).toMatch(/^GET \/kettle 500$/);
    // The 500 itself is a console error in Chromium; nothing else (no CSP violation) is.
    expect((await problems.collect()).filter((problem) => !/status of 500/.test(problem.text))).toEqual([]);
  });
});
