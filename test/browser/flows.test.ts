import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page, Response } from 'playwright-core';
import { useTestApp } from '../support/app';
import { createUser, testPassword } from '../support/auth';
import { describeBrowser, launchBrowser, serve, watchPage, type PageProblem, type Served } from '../support/browser';

/** Where test 5 writes its PNGs (tmp/ is git-ignored). */
const screenshotDir = path.join(__dirname, '..', '..', 'tmp', 'screenshots');

/** A browser's own look, before any stylesheet: what `app.css` must have changed. */
const unstyled = { bodyMargin: '8px', transparent: 'rgba(0, 0, 0, 0)' };

describeBrowser('the application in a browser (Chromium)', () => {
  const t = useTestApp();
  let server: Served;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    server = await serve(t.app);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    context = await browser.newContext({ baseURL: server.origin, viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
  });

  afterEach(async () => {
    await context?.close();
  });

  // ——— helpers ———

  /** Clicks something that loads a new page (a link, a form's button) and waits for it; the final response (after redirects). */
  async function clickAndLoad(page: Page, target: Locator): Promise<Response | null> {
    const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), target.click()]);
    return response;
  }

  const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });
  const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
  const nav = (page: Page) => page.locator('header.nav');
  const text = async (locator: Locator) => (await locator.innerText()).trim();
  const pathOf = (page: Page) => new URL(page.url()).pathname;

  /** Flash messages as seen: `{ notice, alert }`, each undefined when not shown. */
  async function flashes(page: Page): Promise<{ notice?: string; alert?: string }> {
    const read = async (kind: string) => {
      const shown = page.locator(`main .flash.${kind}`);
      return (await shown.count()) ? text(shown.first()) : undefined;
    };
    return { notice: await read('notice'), alert: await read('alert') };
  }

  /** What the nav says about who is signed in. */
  async function navState(page: Page): Promise<{ me?: string; signOut: boolean; signIn: boolean; signUp: boolean }> {
    const me = nav(page).locator('a.me');
    return {
      me: (await me.count()) ? await text(me) : undefined,
      signOut: (await nav(page).getByRole('button', { name: 'Sign out' }).count()) === 1,
      signIn: (await nav(page).getByRole('link', { name: 'Sign in', exact: true }).count()) === 1,
      signUp: (await nav(page).getByRole('link', { name: 'Sign up', exact: true }).count()) === 1,
    };
  }

  /** The database session behind this browser's cookie, if any. */
  async function sessionOfBrowser(): Promise<{ userId?: number } | undefined> {
    const cookie = (await context.cookies()).find((c) => c.name === 'trestle.sid');
    if (!cookie) return undefined;
    // express-session's cookie is `s:<sid>.<signature>`, URL-encoded.
    const sid = decodeURIComponent(cookie.value).replace(/^s:/, '').replace(/\.[^.]+$/, '');
    const row = await t.knex('sessions').where({ sid }).first();
    return row ? (typeof row.sess === 'string' ? JSON.parse(row.sess) : row.sess) : undefined;
  }

  async function signedInSessions(userId: number): Promise<number> {
    const rows: Array<{ sess: { userId?: number } | string }> = await t.knex('sessions').select('sess');
    return rows.map((r) => (typeof r.sess === 'string' ? JSON.parse(r.sess) : r.sess)).filter((s) => s.userId === userId).length;
  }

  async function userCount(): Promise<number> {
    const row = await t.knex('users').count({ n: '*' }).first();
    return Number(row?.n);
  }

  async function seededIds(): Promise<{ alex: number; post: number }> {
    const alex = await t.knex('users').where({ email: 'alex@example.com' }).first('id');
    const post = await t.knex('posts').where({ title: 'The essence of a web framework' }).first('id');
    return { alex: alex.id, post: post.id };
  }

  // ——— 1. the whole round trip ———

  test('sign up, sign out, sign in again, write a post, edit its title, sign out', async () => {
    const page = await context.newPage();
    const name = 'Ada Lovelace';
    const email = 'ada@example.com';
    const password = 'analytical-engine';

    // Sign up.
    await page.goto('/signup');
    expect(await text(page.locator('h1'))).toBe('Sign up');
    expect(await navState(page)).toEqual({ me: undefined, signOut: false, signIn: true, signUp: true });
    await field(page, 'Name').fill(name);
    await field(page, 'Email').fill(email);
    await field(page, 'Password').fill(password);
    let response = await clickAndLoad(page, button(page, 'Create account'));

    const user = await t.knex('users').where({ email }).first();
    expect(user).toMatchObject({ name, email });
    expect(user.password_hash).toMatch(/^scrypt\$/);
    expect(user.password_hash).not.toContain(password);
    expect(response?.status()).toBe(200);
    expect(pathOf(page)).toBe(`/users/${user.id}`);
    expect(await flashes(page)).toEqual({ notice: `Welcome, ${name}! Your account is ready.`, alert: undefined });
    expect(await text(page.locator('h1'))).toBe(name);
    expect(await navState(page)).toEqual({ me: name, signOut: true, signIn: false, signUp: false });
    expect((await sessionOfBrowser())?.userId).toBe(user.id);

    // The flash shows once: a reload no longer has it, and the user is still signed in.
    await page.reload();
    expect(await flashes(page)).toEqual({ notice: undefined, alert: undefined });
    expect((await navState(page)).me).toBe(name);

    // Sign out (a button in the nav: a POST with the CSRF token).
    response = await clickAndLoad(page, nav(page).getByRole('button', { name: 'Sign out' }));
    expect(response?.status()).toBe(200);
    expect(pathOf(page)).toBe('/');
    expect(await flashes(page)).toEqual({ notice: 'Signed out.', alert: undefined });
    expect(await navState(page)).toEqual({ me: undefined, signOut: false, signIn: true, signUp: true });
    expect(await signedInSessions(user.id)).toBe(0);

    // Writing needs a signed-in author: the browser is sent to the sign-in form, then back.
    await page.goto('/posts/new');
    expect(pathOf(page)).toBe('/login/');
    expect(await flashes(page)).toEqual({ notice: undefined, alert: 'Please sign in first.' });

    // Sign in again, with the same password.
    await field(page, 'Email').fill(email);
    await field(page, 'Password').fill(password);
    response = await clickAndLoad(page, button(page, 'Sign in'));
    expect(response?.status()).toBe(200);
    expect(pathOf(page)).toBe('/posts/new');
    expect(await flashes(page)).toEqual({ notice: `Signed in as ${name}.`, alert: undefined });
    expect(await navState(page)).toEqual({ me: name, signOut: true, signIn: false, signUp: false });
    expect(await signedInSessions(user.id)).toBe(1);

    // Write a post.
    expect(await text(page.locator('h1'))).toBe('New post');
    expect(await field(page, 'Published').isChecked()).toBe(false);
    await field(page, 'Title').fill('Notes on the engine');
    await field(page, 'Body').fill('It weaves algebraic patterns\njust as the loom weaves flowers.');
    await field(page, 'Published').check();
    response = await clickAndLoad(page, button(page, 'Publish'));

    const post = await t.knex('posts').where({ user_id: user.id }).first();
    // A browser sends a textarea's line breaks as CRLF; the app stores them as sent.
    expect(post).toMatchObject({ title: 'Notes on the engine', body: 'It weaves algebraic patterns\r\njust as the loom weaves flowers.', published: true });
    expect(response?.status()).toBe(200);
    expect(pathOf(page)).toBe(`/posts/${post.id}`);
    expect(await flashes(page)).toEqual({ notice: 'The post was published.', alert: undefined });
    expect(await text(page.locator('h1'))).toBe('Notes on the engine');
    expect(await text(page.locator('article .muted'))).toContain(`by ${name}`);
    expect(await page.locator('article .badge').count()).toBe(0); // published: no "draft" badge
    expect(await text(page.locator('article .body'))).toBe('It weaves algebraic patterns\njust as the loom weaves flowers.');

    // Edit its title.
    response = await clickAndLoad(page, page.getByRole('link', { name: 'Edit', exact: true }));
    expect(pathOf(page)).toBe(`/posts/${post.id}/edit`);
    expect(await text(page.locator('h1'))).toBe('Edit post');
    expect(await field(page, 'Title').inputValue()).toBe('Notes on the engine');
    expect(await field(page, 'Published').isChecked()).toBe(true);
    await field(page, 'Title').fill('Notes on the Analytical Engine');
    response = await clickAndLoad(page, button(page, 'Save changes'));

    expect(response?.status()).toBe(200);
    expect(pathOf(page)).toBe(`/posts/${post.id}`);
    expect(await flashes(page)).toEqual({ notice: 'The post was updated.', alert: undefined });
    expect(await text(page.locator('h1'))).toBe('Notes on the Analytical Engine');
    expect(await page.title()).toBe('Notes on the Analytical Engine · Trestle');
    expect(await t.knex('posts').where({ id: post.id }).first()).toMatchObject({ title: 'Notes on the Analytical Engine', body: post.body, published: true, user_id: user.id });

    // The list shows the new title too.
    await page.goto('/posts');
    expect(await page.locator('ul.posts').getByRole('link', { name: 'Notes on the Analytical Engine' }).count()).toBe(1);
    expect(await page.locator('ul.posts').getByRole('link', { name: 'Notes on the engine', exact: true }).count()).toBe(0);

    // Sign out.
    response = await clickAndLoad(page, nav(page).getByRole('button', { name: 'Sign out' }));
    expect(pathOf(page)).toBe('/');
    expect(await flashes(page)).toEqual({ notice: 'Signed out.', alert: undefined });
    expect(await navState(page)).toEqual({ me: undefined, signOut: false, signIn: true, signUp: true });
    expect(await text(nav(page).getByRole('link', { name: 'Sign in', exact: true }))).toBe('Sign in');
    expect(await signedInSessions(user.id)).toBe(0);
    // Signed out for real: the post page no longer offers Edit or Delete.
    await page.goto(`/posts/${post.id}`);
    expect(await page.getByRole('link', { name: 'Edit', exact: true }).count()).toBe(0);
    expect(await button(page, 'Delete').count()).toBe(0);
  }, 45_000);

  test("an author deletes their post with its Delete button; another user's post offers neither Edit nor Delete", async () => {
    const user = await createUser({ name: 'Del Author' });
    const [mine] = await t.knex('posts').insert({ user_id: user.id, title: 'Soon gone', body: '', published: true }).returning('id');
    const { post: alexPost } = await seededIds();
    const page = await context.newPage();
    await page.goto('/login/');
    await field(page, 'Email').fill(user.email);
    await field(page, 'Password').fill(testPassword);
    await clickAndLoad(page, button(page, 'Sign in'));

    // Someone else's post: no buttons, and its edit page is refused.
    await page.goto(`/posts/${alexPost}`);
    expect(await page.getByRole('link', { name: 'Edit', exact: true }).count()).toBe(0);
    expect(await button(page, 'Delete').count()).toBe(0);
    const refused = await page.goto(`/posts/${alexPost}/edit`);
    expect(refused?.status()).toBe(403);
    expect(await page.locator('main').innerText()).toContain('You can only change your own posts.');

    // Their own: Delete goes back to the list, with a notice, and the row is gone.
    await page.goto(`/posts/${mine.id}`);
    const response = await clickAndLoad(page, button(page, 'Delete'));
    expect(response?.status()).toBe(200);
    expect(pathOf(page)).toBe('/posts');
    expect(await flashes(page)).toEqual({ notice: 'The post was deleted.', alert: undefined });
    expect(await page.locator('ul.posts').getByRole('link', { name: 'Soon gone' }).count()).toBe(0);
    expect(await t.knex('posts').where({ id: mine.id }).first()).toBeUndefined();
  }, 30_000);

  // ——— 2. a bad form ———

  test('a bad sign-up shows the summary and each message by its field, keeps name and email, never the password, and writes nothing', async () => {
    const page = await context.newPage();
    const before = await userCount();
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });

    await page.goto('/signup');
    // The browser's own checks (required, type=email) stop an empty form before it is sent.
    await button(page, 'Create account').click();
    expect(pathOf(page)).toBe('/signup');
    expect(await field(page, 'Name').evaluate((input: HTMLInputElement) => input.validity.valueMissing)).toBe(true);
    expect(posts).toEqual([]);

    // Past them (as a browser without validation, or a script, would be), the server answers.
    const form = page.locator('main form.form');
    await form.evaluate((f: HTMLFormElement) => {
      f.noValidate = true;
    });
    await field(page, 'Name').fill('');
    await field(page, 'Email').fill('not-an-email');
    await field(page, 'Password').fill('tiny7');
    let response = await clickAndLoad(page, button(page, 'Create account'));

    expect(response?.status()).toBe(422);
    expect(posts).toHaveLength(1);
    expect(await text(page.locator('h1'))).toBe('Sign up');
    expect(await text(page.locator('.error-summary'))).toBe('Please correct 3 errors below.');
    expect(await page.locator('.error-summary').getAttribute('role')).toBe('alert');
    const expected: Record<string, string> = {
      name: "Name can't be blank",
      email: 'Email is not a valid email address',
      password: 'Password is too short (at least 8 characters)',
    };
    for (const [name, message] of Object.entries(expected)) {
      // The message sits in the same .field as its input, and the input points at it.
      const box = page.locator('.field', { has: page.locator(`#user_${name}`) });
      expect(await box.getAttribute('class')).toBe('field has-error');
      expect(await text(box.locator('.field-error'))).toBe(message);
      expect(await page.locator(`#user_${name}`).getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator(`#user_${name}`).getAttribute('aria-describedby')).toBe(`user_${name}_error`);
      expect(await text(page.locator(`#user_${name}_error`))).toBe(message);
    }
    expect(await page.locator('.field-error').count()).toBe(3);
    // The error style applies: a red message and a red border (--danger, #b42318).
    expect(await page.locator('#user_email_error').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(180, 35, 24)');
    expect(await page.locator('#user_email').evaluate((el) => getComputedStyle(el).borderTopColor)).toBe('rgb(180, 35, 24)');
    // What was typed comes back, except the password.
    expect(await field(page, 'Name').inputValue()).toBe('');
    expect(await field(page, 'Email').inputValue()).toBe('not-an-email');
    expect(await field(page, 'Password').inputValue()).toBe('');
    expect(await page.locator('#user_password').getAttribute('value')).toBe('');
    expect(await page.content()).not.toContain('tiny7');

    // Fix two of the three: the name comes back as typed, the email is still wrong.
    await form.evaluate((f: HTMLFormElement) => {
      f.noValidate = true;
    });
    await field(page, 'Name').fill('Grace Hopper');
    await field(page, 'Password').fill('a-long-enough-password');
    response = await clickAndLoad(page, button(page, 'Create account'));

    expect(response?.status()).toBe(422);
    expect(await text(page.locator('.error-summary'))).toBe('Please correct the error below.');
    expect(await page.locator('.field-error').count()).toBe(1);
    expect(await text(page.locator('#user_email_error'))).toBe('Email is not a valid email address');
    expect(await page.locator('.field', { has: page.locator('#user_name') }).getAttribute('class')).toBe('field');
    expect(await field(page, 'Name').inputValue()).toBe('Grace Hopper');
    expect(await field(page, 'Email').inputValue()).toBe('not-an-email');
    expect(await field(page, 'Password').inputValue()).toBe('');
    expect(await page.content()).not.toContain('a-long-enough-password');

    // Nothing was written, and nobody is signed in.
    expect(await userCount()).toBe(before);
    expect(await t.knex('users').where({ name: 'Grace Hopper' }).first()).toBeUndefined();
    expect((await sessionOfBrowser())?.userId).toBeUndefined();
    expect((await navState(page)).signIn).toBe(true);
  }, 30_000);

  // ——— 3. a wrong password ———

  test('a wrong password (or an unknown email) shows "Invalid email or password." and signs no one in', async () => {
    const page = await context.newPage();
    const { alex } = await seededIds();

    for (const [email, password] of [
      ['alex@example.com', 'not-alex-password'],
      ['nobody@example.com', 'whatever-password'],
    ] as const) {
      await page.goto('/login/');
      expect(await text(page.locator('h1'))).toBe('Sign in');
      await field(page, 'Email').fill(email);
      await field(page, 'Password').fill(password);
      const response = await clickAndLoad(page, button(page, 'Sign in'));

      expect(response?.status()).toBe(401);
      expect(pathOf(page)).toBe('/login/');
      expect(await text(page.locator('h1'))).toBe('Sign in');
      expect(await flashes(page)).toEqual({ notice: undefined, alert: 'Invalid email or password.' });
      expect(await field(page, 'Email').inputValue()).toBe(email);
      expect(await field(page, 'Password').inputValue()).toBe('');
      expect(await page.content()).not.toContain(password);
      expect(await navState(page)).toEqual({ me: undefined, signOut: false, signIn: true, signUp: true });
      expect((await sessionOfBrowser())?.userId).toBeUndefined();
    }
    expect(await signedInSessions(alex)).toBe(0);

    // Still signed out on the next page: writing a post asks to sign in.
    await page.goto('/posts/new');
    expect(pathOf(page)).toBe('/login/');
    expect(await flashes(page)).toEqual({ notice: undefined, alert: 'Please sign in first.' });
  }, 30_000);

  // ——— 4. no CSP violation, no console error ———

  /** Visits each path, asserting its status and that app.css applied; returns every problem seen. */
  async function visitAll(page: Page, pages: Array<[path: string, status: number]>): Promise<PageProblem[]> {
    const watcher = await watchPage(page);
    let problems: PageProblem[] = [];
    for (const [pathname, status] of pages) {
      const response = await page.goto(pathname);
      expect({ pathname, status: response?.status() }).toEqual({ pathname, status });
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      // The stylesheet applied: the browser's defaults are an 8px body margin, a transparent nav, a serif font.
      const look = await page.evaluate(() => {
        const body = getComputedStyle(document.body);
        const navBar = document.querySelector('header.nav');
        return {
          bodyMargin: body.margin,
          bodyFont: body.fontFamily,
          navBackground: navBar ? getComputedStyle(navBar).backgroundColor : 'no nav',
          navDisplay: navBar?.querySelector('nav') ? getComputedStyle(navBar.querySelector('nav')!).display : 'no nav',
          sheets: document.styleSheets.length,
        };
      });
      expect({ pathname, ...look }).toEqual({ pathname, bodyMargin: '0px', bodyFont: expect.stringContaining('system-ui'), navBackground: 'rgb(246, 248, 250)', navDisplay: 'flex', sheets: 1 });
      expect(look.bodyMargin).not.toBe(unstyled.bodyMargin);
      expect(look.navBackground).not.toBe(unstyled.transparent);
      problems = await watcher.collect();
    }
    return problems;
  }

  /**
   * The app serves no /favicon.ico, so Chromium's own request for it (made once, some time after the
   * first page loads) logs a 404; and a favicon fetch still running when the next page starts is
   * cancelled. Both are left out here; the test "the site has a favicon" below shows the icon.
   */
  const isFaviconNoise = (p: PageProblem) =>
    (p.kind === 'console' && new URL(p.url, server.origin).pathname === '/favicon.ico' && /status of 404/.test(p.text)) ||
    // Chromium fetches the icon after the page, and cancels the fetch when the test moves on at once.
    (p.kind === 'requestfailed' && /^\/favicon\.(ico|svg)$/.test(new URL(p.url, server.origin).pathname) && p.text === 'net::ERR_ABORTED');

  test('every main page loads with no CSP violation and no console error, styled by app.css', async () => {
    const page = await context.newPage();
    // A draft is its author's alone (a 404 to a visitor); the signed-in test below opens its own.
    const { alex, post } = await seededIds();
    const notFound = '/no-such-page';
    const problems = await visitAll(page, [
      ['/', 200],
      ['/index/', 200],
      ['/index1/', 200],
      ['/login/', 200],
      ['/signup', 200],
      ['/users', 200],
      [`/users/${alex}`, 200],
      [`/users/${alex}/posts`, 200],
      ['/posts', 200],
      [`/posts/${post}`, 200],
      [notFound, 404],
    ]);
    // The one expected: Chromium logs the 404 of the document itself.
    const expected = (p: PageProblem) => p.kind === 'console' && p.url === `${server.origin}${notFound}` && /status of 404/.test(p.text);
    expect(problems.filter(expected)).toHaveLength(1);
    expect(problems.filter((p) => !expected(p) && !isFaviconNoise(p))).toEqual([]);
    expect(await text(page.locator('h1'))).toBe('Page not found');
  }, 45_000);

  test('signed in, the pages with forms and buttons also load with no CSP violation and no console error', async () => {
    const user = await createUser({ name: 'Csp Checker' });
    const own = await t.knex('posts').insert({ user_id: user.id, title: 'Mine', body: 'text', published: false }).returning('id');
    const postId = (own[0] as { id: number }).id;
    const page = await context.newPage();
    await page.goto('/login/');
    await field(page, 'Email').fill(user.email);
    await field(page, 'Password').fill(testPassword);
    await clickAndLoad(page, button(page, 'Sign in'));
    expect((await navState(page)).me).toBe('Csp Checker');

    const problems = await visitAll(page, [
      ['/', 200],
      [`/users/${user.id}`, 200],
      [`/users/${user.id}/edit`, 200],
      ['/posts/new', 200],
      [`/posts/${postId}`, 200],
      [`/posts/${postId}/edit`, 200],
    ]);
    expect(problems.filter((p) => !isFaviconNoise(p))).toEqual([]);
  }, 45_000);

  test('the watcher does see a CSP violation: an inline script is refused', async () => {
    const page = await context.newPage();
    const watcher = await watchPage(page);
    await page.goto('/');
    expect(await watcher.collect()).toEqual([]);
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'document.body.dataset.inline = "ran"';
      document.body.append(script);
    });
    const problems = await watcher.collect();
    expect(await page.evaluate(() => document.body.dataset.inline)).toBeUndefined();
    expect(problems.some((p) => p.kind === 'csp' && /script-src/.test(p.text))).toBe(true);
  }, 30_000);

  // ——— 5. screenshots ———

  test('screenshots of the main pages (tmp/screenshots/*.png), none wider than the window', async () => {
    mkdirSync(screenshotDir, { recursive: true });
    const { alex, post } = await seededIds();
    const page = await context.newPage();
    const shots: string[] = [];

    async function shoot(name: string): Promise<void> {
      const file = path.join(screenshotDir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      shots.push(file);
      // No sideways scrolling at desktop width.
      const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      expect({ name, overflow: widths.scroll > widths.client }).toEqual({ name, overflow: false });
    }

    for (const [name, pathname] of [
      ['home', '/'],
      ['index1', '/index1/'],
      ['users', '/users'],
      ['user', `/users/${alex}`],
      ['posts', '/posts'],
      ['post', `/posts/${post}`],
      ['sign-in', '/login/'],
    ] as const) {
      await page.goto(pathname);
      await shoot(name);
    }

    await page.goto('/signup');
    await page.locator('main form.form').evaluate((f: HTMLFormElement) => {
      f.noValidate = true;
    });
    await field(page, 'Email').fill('not-an-email');
    await field(page, 'Password').fill('short');
    await clickAndLoad(page, button(page, 'Create account'));
    expect(await page.locator('.field-error').count()).toBe(3);
    await shoot('sign-up-errors');

    for (const file of shots) {
      const size = statSync(file).size;
      expect({ file, big: size > 5_000 }).toEqual({ file, big: true });
    }
  }, 45_000);

  // ——— defects these tests found (they fail until the app is fixed) ———

  describe('layout and assets', () => {
    test("the content is spaced from the nav: main's own padding (2rem top, 3rem bottom, in app.css) applies", async () => {
      // app.css has `main { padding: 2rem 1.25rem 3rem }`, but <main class="container"> also gets
      // `.container { padding: 0 1.25rem }`, which wins (a class beats an element selector): the
      // page's heading touches the nav bar and the footer sits right under the content.
      const page = await context.newPage();
      await page.goto('/posts');
      const spacing = await page.evaluate(() => {
        const main = document.querySelector('main')!;
        const style = getComputedStyle(main);
        return { paddingTop: style.paddingTop, paddingBottom: style.paddingBottom, gapUnderNav: main.getBoundingClientRect().top - document.querySelector('header.nav')!.getBoundingClientRect().bottom + parseFloat(style.paddingTop) };
      });
      expect(spacing).toEqual({ paddingTop: '32px', paddingBottom: '48px', gapUnderNav: 32 });
    }, 30_000);

    test('at phone width (375px) the pages are no wider than the screen', async () => {
      // The nav is one flex row that never wraps: seven links need ~460px, so on a phone the page
      // scrolls sideways, the links break inside ("Static / page", "Sign / in") and the last ones
      // hang past the nav's background. Signed in (name + "Sign out") it is wider still.
      const phone = await browser.newContext({ baseURL: server.origin, viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
      try {
        const page = await phone.newPage();
        mkdirSync(screenshotDir, { recursive: true });
        const widths: Record<string, number> = {};
        for (const pathname of ['/', '/posts', '/users', '/signup']) {
          await page.goto(pathname);
          widths[pathname] = await page.evaluate(() => document.documentElement.scrollWidth);
        }
        await page.goto('/users');
        await page.screenshot({ path: path.join(screenshotDir, 'phone-users.png'), fullPage: true });
        expect(widths).toEqual({ '/': 375, '/posts': 375, '/users': 375, '/signup': 375 });
      } finally {
        await phone.close();
      }
    }, 30_000);

    test("the site has a favicon (without one, every browser's first request of /favicon.ico logs a 404 in the console)", async () => {
      const page = await context.newPage();
      await page.goto('/');
      const icon = await page.evaluate(() => document.querySelector('link[rel~="icon"]')?.getAttribute('href') ?? '/favicon.ico');
      const response = await context.request.get(icon);
      expect({ icon, status: response.status() }).toEqual({ icon, status: 200 });
    }, 30_000);
  });
});
