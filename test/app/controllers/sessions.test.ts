import request from 'supertest';
import { buildApplication } from '../../../config/application';
import { readSettings } from '../../../config/settings';
import { useTestApp } from '../../support/app';
import { createUser, csrfFrom, signIn, testPassword } from '../../support/auth';
import { recordQueries } from '../../support/queries';
import { rateLimitKey } from '../../../framework/controller/rate-limit';

const t = useTestApp();
const json = 'application/json';

const sessionCookie = (res: request.Response) => (res.headers['set-cookie'] as unknown as string[] | undefined)?.find((c) => c.startsWith('trestle.sid='));
const cookieValue = (cookie: string | undefined) => cookie?.split(';')[0];

/** Is this request, with exactly this cookie, signed in as someone? (The edit page needs sign-in.) */
async function signedInWith(cookie: string, userId: number): Promise<boolean> {
  const res = await request(t.app).get(`/users/${userId}/edit`).set('Cookie', cookie);
  return res.status === 200;
}

describe('signing in', () => {
  test('a good password signs in, replacing the session id, and goes back where you were', async () => {
    const user = await createUser();
    const agent = request.agent(t.app);
    const bounced = await agent.get(`/users/${user.id}/edit`);
    expect(bounced.status).toBe(303);
    expect(bounced.headers.location).toBe('/login/');
    const form = await agent.get('/login/');
    expect(form.text).toContain('Please sign in first.');
    const before = cookieValue(sessionCookie(bounced))!;
    expect(before).toMatch(/^trestle\.sid=/);

    const res = await agent.post('/login/').type('form').send({ _csrf: csrfFrom(form.text), email: user.email, password: testPassword });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/users/${user.id}/edit`);
    const after = cookieValue(sessionCookie(res))!;
    expect(after).toMatch(/^trestle\.sid=/);
    expect(after).not.toBe(before);
    expect(await signedInWith(after, user.id)).toBe(true);
    // The id from before sign-in (which an attacker could have planted) signs nobody in.
    expect(await signedInWith(before, user.id)).toBe(false);
  });

  test('the redirect after signing in is sent only once the new session is stored', async () => {
    const user = await createUser();
    const agent = request.agent(t.app);
    const form = await agent.get('/login/');
    let stored = -1;
    let headersSent = -1;
    const stop = t.db.onQuery((event) => {
      if (/^insert into "sessions"/.test(event.sql) && stored < 0) stored = performance.now();
    });
    const proto = t.app.response as unknown as { writeHead: (...args: unknown[]) => unknown };
    const writeHead = proto.writeHead;
    proto.writeHead = function (this: { statusCode: number }, ...args: unknown[]) {
      if (this.statusCode === 303 && headersSent < 0) headersSent = performance.now();
      return writeHead.apply(this, args);
    };
    try {
      const res = await agent.post('/login/').type('form').send({ _csrf: csrfFrom(form.text), email: user.email, password: testPassword });
      expect(res.status).toBe(303);
    } finally {
      proto.writeHead = writeHead;
      stop();
    }
    // A browser follows a redirect on its headers: by then the session must be in the table.
    expect(stored).toBeGreaterThan(0);
    expect(headersSent).toBeGreaterThan(stored);
  });

  test('JSON sign-in answers the user and a session cookie', async () => {
    const user = await createUser();
    const res = await request(t.app).post('/login/').set('Accept', json).send({ email: user.email.toUpperCase(), password: testPassword });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: user.id, name: user.name, email: user.email, created_at: expect.any(String), updated_at: expect.any(String) });
    expect(await signedInWith(cookieValue(sessionCookie(res))!, user.id)).toBe(true);
  });

  test('an unknown email and a wrong password get the same answer', async () => {
    const user = await createUser();
    const attempt = async (email: string) => {
      const agent = request.agent(t.app);
      const form = await agent.get('/login/');
      return agent.post('/login/').type('form').send({ _csrf: csrfFrom(form.text), email, password: 'wrong password' });
    };
    const wrong = await attempt(user.email);
    const unknown = await attempt('nobody-at-all@example.com');
    const strip = (html: string) => html.replace(/value="[0-9a-f]{64}"/g, '').replace(/value="[^"]*@example\.com"/g, '');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.text).toContain('Invalid email or password.');
    expect(strip(wrong.text)).toBe(strip(unknown.text));

    const wrongJson = await request(t.app).post('/login/').set('Accept', json).send({ email: user.email, password: 'wrong password' });
    const unknownJson = await request(t.app).post('/login/').set('Accept', json).send({ email: 'nobody-at-all@example.com', password: 'wrong password' });
    expect(wrongJson.status).toBe(401);
    expect(JSON.parse(wrongJson.text)).toEqual({ ...JSON.parse(unknownJson.text) });
    expect(JSON.parse(wrongJson.text).detail).toBe('Invalid email or password.');
  });

  test('a sign-in form without its CSRF token is a 403 and signs nobody in', async () => {
    const user = await createUser();
    const agent = request.agent(t.app);
    const res = await agent.post('/login/').type('form').send({ email: user.email, password: testPassword });
    expect(res.status).toBe(403);
    expect(sessionCookie(res)).toBeUndefined();
    const wrong = await agent.post('/login/').type('form').send({ _csrf: 'f'.repeat(64), email: user.email, password: testPassword });
    expect(wrong.status).toBe(403);
    expect((await agent.get(`/users/${user.id}/edit`)).status).toBe(303);
  });

  test('missing fields and NUL bytes are a plain failed sign-in, never a 500', async () => {
    for (const body of [{}, { email: 'a\u0000b@example.com', password: 'x' }, { email: ['a'], password: { $ne: 1 } }]) {
      const res = await request(t.app).post('/login/').set('Accept', json).send(body);
      expect(res.status).toBe(401);
    }
  });
});

describe('signing out', () => {
  test('POST /logout destroys the session: the old cookie no longer signs in', async () => {
    const user = await createUser();
    const { agent, csrf } = await signIn(t.app, user.email);
    const page = await agent.get('/');
    expect(page.text).toContain(`<a class="me" href="/users/${user.id}">`);
    const rowsBefore = await t.knex('sessions').whereRaw("(sess->>'userId')::int = ?", [user.id]).count({ n: '*' });
    expect(rowsBefore).toEqual([{ n: '1' }]);

    const jar = agent.jar.getCookie('trestle.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false }) ?? undefined;
    const oldCookie = jar ? `trestle.sid=${jar.value}` : '';
    const { result: res, queries } = await recordQueries(t.db, () => agent.post('/logout').type('form').send({ _csrf: csrf }));
    expect(res.status).toBe(303);
    // The new session (holding the flash) is stored once, before the redirect: a second, late copy
    // could land after the next page has shown the flash and removed it, and bring it back.
    expect(queries.filter((q) => /^insert into "sessions"/.test(q.sql))).toHaveLength(1);
    expect(res.headers.location).toBe('/');
    expect((await agent.get('/')).text).toContain('Signed out.');
    expect(await t.knex('sessions').whereRaw("(sess->>'userId')::int = ?", [user.id]).count({ n: '*' })).toEqual([{ n: '0' }]);
    if (oldCookie) expect(await signedInWith(oldCookie, user.id)).toBe(false);
  });
});

describe('session lifetime', () => {
  test('an idle session past its expiry no longer signs in', async () => {
    const user = await createUser();
    const { agent } = await signIn(t.app, user.email);
    expect((await agent.get(`/users/${user.id}/edit`)).status).toBe(200);
    await t.knex('sessions').whereRaw("(sess->>'userId')::int = ?", [user.id]).update({ expires_at: new Date(Date.now() - 1000) });
    expect((await agent.get(`/users/${user.id}/edit`)).status).toBe(303);
  });

  test('a session older than the absolute timeout ends even while active', async () => {
    const user = await createUser();
    const { agent } = await signIn(t.app, user.email);
    const thirteenHoursAgo = Date.now() - 13 * 60 * 60 * 1000;
    await t.knex('sessions').whereRaw("(sess->>'userId')::int = ?", [user.id]).update({ sess: t.knex.raw("jsonb_set(sess, '{signedInAt}', ?::jsonb)", [String(thirteenHoursAgo)]) });
    expect((await agent.get(`/users/${user.id}/edit`)).status).toBe(303);
    expect(await t.knex('sessions').whereRaw("(sess->>'userId')::int = ?", [user.id]).count({ n: '*' })).toEqual([{ n: '0' }]);
  });

  test('anonymous page views store no session and set no cookie', async () => {
    const before = await t.knex('sessions').count({ n: '*' });
    const res = await request(t.app).get('/users');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await t.knex('sessions').count({ n: '*' })).toEqual(before);
  });
});

describe('rate limits on sign-in', () => {
  // Failures from earlier tests share this test client's address.
  beforeEach(() => t.knex('rate_limits').delete());

  test('the sixth attempt on one account within 15 minutes is a 429 with Retry-After, even with the right password', async () => {
    const user = await createUser();
    for (let i = 0; i < 5; i++) {
      const res = await request(t.app).post('/login/').set('Accept', json).send({ email: user.email, password: `wrong ${i}` });
      expect(res.status).toBe(401);
    }
    const blocked = await request(t.app).post('/login/').set('Accept', json).send({ email: user.email, password: testPassword });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(900);
    expect(JSON.parse(blocked.text)).toMatchObject({ status: 429, title: 'Too Many Requests' });
    const row = await t.knex('rate_limits').where({ key: rateLimitKey('sign-in-account', user.email) }).first();
    expect(row.points).toBe(5);
  });

  test('the count lives in the database: another app instance on it sees the same limit', async () => {
    const user = await createUser();
    for (let i = 0; i < 5; i++) await request(t.app).post('/login/').set('Accept', json).send({ email: user.email, password: 'wrong' });
    const otherInstance = buildApplication(readSettings({ NODE_ENV: 'test' }), t.db);
    const res = await request(otherInstance).post('/login/').set('Accept', json).send({ email: user.email, password: testPassword });
    expect(res.status).toBe(429);
  });

  test('a successful sign-in clears the account’s count', async () => {
    const user = await createUser();
    for (let i = 0; i < 4; i++) await request(t.app).post('/login/').set('Accept', json).send({ email: user.email, password: 'wrong' });
    expect((await request(t.app).post('/login/').set('Accept', json).send({ email: user.email, password: testPassword })).status).toBe(200);
    expect(await t.knex('rate_limits').where({ key: rateLimitKey('sign-in-account', user.email) }).first()).toBeUndefined();
  });

  test('one address is limited across accounts', async () => {
    await t.knex('rate_limits').delete();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const res = await request(t.app).post('/login/').set('Accept', json).send({ email: `spray${i}@example.com`, password: 'guess' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
    await t.knex('rate_limits').delete();
  });

  test('an account with a long email is limited like any other, and the right password waits out the window', async () => {
    // 250 characters: a valid address, and longer than the counter's key column once prefixed.
    const email = `${'x'.repeat(100)}@${'y'.repeat(60)}.${'z'.repeat(60)}.${'w'.repeat(23)}.com`;
    expect(email).toHaveLength(250);
    const signUp = await request(t.app).post('/users').set('Accept', json).send({ name: 'Long Address', email, password: testPassword });
    expect(signUp.status).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await request(t.app).post('/login/').set('Accept', json).send({ email, password: `wrong ${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const blocked = await request(t.app).post('/login/').set('Accept', json).send({ email, password: testPassword });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
    // Once the window has passed, the right password signs in.
    await t.knex('rate_limits').update({ expire: Date.now() - 1000 });
    expect((await request(t.app).post('/login/').set('Accept', json).send({ email, password: testPassword })).status).toBe(200);
  });

  test('an email of any length is counted, never refused as too long', async () => {
    const email = `${'q'.repeat(2000)}@example.com`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await request(t.app).post('/login/').set('Accept', json).send({ email, password: 'guess' })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const keys = (await t.knex('rate_limits').select('key')).map((row: { key: string }) => row.key);
    expect(keys).toContain(rateLimitKey('sign-in-account', email));
  });

  test('without its table the limiter refuses sign-ins with a 503 (the right password too), and recovers with it', async () => {
    const user = await createUser();
    await t.knex.schema.renameTable('rate_limits', 'rate_limits_away');
    try {
      const api = await request(t.app).post('/login/').set('Accept', json).send({ email: user.email, password: testPassword });
      expect(api.status).toBe(503);
      expect(JSON.parse(api.text)).toMatchObject({ status: 503, title: 'Service Unavailable' });
      const agent = request.agent(t.app);
      const form = await agent.get('/login/');
      const page = await agent.post('/login/').type('form').send({ _csrf: csrfFrom(form.text), email: user.email, password: testPassword });
      expect(page.status).toBe(503);
      expect(page.text).toContain('temporarily unavailable');
      expect(await signedInWith(cookieValue(sessionCookie(page)) ?? '', user.id)).toBe(false);
    } finally {
      await t.knex.schema.renameTable('rate_limits_away', 'rate_limits');
    }
    expect((await request(t.app).post('/login/').set('Accept', json).send({ email: user.email, password: testPassword })).status).toBe(200);
  });

  test('successful sign-ins do not count against the address', async () => {
    const user = await createUser();
    for (let i = 0; i < 25; i++) {
      const res = await request(t.app).post('/login/').set('Accept', json).send({ email: user.email, password: testPassword });
      expect(res.status).toBe(200);
    }
  });
});
