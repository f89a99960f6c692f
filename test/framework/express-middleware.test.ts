import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import compression from 'compression';
import express from 'express';
import morgan from 'morgan';
import multer from 'multer';
import pino from 'pino';
import request from 'supertest';
import { Controller, createApp, defineRoutes, type Database, type TrestleApp } from '../../framework';
import { buildApplication } from '../../config/application';
import { readSettings } from '../../config/settings';
import { openTestDatabase } from '../support/app';

// What an Express user registers on the app that createApp returns runs, at its documented place:
// `app.use` after Trestle's request step and before the URL table, routes after the URL table.

let db: Database;
const extraDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-extra-'));

beforeAll(async () => {
  db = await openTestDatabase();
  fs.writeFileSync(path.join(extraDir, 'hello.txt'), 'hello from a second static folder\n');
});

afterAll(async () => {
  await db.close();
  fs.rmSync(extraDir, { recursive: true, force: true });
});

/** The demo app, with its request log lines collected in `lines`. */
function demoApp(): { app: TrestleApp; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (chunk: string) => void lines.push(...chunk.split('\n').filter(Boolean)) });
  return { app: buildApplication(readSettings({ NODE_ENV: 'test' }), db, logger), lines };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('app.use: Express middleware before the URL table', () => {
  test('compression gzips an HTML page and a JSON answer, and Trestle still adds its headers and log line', async () => {
    const { app, lines } = demoApp();
    app.use(compression({ threshold: 0 }));

    const page = await request(app).get('/index1/').set('Accept-Encoding', 'gzip');
    expect(page.status).toBe(200);
    expect(page.headers['content-encoding']).toBe('gzip');
    expect(page.text).toContain('alex'); // decoded from gzip by the client: the page itself came through
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-request-id']).toBeDefined();
    expect(page.headers['server-timing']).toContain('total;dur=');
    expect(page.headers['x-powered-by']).toBeUndefined();

    const api = await request(app).get('/users').set('Accept', 'application/json').set('Accept-Encoding', 'gzip');
    expect(api.status).toBe(200);
    expect(api.headers['content-encoding']).toBe('gzip');
    expect(Array.isArray(api.body.data)).toBe(true);

    await settle();
    const logged = lines.map((line) => JSON.parse(line) as { path?: string; status?: number });
    expect(logged).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/index1/', status: 200 }), expect.objectContaining({ path: '/users', status: 200 })]));
  });

  test('morgan writes a line per request, URL-table pages and 404s alike', async () => {
    const { app } = demoApp();
    const morganLines: string[] = [];
    app.use(morgan(':method :url :status', { stream: { write: (line: string) => void morganLines.push(line.trim()) } }));
    await request(app).get('/index/');
    await request(app).get('/nope');
    expect(morganLines).toEqual(['GET /index/ 200', 'GET /nope 404']);
  });

  test('an express.Router() mounted at a prefix serves its routes, with req.baseUrl set', async () => {
    const { app } = demoApp();
    const legacy = express.Router();
    legacy.get('/ping', (req, res) => void res.json({ baseUrl: req.baseUrl, path: req.path, session: typeof req.session }));
    app.use('/legacy', legacy);
    const res = await request(app).get('/legacy/ping');
    expect(res.status).toBe(200);
    // Mounted after Trestle's sessions and body parsing: the router sees the session API.
    expect(res.body).toEqual({ baseUrl: '/legacy', path: '/ping', session: 'object' });
    expect(res.headers['x-request-id']).toBeDefined();
  });

  test('a second express.static serves its folder', async () => {
    const { app } = demoApp();
    app.use('/extra', express.static(extraDir));
    const res = await request(app).get('/extra/hello.txt');
    expect(res.status).toBe(200);
    expect(res.text).toBe('hello from a second static folder\n');
    expect((await request(app).get('/extra/missing.txt')).status).toBe(404);
  });

  test("an error from Express middleware reaches Trestle's one error handler", async () => {
    const { app } = demoApp();
    app.use('/broken', (_req, _res, next) => next(Object.assign(new Error('teapot'), { status: 418, expose: true })));
    app.use('/rejects', async () => {
      throw Object.assign(new Error('not allowed here'), { status: 403, expose: true });
    });
    const broken = await request(app).get('/broken').set('Accept', 'application/json');
    expect(broken.status).toBe(418);
    expect(broken.headers['content-type']).toContain('application/problem+json');
    expect(broken.body.detail).toBe('teapot');
    const rejects = await request(app).get('/rejects');
    expect(rejects.status).toBe(403);
    expect(rejects.headers['content-type']).toContain('text/html');
    expect(rejects.text).toContain('not allowed here');
  });
});

describe('app.get / app.post: Express routes after the URL table', () => {
  test('a path the URL table does not match falls through to them; one it matches stays the table’s', async () => {
    const { app } = demoApp();
    app.get('/extra-route', (_req, res) => void res.type('text').send('from app.get'));
    app.get('/index/', (_req, res) => void res.send('shadowed'));
    app.all('/anything', (req, res) => void res.json({ method: req.method }));
    expect((await request(app).get('/extra-route')).text).toBe('from app.get');
    expect((await request(app).get('/index/')).text).not.toBe('shadowed');
    expect((await request(app).delete('/anything')).body).toEqual({ method: 'DELETE' });
    expect((await request(app).get('/still-nothing')).status).toBe(404);
  });

  test('app.param applies to routes added with app.get', async () => {
    const { app } = demoApp();
    app.param('code', (req, _res, next, value: string) => {
      (req as unknown as { upper: string }).upper = value.toUpperCase();
      next();
    });
    app.get('/codes/:code', (req, res) => void res.json({ upper: (req as unknown as { upper: string }).upper }));
    expect((await request(app).get('/codes/abc')).body).toEqual({ upper: 'ABC' });
  });

  test('a form POST to an Express route is still checked for forgery', async () => {
    const { app } = demoApp();
    app.post('/legacy-form', (_req, res) => void res.send('accepted'));
    const res = await request(app).post('/legacy-form').type('form').send({ name: 'x' });
    expect(res.status).toBe(403);
  });
});

/** Records what Express middleware and the action saw, for route-level middleware. */
class GadgetsController extends Controller {
  async show() {
    this.json({ route: this.request.route, params: this.params, stamped: this.response.locals.stamped ?? null, baseUrl: this.request.baseUrl });
  }

  async create() {
    this.json({ stamped: this.response.locals.stamped ?? null }, 201);
  }

  async index() {
    this.json({ stamped: this.response.locals.stamped ?? null });
  }
}

describe('route middleware in the URL table', () => {
  const stamp =
    (value: string): express.RequestHandler =>
    (req, res, next) => {
      res.locals.stamped = `${value}:${req.route?.path}:${req.params.id ?? ''}`;
      next();
    };
  const refuse: express.RequestHandler = async () => {
    throw Object.assign(new Error('refused by route middleware'), { status: 409, expose: true });
  };
  let app: TrestleApp;

  beforeAll(() => {
    const routes = defineRoutes((r) => {
      r.get('/gadgets/:id', GadgetsController, 'show', { use: [stamp('one')] });
      r.get('/refused', GadgetsController, 'index', { use: [refuse], name: 'refused' });
      r.resources('widgets', GadgetsController, { only: ['index', 'create'], use: { create: [stamp('create')] } });
    });
    app = createApp({ routes, viewsDir: path.join(__dirname, '..', '..', 'views'), db, config: { env: 'test' } });
  });

  test('runs after routing, with req.route and req.params as Express middleware expects', async () => {
    const res = await request(app).get('/gadgets/7');
    expect(res.body).toEqual({ route: { path: '/gadgets/:id', methods: { get: true } }, params: { id: '7' }, stamped: 'one:/gadgets/:id:7', baseUrl: '' });
  });

  test('resources take route middleware per action', async () => {
    expect((await request(app).post('/widgets').send({})).body).toEqual({ stamped: 'create:/widgets:' });
    expect((await request(app).get('/widgets')).body).toEqual({ stamped: null });
  });

  test('a rejected async route middleware is an error for the error handler, and the action does not run', async () => {
    const res = await request(app).get('/refused').set('Accept', 'application/json');
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe('refused by route middleware');
  });

  test('a route middleware that is not a function is refused when the table is drawn', () => {
    expect(() => defineRoutes((r) => void r.get('/x', GadgetsController, 'index', { use: ['nope' as unknown as express.RequestHandler] }))).toThrow(/Express middleware function/);
  });
});

describe('a multipart form on a route whose middleware writes files to disk', () => {
  const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-disk-upload-'));
  let app: TrestleApp;

  beforeAll(() => {
    const routes = defineRoutes((r) => {
      r.post('/documents', GadgetsController, 'create', { use: [multer({ dest: uploadDir }).single('document')] });
    });
    app = createApp({ routes, viewsDir: path.join(__dirname, '..', '..', 'views'), db, config: { env: 'test', session: { secret: 's'.repeat(40) } } });
  });

  afterAll(() => fs.rmSync(uploadDir, { recursive: true, force: true }));

  test('without a valid token it is a 403, and the file multer wrote is removed', async () => {
    const res = await request(app).post('/documents').field('_csrf', 'forged').attach('document', Buffer.from('secret plans'), 'plans.txt');
    expect(res.status).toBe(403);
    expect(fs.readdirSync(uploadDir)).toEqual([]);
  });

  test('a multipart POST to a route without upload middleware must carry the token in its header', async () => {
    const res = await request(app).post('/elsewhere').set('Accept', 'application/json').attach('document', Buffer.from('x'), 'x.txt');
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('X-CSRF-Token');
  });
});

/** Reports the `res.locals` it was given: Express makes one per response, Trestle when first used. */
class LocalsController extends Controller {
  async show() {
    const locals = this.response.locals;
    this.json({ sameEachRead: locals === this.response.locals, prototype: Object.getPrototypeOf(locals) === null ? null : 'object', entries: { ...locals } });
  }
}

describe('res.locals', () => {
  function localsApp(middleware?: express.RequestHandler): TrestleApp {
    const routes = defineRoutes((r) => void r.get('/locals', LocalsController, 'show'));
    const app = createApp({ routes, viewsDir: path.join(__dirname, '..', '..', 'views'), db, config: { env: 'test' } });
    if (middleware) app.use(middleware);
    return app;
  }

  test('is an empty object without a prototype, the same one on every read, when nothing set it', async () => {
    expect((await request(localsApp()).get('/locals')).body).toEqual({ sameEachRead: true, prototype: null, entries: {} });
  });

  test('what middleware adds, or an object it assigns, is what the action sees, and each response has its own', async () => {
    let count = 0;
    const adds = localsApp((_req, res, next) => {
      res.locals.count = ++count;
      next();
    });
    expect((await request(adds).get('/locals')).body.entries).toEqual({ count: 1 });
    expect((await request(adds).get('/locals')).body.entries).toEqual({ count: 2 });
    const assigns = localsApp((_req, res, next) => {
      res.locals = { theme: 'dark' };
      next();
    });
    expect((await request(assigns).get('/locals')).body).toEqual({ sameEachRead: true, prototype: 'object', entries: { theme: 'dark' } });
  });

  test('mounted in another Express app, the outer app\'s res.locals is the one the action sees', async () => {
    const outer = express();
    outer.use((_req, res, next) => {
      res.locals.outer = true;
      next();
    });
    outer.use('/inner', localsApp());
    expect((await request(outer).get('/inner/locals')).body.entries).toEqual({ outer: true });
  });
});
