import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page, Response } from 'playwright-core';
import { runGenerator } from '../../framework/generators';
import { describeBrowser, launchBrowser, watchPage, type PageProblem } from '../support/browser';
import { exited, projectRoot, waitForOutput } from '../support/processes';

/** Where the PNGs go (tmp/ is git-ignored). */
const screenshotDir = path.join(projectRoot, 'tmp', 'screenshots');

/** A copy of the project (not node_modules, which is linked) inside `dir`. */
function copyProject(dir: string): string {
  const copy = path.join(dir, 'app');
  const skip = new Set(['node_modules', '.git', 'dist', 'tmp', '.data', 'coverage']);
  fs.cpSync(projectRoot, copy, { recursive: true, filter: (source) => !skip.has(path.basename(source)) || path.dirname(source) !== projectRoot });
  fs.symlinkSync(path.join(projectRoot, 'node_modules'), path.join(copy, 'node_modules'));
  return copy;
}

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `node --import tsx server.ts` in `cwd`, its stdout and stderr collected (the shape `waitForOutput` reads). */
function startServer(cwd: string, env: NodeJS.ProcessEnv): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return Object.assign(child, { output: () => output });
}

describeBrowser('a generated resource in a browser (Chromium, on a copy of the project)', () => {
  let dir: string;
  let server: ReturnType<typeof startServer> | undefined;
  let origin: string;
  let browser: Browser | undefined;
  let context: BrowserContext;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-generated-browser-'));
    const copy = copyProject(dir);
    const lines: string[] = [];
    const code = runGenerator(['generate', 'resource', 'Article', 'title:string', 'body:text', 'published:boolean'], { root: copy, print: (line) => lines.push(line) });
    if (code !== 0) throw new Error(`the generator failed:\n${lines.join('\n')}`);

    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', PORT: String(port), HOST: '127.0.0.1', EMBEDDED_DB_DIR: path.join(dir, 'data'), LOG_LEVEL: 'info' };
    // The copy runs on its own embedded database, whatever this shell points at.
    delete env.DATABASE_URL;
    delete env.JEST_WORKER_ID;
    delete env.WEB_CONCURRENCY;
    delete env.LOG_FILE;
    delete env.AUTO_MIGRATE;
    server = startServer(copy, env);
    await waitForOutput(server, new RegExp(`listening on http://localhost:${port}`), 60_000);
    origin = `http://127.0.0.1:${port}`;

    browser = await launchBrowser();
    context = await browser.newContext({ baseURL: origin, viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null && server.signalCode === null) {
      const done = exited(server);
      server.kill('SIGTERM');
      const timer = setTimeout(() => server?.kill('SIGKILL'), 15_000);
      await done;
      clearTimeout(timer);
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  async function clickAndLoad(page: Page, target: Locator): Promise<Response | null> {
    const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), target.click()]);
    return response;
  }
  const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });
  const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
  const text = async (locator: Locator) => (await locator.innerText()).trim();
  const pathOf = (page: Page) => new URL(page.url()).pathname;
  const notice = async (page: Page) => {
    const shown = page.locator('main .flash.notice');
    return (await shown.count()) ? text(shown.first()) : undefined;
  };
  /** Problems worth failing for: all of them but a missing /favicon.ico. */
  const real = (problems: PageProblem[]) => problems.filter((p) => !(/\/favicon\.ico$/.test(p.url) && /404|Failed to load resource/.test(p.text)));

  test('sign up, then create, edit, list and delete an article', async () => {
    fs.mkdirSync(screenshotDir, { recursive: true });
    const page = await context.newPage();
    const watch = await watchPage(page);
    const problems: PageProblem[] = [];
    const check = async (step: string) => {
      const now = real(await watch.collect()).filter((p) => !problems.includes(p));
      problems.push(...now);
      expect({ step, problems: now }).toEqual({ step, problems: [] });
    };

    // Sign up (the generated pages' New/Edit/Delete are for signed-in users).
    let response = await page.goto('/signup');
    expect(response?.status()).toBe(200);
    await field(page, 'Name').fill('Grace Hopper');
    await field(page, 'Email').fill('grace@example.com');
    await field(page, 'Password').fill('compiler-a-0-1952');
    response = await clickAndLoad(page, button(page, 'Create account'));
    expect(response?.status()).toBe(200);
    expect(await notice(page)).toBe('Welcome, Grace Hopper! Your account is ready.');
    await check('sign up');

    // The (empty) list, and its "New article" button.
    response = await page.goto('/articles');
    expect(response?.status()).toBe(200);
    expect(await text(page.locator('h1'))).toBe('Articles');
    response = await clickAndLoad(page, page.getByRole('link', { name: 'New article', exact: true }));
    expect(response?.status()).toBe(200);
    expect(pathOf(page)).toBe('/articles/new');
    expect(await text(page.locator('h1'))).toBe('New article');
    await check('new article form');

    // Create.
    await field(page, 'Title').fill('Hello from the generator');
    await field(page, 'Body').fill('Made by `generate resource`, checked in Chromium.');
    await field(page, 'Published').check();
    await page.screenshot({ path: path.join(screenshotDir, 'generated-form.png'), fullPage: true });
    response = await clickAndLoad(page, button(page, 'Create'));
    expect(response?.status()).toBe(200);
    expect(pathOf(page)).toMatch(/^\/articles\/\d+$/);
    const id = pathOf(page).split('/').pop()!;
    expect(await notice(page)).toBe('Article was created.');
    const details = page.locator('main dl.details');
    expect(await text(details)).toContain('Hello from the generator');
    expect(await text(details)).toContain('Made by `generate resource`, checked in Chromium.');
    expect(await text(details.locator('dt:has-text("Published") + dd'))).toBe('yes');
    await check('create');

    // Edit: the form shows what was saved; change the title.
    response = await clickAndLoad(page, page.getByRole('link', { name: 'Edit', exact: true }));
    expect(response?.status()).toBe(200);
    expect(pathOf(page)).toBe(`/articles/${id}/edit`);
    expect(await field(page, 'Title').inputValue()).toBe('Hello from the generator');
    expect(await field(page, 'Published').isChecked()).toBe(true);
    await field(page, 'Title').fill('Hello again, edited');
    response = await clickAndLoad(page, button(page, 'Save changes'));
    expect(response?.status()).toBe(200);
    expect(pathOf(page)).toBe(`/articles/${id}`);
    expect(await notice(page)).toBe('Article was updated.');
    expect(await text(details)).toContain('Hello again, edited');
    expect(await text(details)).not.toContain('Hello from the generator');
    await check('update');

    // The list shows it, its id linking to it.
    response = await page.goto('/articles');
    expect(response?.status()).toBe(200);
    const row = page.locator('table.table tbody tr', { hasText: 'Hello again, edited' });
    expect(await row.count()).toBe(1);
    const link = row.getByRole('link', { name: id, exact: true });
    expect(await link.getAttribute('href')).toBe(`/articles/${id}`);
    await page.screenshot({ path: path.join(screenshotDir, 'generated-list.png'), fullPage: true });
    response = await clickAndLoad(page, link);
    expect(response?.status()).toBe(200);
    expect(pathOf(page)).toBe(`/articles/${id}`);
    await check('list');

    // Delete.
    response = await clickAndLoad(page, button(page, 'Delete'));
    expect(response?.status()).toBe(200);
    expect(pathOf(page)).toBe('/articles');
    expect(await notice(page)).toBe('Article was deleted.');
    expect(await page.locator('table.table tbody tr', { hasText: 'Hello again, edited' }).count()).toBe(0);
    expect((await page.request.get(`/articles/${id}`)).status()).toBe(404);
    await check('delete');

    expect(problems).toEqual([]);
  }, 60_000);
});
