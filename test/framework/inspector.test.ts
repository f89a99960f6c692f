import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { Controller, createApp, createLogger, defineRoutes, type Database, type TrestleApp } from '../../framework';
import { buildApplication } from '../../config/application';
import { readSettings } from '../../config/settings';
import { User } from '../../app/models/User';
import { openTestDatabase } from '../support/app';
import { createUser, signIn, testPassword } from '../support/auth';

/** A controller that asks for one user at a time: the N+1 the inspector must flag. */
class ProbeController extends Controller {
  async oneByOne() {
    const names = [];
    for (const id of (this.query.ids as string).split(',')) names.push((await User.query().where('id', Number(id)).first())?.name);
    this.json({ names });
  }

  async twice() {
    await User.query().where('id', 1).first();
    await User.query().where('id', 2).first();
    this.json({ ok: true });
  }

  async boom() {
    await User.query().where('id', 1).first();
    throw new Error('the kettle is empty');
  }

  async logs() {
    this.context.logger.info('looking things up');
    this.json({ ok: true });
  }
}

const probeRoutes = defineRoutes((r) => {
  r.get('/probe/one-by-one', ProbeController, 'oneByOne', { name: 'probe.one_by_one' });
  r.get('/probe/twice', ProbeController, 'twice');
  r.get('/probe/logs', ProbeController, 'logs');
  r.get('/probe/boom/:kettle', ProbeController, 'boom', { name: 'probe.boom' });
});

const viewsDir = path.join(__dirname, '..', '..', 'views');
const quiet = createLogger({ level: 'silent' });

describe('the request inspector (development)', () => {
  let db: Database;
  let app: TrestleApp;
  let logFile: string;
  const settings = readSettings({ NODE_ENV: 'development', PASSWORD_HASH_COST: '12', INSPECTOR_SIZE: '5' });

  beforeAll(async () => {
    db = await openTestDatabase();
    logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-inspector-')), 'dev.log');
  });
  // Built again for each test: an app built on the same database takes over its query hook.
  beforeEach(() => {
    app = buildApplication({ ...settings, inspector: { ...settings.inspector, size: 200 } }, db, createLogger({ level: 'info', destination: logFile }));
  });
  afterAll(async () => {
    await db?.close();
  });

  /** The newest recorded request for `path`, with its full record. */
  async function recordOf(target: TrestleApp, pathname: string) {
    const list = await request(target).get('/_trestle/requests.json').expect(200);
    const summary = list.body.requests.find((r: { path: string }) => r.path === pathname);
    expect(summary).toBeDefined();
    return (await request(target).get(`/_trestle/requests/${summary.id}.json`).expect(200)).body;
  }

  test('records a page: route, action, params, SQL with bindings and app line, views and partials, the time split', async () => {
    const post = await db.knex('posts').where({ published: true }).first();
    const page = await request(app).get(`/posts/${post.id}?ref=feed&api_token=abc&_csrf=def`).expect(200);
    const record = await recordOf(app, `/posts/${post.id}`);
    expect(record).toMatchObject({ method: 'GET', status: 200, url: `/posts/${post.id}?ref=feed&api_token=abc&_csrf=def`, done: true, id: page.headers['x-request-id'] });
    expect(record.route).toEqual({ name: 'posts.show', path: '/posts/:id', action: 'PostsController#show' });
    expect(record.params).toEqual({ id: String(post.id) });
    expect(record.query).toEqual({ ref: 'feed', api_token: '[FILTERED]', _csrf: '[FILTERED]' });
    expect(record.ms).toBeGreaterThan(0);
    expect(Object.keys(record.split)).toEqual(['controller', 'db', 'view']);
    const select = record.queries.find((q: { sql: string }) => /from "posts"/.test(q.sql));
    expect(select).toMatchObject({ bindings: [String(post.id)], rows: 1 });
    expect(select.ms).toBeGreaterThanOrEqual(0);
    expect(select.source).toMatch(/^app\/(controllers|models)\/\w+\.ts:\d+$/);
    const views = record.views.map((v: { name: string; partial: boolean }) => `${v.name}${v.partial ? ' (partial)' : ''}`);
    expect(views).toEqual(expect.arrayContaining(['posts/show', 'layouts/application', 'partials/_nav (partial)', 'partials/_flash (partial)']));
    expect(record.views.every((v: { ms: number }) => v.ms >= 0)).toBe(true);
    expect(record.nPlusOne).toEqual([]);
  });

  test("hides secrets: a sign-in form's password and CSRF token, and the session store's id and contents in its SQL", async () => {
    const user = await createUser();
    const { agent } = await signIn(app, user.email);
    const record = await recordOf(app, '/login/');
    const signInRecord = (await request(app).get('/_trestle/requests.json')).body.requests.find((r: { path: string; method: string }) => r.path === '/login/' && r.method === 'POST');
    const full = (await request(app).get(`/_trestle/requests/${signInRecord.id}.json`)).body;
    // (The CSRF check takes `_csrf` out of the body before the action.)
    expect(full.body).toEqual({ email: user.email, password: '[FILTERED]' });
    expect(JSON.stringify(full)).not.toContain(testPassword);
    const { password_hash: hash } = await db.knex('users').where({ id: user.id }).first();
    expect(JSON.stringify(full)).not.toContain(hash);
    // The session store's writes carry the session id and its contents: hidden as well.
    const sessionWrite = full.queries.find((q: { sql: string }) => /insert into "sessions"/.test(q.sql));
    expect(sessionWrite.bindings).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT/), '[FILTERED]', '[FILTERED]']);
    const emailLookup = full.queries.find((q: { sql: string }) => /from "users" where "email"/.test(q.sql));
    expect(emailLookup.bindings[0]).toBe(user.email);
    expect(record).toBeDefined();
    // Signed in: the next request names the user.
    await agent.get('/posts/new').expect(200);
    expect((await recordOf(app, '/posts/new')).userId).toBe(user.id);
  });

  test('flags the same statement run 3 times or more as an N+1, with the line that ran it and a hint; logs it as a warning', async () => {
    const probe = createApp({ routes: probeRoutes, viewsDir, db, config: { env: 'development' }, logger: createLogger({ level: 'info', destination: logFile }) });
    await request(probe).get('/probe/one-by-one?ids=1,2,3').expect(200);
    await request(probe).get('/probe/twice').expect(200);
    const flagged = await recordOf(probe, '/probe/one-by-one');
    expect(flagged.queries).toHaveLength(3);
    expect(flagged.nPlusOne).toHaveLength(1);
    expect(flagged.nPlusOne[0]).toMatchObject({ count: 3, source: expect.stringMatching(/^test\/framework\/inspector\.test\.ts:\d+$/) });
    expect(flagged.nPlusOne[0].hint).toContain(".with('relation')");
    expect(flagged.nPlusOne[0].shape).toMatch(/from "users" where "id" = \?/);
    expect((await recordOf(probe, '/probe/twice')).nPlusOne).toEqual([]);
    const summary = (await request(probe).get('/_trestle/requests.json')).body.requests.find((r: { path: string }) => r.path === '/probe/one-by-one');
    expect(summary.nPlusOne).toBe(1);
    await waitFor(() => fs.readFileSync(logFile, 'utf8').includes('N+1: the same query on \\"users\\" ran 3 times'));
  });

  test("keeps the request's own log lines", async () => {
    const probe = createApp({ routes: probeRoutes, viewsDir, db, config: { env: 'development' }, logger: createLogger({ level: 'info', destination: logFile }) });
    await request(probe).get('/probe/logs').expect(200);
    expect((await recordOf(probe, '/probe/logs')).logs).toEqual([expect.objectContaining({ level: 'info', msg: 'looking things up' })]);
  });

  test('keeps only the last INSPECTOR_SIZE requests', async () => {
    const small = buildApplication(settings, db, quiet);
    for (let i = 0; i < 8; i++) await request(small).get(`/missing-${i}`).expect(404);
    const kept = (await request(small).get('/_trestle/requests.json')).body.requests.map((r: { path: string }) => r.path);
    expect(kept).toEqual(['/missing-7', '/missing-6', '/missing-5', '/missing-4', '/missing-3']);
    const gone = (await request(small).get('/_trestle/requests.json')).body.requests.length;
    expect(gone).toBe(5);
    await request(small).get('/_trestle/requests/no-such-id.json').expect(404);
  });

  test('the pages: the list newest first, one request with its SQL and timeline, and neither records itself', async () => {
    await request(app).get('/posts').expect(200);
    const before = (await request(app).get('/_trestle/requests.json')).body.requests.length;
    const list = await request(app).get('/_trestle/requests').expect(200).expect('Content-Type', /html/);
    expect(list.text).toContain('Recent requests');
    expect(list.text).toContain('/_trestle/assets/inspector.js');
    const record = await recordOf(app, '/posts');
    const page = await request(app).get(`/_trestle/requests/${record.id}`).expect(200);
    expect(page.text).toContain('PostsController#index');
    expect(page.text).toContain('select');
    expect(page.text).toContain('<svg class="ti-bar-track"');
    await request(app).get('/_trestle/assets/inspector.css').expect(200).expect('Content-Type', /text\/css/);
    expect((await request(app).get('/_trestle/requests.json')).body.requests.length).toBe(before);
  });

  test('HTML pages carry the badge, linking to their record; JSON answers do not', async () => {
    const page = await request(app).get('/posts').expect(200);
    const id = page.headers['x-request-id'];
    expect(page.text).toMatch(new RegExp(`<a id="trestle-badge"[^>]*href="/_trestle/requests/${id}"`));
    expect(page.text).toMatch(/<span class="trestle-badge-status">200<\/span><span>[\d.]+ ms<\/span><span>\d+ quer(y|ies)<\/span>/);
    const json = await request(app).get('/posts').set('Accept', 'application/json').expect(200);
    expect(json.text).not.toContain('trestle-badge');
  });

  test('answers only loopback clients: one behind a proxy or tunnel gets a 404 and no badge', async () => {
    await request(app).get('/_trestle/requests').set('X-Forwarded-For', '203.0.113.9').expect(404);
    await request(app).get('/_trestle/requests.json').set('X-Forwarded-For', '127.0.0.1, 203.0.113.9').expect(404);
    const page = await request(app).get('/posts').set('X-Forwarded-For', '203.0.113.9').expect(200);
    expect(page.text).not.toContain('trestle-badge');
    const allowed = buildApplication({ ...settings, inspector: { ...settings.inspector, allow: ['203.0.113.9'] } }, db, quiet);
    await request(allowed).get('/_trestle/requests.json').set('X-Forwarded-For', '203.0.113.9').expect(200);
  });

  test('the live list: finished requests arrive as server-sent events', async () => {
    const server = app.listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as { port: number };
      const controller = new AbortController();
      const stream = await fetch(`http://127.0.0.1:${port}/_trestle/requests/stream`, { signal: controller.signal });
      expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = stream.body!.getReader();
      await request(app).get('/posts?live=1').expect(200);
      let text = '';
      while (!text.includes('/posts')) text += new TextDecoder().decode((await reader.read()).value);
      expect(text).toMatch(/event: request\ndata: \{[^\n]*"path":"\/posts"[^\n]*"status":200/);
      controller.abort();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('the development error page: the exception, the failing app line in context, the request with secrets hidden, the SQL so far, a link to the record', async () => {
    const probe = createApp({ routes: probeRoutes, viewsDir, db, config: { env: 'development' }, logger: quiet });
    const page = await request(probe).get('/probe/boom/copper?api_key=1').set('Authorization', 'Bearer sesame').set('Cookie', 'trestle.sid=s%3Aabc').expect(500).expect('Content-Type', /html/);
    expect(page.text).toContain('Error: the kettle is empty');
    expect(page.text).toMatch(/<span class="ti-line ti-failing"><span class="ti-lineno">\d+<\/span>    throw new Error\(&#39;the kettle is empty&#39;\);<\/span>/);
    expect(page.text).toContain('test/framework/inspector.test.ts');
    expect(page.text).toContain('ProbeController#boom');
    expect(page.text).toContain('&#34;kettle&#34;: &#34;copper&#34;');
    expect(page.text).toMatch(/&#34;authorization&#34;: &#34;\[FILTERED\]&#34;/);
    expect(page.text).toMatch(/&#34;cookie&#34;: &#34;\[FILTERED\]&#34;/);
    expect(page.text).not.toContain('sesame');
    expect(page.text).toMatch(/select \* from &#34;users&#34; where &#34;id&#34; = \$1/);
    const id = page.headers['x-request-id'];
    expect(page.text).toContain(`href="/_trestle/requests/${id}"`);
    const record = (await request(probe).get(`/_trestle/requests/${id}.json`).expect(200)).body;
    expect(record.error).toMatchObject({ name: 'Error', message: 'the kettle is empty', status: 500 });
    expect(record.error.stack).toContain('ProbeController.boom');
    // JSON clients keep the problem document.
    const json = await request(probe).get('/probe/boom/copper').set('Accept', 'application/json').expect(500);
    expect(json.body.title).toBe('Internal Server Error');
  });

  test('production keeps the plain error page: no message, source, request, SQL or link', async () => {
    const probe = createApp({ routes: probeRoutes, viewsDir, db, config: { env: 'production' }, logger: quiet });
    const page = await request(probe).get('/probe/boom/copper').set('Authorization', 'Bearer sesame').expect(500);
    for (const leak of ['kettle', 'inspector.test.ts', 'ProbeController', 'select', 'sesame', '_trestle', 'ti-']) expect(page.text).not.toContain(leak);
    expect(page.text).toContain('Something went wrong');
  });

  test('INSPECTOR=false turns it off in development', async () => {
    const off = buildApplication(readSettings({ NODE_ENV: 'development', INSPECTOR: 'false', PASSWORD_HASH_COST: '12' }), db, quiet);
    await request(off).get('/_trestle/requests.json').expect(404);
    expect((await request(off).get('/posts').expect(200)).text).not.toContain('trestle-badge');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
