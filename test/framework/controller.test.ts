import path from 'node:path';
import request from 'supertest';
import { before, Controller, createApp, defineRoutes, Forbidden, RouteTable, type Database, type TrestleApp } from '../../framework';
import appRoutes from '../../config/routes';
import { openTestDatabase } from '../support/app';
import { testLogger } from '../support/logger';

const calls: string[] = [];

class GateController extends Controller {
  static override before = [
    before((c: GateController) => void calls.push(`always:${c.route.action}`)),
    before('requireKey', { only: ['secret'] }),
    before('stamp', { except: ['open'] }),
  ];

  async requireKey() {
    if (this.query.key === 'redirect') return this.redirect('/elsewhere', 303);
    if (this.query.key !== 'letmein') throw new Forbidden('Wrong key.');
  }

  async stamp() {
    this.response.setHeader('X-Stamped', 'yes');
  }

  async open() {
    this.json({ open: true });
  }

  async secret() {
    calls.push('secret ran');
    this.json({ secret: 42 });
  }

  async echo() {
    this.json({ method: this.request.method, body: this.body });
  }
}

const probe = defineRoutes((r) => {
  r.get('/open', GateController, 'open');
  r.get('/secret', GateController, 'secret');
  r.post('/echo', GateController, 'echo');
  r.patch('/echo', GateController, 'echo', { name: false });
  r.delete('/echo', GateController, 'echo', { name: false });
});
const routes = new RouteTable([...probe.routes, ...appRoutes.routes]);

let db: Database;
let app: TrestleApp;
let corsApp: TrestleApp;
let devApp: TrestleApp;
const viewsDir = path.join(__dirname, '..', '..', 'views');
const publicDir = path.join(__dirname, '..', '..', 'public');

beforeAll(async () => {
  db = await openTestDatabase();
  app = createApp({ routes, viewsDir, publicDir, db, config: { env: 'production' }, logger: testLogger() });
  corsApp = createApp({ routes, viewsDir, publicDir, db, config: { env: 'production', corsOrigins: ['https://client.example'] }, logger: testLogger() });
  devApp = createApp({ routes, viewsDir, publicDir, db, config: { env: 'development' }, logger: testLogger() });
});
afterAll(() => db.close());
beforeEach(() => {
  calls.length = 0;
});

describe('before-filters', () => {
  test('run in order, limited by only/except', async () => {
    const open = await request(app).get('/open');
    expect(open.body).toEqual({ open: true });
    expect(open.headers['x-stamped']).toBeUndefined();
    expect(calls).toEqual(['always:open']);
  });

  test('a filter that throws stops the action', async () => {
    const res = await request(app).get('/secret?key=wrong').set('Accept', 'application/json');
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text).detail).toBe('Wrong key.');
    expect(calls).toEqual(['always:secret']);
  });

  test('a filter that responds ends the request', async () => {
    const res = await request(app).get('/secret?key=redirect');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/elsewhere');
    expect(calls).not.toContain('secret ran');
  });

  test('when every filter passes the action runs', async () => {
    const res = await request(app).get('/secret?key=letmein');
    expect(res.body).toEqual({ secret: 42 });
    expect(res.headers['x-stamped']).toBe('yes');
    expect(calls).toEqual(['always:secret', 'secret ran']);
  });
});

describe('method override', () => {
  test('a form POST with _method=PATCH or DELETE is routed as that method, without the field', async () => {
    const patched = await request(app).post('/echo').type('form').send('_method=patch&a=1');
    expect(patched.body).toEqual({ method: 'PATCH', body: { a: '1' } });
    const deleted = await request(app).post('/echo').type('form').send('_method=DELETE');
    expect(deleted.body).toEqual({ method: 'DELETE', body: {} });
  });

  test('other methods are not overridable, and GET never is', async () => {
    const res = await request(app).post('/echo').type('form').send('_method=GET&a=1');
    expect(res.body).toEqual({ method: 'POST', body: { _method: 'GET', a: '1' } });
  });
});

describe('CORS', () => {
  test('is off by default', async () => {
    const res = await request(app).get('/open').set('Origin', 'https://client.example');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('answers an allowed origin, including preflight', async () => {
    const res = await request(corsApp).get('/open').set('Origin', 'https://client.example');
    expect(res.headers['access-control-allow-origin']).toBe('https://client.example');
    const preflight = await request(corsApp).options('/echo').set('Origin', 'https://client.example').set('Access-Control-Request-Method', 'PATCH');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toContain('PATCH');
  });

  test('ignores an origin not on the list', async () => {
    const res = await request(corsApp).get('/open').set('Origin', 'https://evil.example');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('static files and assets', () => {
  test('are cached outside development, and views link them with a digest', async () => {
    const page = await request(app).get('/');
    const href = page.text.match(/href="(\/css\/app\.css\?v=[0-9a-f]{10})"/)?.[1];
    expect(href).toBeDefined();
    const css = await request(app).get(href!);
    expect(css.status).toBe(200);
    expect(css.headers['cache-control']).toBe('public, max-age=86400');
    expect(css.headers.etag).toBeDefined();
  });

  test('are revalidated every time in development', async () => {
    const css = await request(devApp).get('/css/app.css');
    expect(css.headers['cache-control']).toBe('public, max-age=0');
  });

  test('do not serve paths outside public/', async () => {
    const res = await request(app).get('/..%2Fpackage.json');
    expect(res.status).toBe(404);
    const up = await request(app).get('/css/../../package.json');
    expect(up.status).toBe(404);
  });
});
