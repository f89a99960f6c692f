import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { buildApplication } from '../../config/application';
import { readSettings } from '../../config/settings';
import { useTestApp } from '../support/app';
import { createUser, signInJson } from '../support/auth';
import { testLogger } from '../support/logger';

const t = useTestApp();
const json = 'application/json';
const productionSettings = () => readSettings({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(48), TRUST_PROXY: '1', DATABASE_URL: 'postgres://unused/db' });

describe('security headers', () => {
  test('every page carries a CSP without inline script, frame denial, nosniff and a referrer policy', async () => {
    const res = await request(t.app).get('/');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  test('error pages carry them; JSON carries nosniff, and no document-only policy', async () => {
    const page = await request(t.app).get('/missing');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    const api = await request(t.app).get('/missing').set('Accept', json);
    expect(api.headers['x-content-type-options']).toBe('nosniff');
    expect(api.headers['content-security-policy']).toBeUndefined();
  });

  test('a policy the app sets itself is kept; the defaults fill in the rest', async () => {
    const app = buildApplication(readSettings({ NODE_ENV: 'test' }), t.db, testLogger());
    app.use((req, res, next) => {
      if (req.path === '/index/') {
        res.setHeader('Content-Security-Policy', "default-src 'self' https://cdn.example");
        res.setHeader('X-Frame-Options', 'SAMEORIGIN');
        res.setHeader('X-Content-Type-Options', 'nosniff');
      }
      next();
    });
    const own = await request(app).get('/index/');
    expect(own.status).toBe(200);
    expect(own.headers['content-security-policy']).toBe("default-src 'self' https://cdn.example");
    expect(own.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(own.headers['x-content-type-options']).toBe('nosniff');
    expect(own.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    const other = await request(app).get('/');
    expect(other.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(other.headers['x-frame-options']).toBe('DENY');
  });

  test('production adds HSTS and upgrade-insecure-requests', async () => {
    const app = buildApplication(productionSettings(), t.db, testLogger());
    const res = await request(app).get('/');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
  });
});

describe('the session cookie in production', () => {
  test('is HttpOnly, Secure and SameSite=Lax, under its own name, behind an HTTPS proxy', async () => {
    const app = buildApplication(productionSettings(), t.db, testLogger());
    const res = await request(app).get('/login/').set('X-Forwarded-Proto', 'https');
    const cookie = (res.headers['set-cookie'] as unknown as string[])[0]!;
    expect(cookie).toMatch(/^trestle\.sid=s%3A[^;]+; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/);
  });

  test('is never sent over plain HTTP', async () => {
    const app = buildApplication(productionSettings(), t.db, testLogger());
    const res = await request(app).get('/login/');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('the server refuses to start in production without a real session secret', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'server.ts'], {
      cwd: path.join(__dirname, '..', '..'),
      env: { ...process.env, NODE_ENV: 'production', SESSION_SECRET: '', DATABASE_URL: 'postgres://127.0.0.1:1/none' },
      timeout: 20000,
    });
    const error = (await run.catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    // An empty variable counts as unset.
    expect(error.stderr).toContain('SESSION_SECRET (unset)');
    expect(error.stderr).toContain('must be set to a random string of at least 32 characters in production');
  });
});

describe('cross-site requests', () => {
  test('a JSON write with the session cookie is refused when the browser says it is cross-site', async () => {
    const user = await createUser();
    const agent = await signInJson(t.app, user.email);
    const before = await t.knex('posts').count({ n: '*' });
    const crossSite = await agent.post('/posts').set('Accept', json).set('Sec-Fetch-Site', 'cross-site').send({ title: 'forged' });
    expect(crossSite.status).toBe(403);
    expect(JSON.parse(crossSite.text).detail).toBe('Cross-site requests are refused.');
    const otherOrigin = await agent.patch(`/users/${user.id}`).set('Accept', json).set('Origin', 'https://evil.example').send({ name: 'forged' });
    expect(otherOrigin.status).toBe(403);
    expect(await t.knex('posts').count({ n: '*' })).toEqual(before);
    expect((await t.knex('users').where({ id: user.id }).first()).name).toBe(user.name);
  });

  test('the same request from the site itself goes through', async () => {
    const user = await createUser();
    const agent = await signInJson(t.app, user.email);
    const res = await agent.post('/posts').set('Accept', json).set('Sec-Fetch-Site', 'same-origin').send({ title: 'genuine' });
    expect(res.status).toBe(201);
  });

  test('a POST that is not JSON needs the form token even with the cookie (text/plain from another site)', async () => {
    const user = await createUser();
    const agent = await signInJson(t.app, user.email);
    const res = await agent.post('/posts').set('Content-Type', 'text/plain').send('{"title":"forged"}');
    expect(res.status).toBe(403);
    expect(await t.knex('posts').where({ title: 'forged' }).first()).toBeUndefined();
  });
});

describe('hostile input', () => {
  test.each(['/%', '/users/%E0%A4%A', '/users?page=%E0%A4%A', '/users/%00', '/index1/%00'])('%s is a 400', async (url) => {
    const res = await request(t.app).get(url).set('Accept', json);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).title).toBe('Bad Request');
  });

  test('a NUL byte in a form field is a 422 on that field and nothing is written', async () => {
    const res = await request(t.app).post('/users').set('Accept', json).send({ name: 'a\u0000b', email: 'nul@example.com', password: 'long enough' });
    expect(res.status).toBe(422);
    expect(JSON.parse(res.text).errors).toEqual({ name: ['contains a NUL byte, which cannot be stored'] });
    expect(await t.knex('users').where({ email: 'nul@example.com' }).first()).toBeUndefined();
  });

  test('a NUL byte in a query parameter is a 400, not a 500', async () => {
    const res = await request(t.app).get('/users?page=1%00').set('Accept', json);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).detail).toBe('The URL is not valid: it contains a NUL byte.');
  });
});
