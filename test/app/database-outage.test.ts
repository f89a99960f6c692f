import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { dropSchema, migrate, openDatabase, seed, type Database, type TrestleApp } from '../../framework';
import { buildApplication } from '../../config/application';
import { migrationPaths } from '../../config/database';
import { readSettings } from '../../config/settings';
import { createUser, csrfFrom, testPassword } from '../support/auth';
import { testDatabaseUrl } from '../support/database-url';
import { TcpProxy } from '../support/tcp-proxy';

// The app reaches this worker's database only through a proxy the test cuts and restores: the
// database "goes away" for the app while the server itself keeps running.
let proxy: TcpProxy;
let db: Database;
let app: TrestleApp;
const logLines: Record<string, unknown>[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n')) if (line) logLines.push(JSON.parse(line));
    done();
  },
});
const json = 'application/json';

beforeAll(async () => {
  const { url } = testDatabaseUrl();
  const target = new URL(url);
  proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
  // One connection (the embedded database serves one at a time); a short wait for it when it is gone.
  db = await openDatabase({ url: proxy.urlFor(url), poolMax: 1, acquireTimeout: 1000, logger: pino({ level: 'silent' }) });
  await dropSchema(db.knex);
  await migrate(db.knex, migrationPaths);
  await seed(db.knex, migrationPaths);
  app = buildApplication(readSettings({ NODE_ENV: 'test' }), db, pino({ level: 'info' }, logStream));
});

afterAll(async () => {
  proxy.restore();
  await db.close();
  await proxy.close();
});

afterEach(() => proxy.restore());

/** The error lines logged for `method url`. */
const errorsLoggedFor = (method: string, url: string) => logLines.filter((line) => (line.level as number) >= 50 && line.method === method && line.url === url);

async function waitUntilReady(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if ((await request(app).get('/readyz')).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the app did not become ready again');
}

test('while the database is unreachable, the session paths answer 503 (HTML or JSON), log the cause once, and recover without a restart', async () => {
  const user = await createUser();
  // A browser that loaded the sign-in form before the outage: it has a session cookie and a token.
  const browser = request.agent(app);
  const form = await browser.get('/login/');
  expect(form.status).toBe(200);
  const csrf = csrfFrom(form.text);

  proxy.cut();
  logLines.length = 0;
  const cases: Array<{ name: string; send: () => request.Test; method: string; url: string; wantsJson: boolean }> = [
    { name: 'a redirect to sign in that saves the session', send: () => request(app).get('/posts/new'), method: 'GET', url: '/posts/new', wantsJson: false },
    { name: 'the sign-in form (a new session holding its CSRF token)', send: () => request(app).get('/login/'), method: 'GET', url: '/login/', wantsJson: false },
    { name: 'the sign-in form, asked as JSON', send: () => request(app).get('/login/').set('Accept', json), method: 'GET', url: '/login/', wantsJson: true },
    { name: 'a sign-in form post', send: () => browser.post('/login/').type('form').send({ _csrf: csrf, email: user.email, password: testPassword }), method: 'POST', url: '/login/', wantsJson: false },
    { name: 'a JSON sign-in', send: () => request(app).post('/login/').set('Accept', json).send({ email: user.email, password: testPassword }), method: 'POST', url: '/login/', wantsJson: true },
  ];
  const seen: string[] = [];
  for (const { name, send, method, url, wantsJson } of cases) {
    const before = errorsLoggedFor(method, url).length;
    const started = Date.now();
    const res = await send();
    const elapsed = Date.now() - started;
    // Give a late store write (after the response) the time to log, so "once" means once.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const logged = errorsLoggedFor(method, url).slice(before);
    const type = String(res.headers['content-type']).split(';')[0];
    const cookie = res.headers['set-cookie'] === undefined ? 'no cookie' : 'cookie';
    seen.push(`${name}: ${res.status} ${type} ${res.headers.location ?? 'no location'} ${method === 'GET' ? cookie : ''}, logged ${logged.length}`);
    expect(elapsed).toBeLessThan(4000);
    if (res.status !== 503) continue;
    if (wantsJson) expect(JSON.parse(res.text)).toMatchObject({ status: 503, title: 'Service Unavailable' });
    else expect(res.text).toContain('temporarily unavailable');
    expect(res.text).not.toContain('name="_csrf"');
    // The cause, with what failed.
    expect(logged[0]!.err).toMatchObject({ message: expect.stringMatching(/Connection terminated|ECONNREFUSED|ECONNRESET|timeout/i) });
  }
  expect(seen).toEqual(
    cases.map(({ name, method, wantsJson }) => `${name}: 503 ${wantsJson ? 'application/problem+json' : 'text/html'} no location ${method === 'GET' ? 'no cookie' : ''}, logged 1`),
  );

  proxy.restore();
  await waitUntilReady();
  const bounced = await request.agent(app).get('/posts/new');
  expect(bounced.status).toBe(303);
  expect(bounced.headers.location).toBe('/login/');
  const again = request.agent(app);
  const page = await again.get('/login/');
  expect(page.status).toBe(200);
  const signedIn = await again.post('/login/').type('form').send({ _csrf: csrfFrom(page.text), email: user.email, password: testPassword });
  expect(signedIn.status).toBe(303);
  expect((await again.get(`/users/${user.id}/edit`)).status).toBe(200);
}, 30000);
