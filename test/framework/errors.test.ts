import path from 'node:path';
import request from 'supertest';
import { Controller, createApp, defineRoutes, NotFound, RouteTable, ValidationFailed, type Database, type TrestleApp } from '../../framework';
import appRoutes from '../../config/routes';
import { openTestDatabase } from '../support/app';

class ProbeController extends Controller {
  async boom() {
    throw new Error('secret internals');
  }
  async missing() {
    throw new NotFound('No such widget.');
  }
  async invalid() {
    throw new ValidationFailed({ name: ["can't be blank"] });
  }
  async echo() {
    this.json({ received: this.body }, 201);
  }
  async duplicate() {
    await this.kernelKnex().raw("INSERT INTO users (name, email) VALUES ('dup', 'alex@example.com')");
  }
  async nul() {
    await this.kernelKnex()('users').insert({ name: 'a\u0000b', email: 'nul@example.com' });
  }
  async implicit() {
    // no response: renders views/probe/implicit.ejs, which does not exist
  }
  private kernelKnex() {
    return db.knex;
  }
}

const probeRoutes = defineRoutes((r) => {
  r.get('/boom', ProbeController, 'boom');
  r.get('/missing', ProbeController, 'missing');
  r.get('/invalid', ProbeController, 'invalid');
  r.post('/echo', ProbeController, 'echo');
  r.post('/duplicate', ProbeController, 'duplicate');
  r.post('/nul', ProbeController, 'nul');
  r.get('/implicit', ProbeController, 'implicit');
  r.get('/widgets/:id', ProbeController, 'missing');
});
// The application's routes too: its layout links to them, so error pages can render inside it.
const routes = new RouteTable([...probeRoutes.routes, ...appRoutes.routes]);

let db: Database;
const apps: Record<string, TrestleApp> = {};
const viewsDir = path.join(__dirname, '..', '..', 'views');

beforeAll(async () => {
  db = await openTestDatabase();
  for (const env of ['production', 'development'] as const) {
    apps[env] = createApp({ routes, viewsDir, db, config: { env, bodyLimit: '1kb' }, logger: silentLogger() });
  }
});
afterAll(() => db.close());

function silentLogger() {
  return require('pino')({ level: 'silent' });
}

describe('the one error handler', () => {
  test('an unexpected error is a 500 page without internals in production', async () => {
    const res = await request(apps.production).get('/boom');
    expect(res.status).toBe(500);
    expect(res.text).toContain('<h1>Something went wrong</h1>');
    expect(res.text).not.toContain('secret internals');
    expect(res.text).not.toContain('errors.test.ts');
  });

  test('an unexpected error as JSON hides internals in production', async () => {
    const res = await request(apps.production).get('/boom').set('Accept', 'application/json');
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(res.text);
    expect(body).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: expect.any(String), instance: '/boom' });
    expect(res.text).not.toContain('secret internals');
  });

  test('development shows the stack trace', async () => {
    const res = await request(apps.development).get('/boom');
    expect(res.status).toBe(500);
    expect(res.text).toContain('Error: secret internals');
    expect(res.text).toContain('errors.test.ts');
  });

  test('a thrown NotFound keeps its message', async () => {
    const res = await request(apps.production).get('/missing').set('Accept', 'application/json');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).detail).toBe('No such widget.');
  });

  test('ValidationFailed is a 422 with an errors map in JSON and a list in HTML', async () => {
    const json = await request(apps.production).get('/invalid').set('Accept', 'application/json');
    expect(json.status).toBe(422);
    expect(JSON.parse(json.text).errors).toEqual({ name: ["can't be blank"] });
    const html = await request(apps.production).get('/invalid');
    expect(html.status).toBe(422);
    expect(html.text).toContain('<strong>name</strong> can&#39;t be blank');
  });

  test('malformed JSON is a 400 problem, not a 500', async () => {
    const res = await request(apps.production).post('/echo').set('Content-Type', 'application/json').set('Accept', 'application/json').send('{"a":');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).detail).toBe('The request body is not valid JSON.');
  });

  test('a body over the limit is a 413', async () => {
    const res = await request(apps.production).post('/echo').set('Accept', 'application/json').send({ text: 'x'.repeat(2000) });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text).detail).toBe('The request body is too large.');
  });

  test('JSON and form bodies both parse', async () => {
    const json = await request(apps.production).post('/echo').send({ a: 1 });
    expect(json.status).toBe(201);
    expect(json.body).toEqual({ received: { a: 1 } });
    const form = await request(apps.production).post('/echo').type('form').send('a=1&b=two');
    expect(form.body).toEqual({ received: { a: '1', b: 'two' } });
  });

  test('a unique violation from PostgreSQL is a 422 naming the field, and nothing is written', async () => {
    const res = await request(apps.production).post('/duplicate').set('Accept', 'application/json');
    expect(res.status).toBe(422);
    expect(JSON.parse(res.text).errors).toEqual({ email: ['has already been taken'] });
    expect(await db.knex('users').where({ name: 'dup' }).count({ n: '*' })).toEqual([{ n: '0' }]);
  });

  test('a NUL byte PostgreSQL cannot store is a 422, not a 500', async () => {
    const res = await request(apps.production).post('/nul').set('Accept', 'application/json');
    expect(res.status).toBe(422);
    expect(await db.knex('users').where({ email: 'nul@example.com' }).first()).toBeUndefined();
  });

  test('malformed percent-encoding in a path parameter is a 400', async () => {
    const res = await request(apps.production).get('/widgets/%E0%A4%A').set('Accept', 'application/json');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  test('an action that renders nothing renders its own view, and a missing view is a clear 500', async () => {
    const res = await request(apps.development).get('/implicit');
    expect(res.status).toBe(500);
    expect(res.text).toContain('Missing template &#34;probe/implicit&#34;');
  });
});
