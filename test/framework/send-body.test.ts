import path from 'node:path';
import request from 'supertest';
import { Controller, createApp, defineRoutes, type Database, type TrestleApp } from '../../framework';
import { openTestDatabase } from '../support/app';
import { testLogger } from '../support/logger';

// Express's own ETag generator (a dependency of Express, without type declarations).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const etag: (body: string, options?: { weak: boolean }) => string = require('etag');

// A controller's answers (`json`, `render`, `plain`) skip `res.send`'s per-call work; these tests hold
// them to what Express itself answers for the same body (the ETag is Express's shape with another
// hash), and check that anything not Express's default (settings, a replaced `res.send`, a
// Content-Type set by the action) still takes effect.

/** A weak ETag as controllers send it: the byte length in hex, then eleven characters of hash. */
const weakTagFor = (byteLength: number) => new RegExp(`^W/"${byteLength.toString(16)}-[A-Za-z0-9+/]{11}"$`);

const greeting = { message: 'Hello, World!', list: [1, 2, 3], text: 'naïve — ünïcode' };
// Long enough to be encoded once up front, with characters past Latin-1 (stored two bytes each).
const catalogue = { items: Array.from({ length: 40 }, (_, i) => `${i}: フレームワーク — naïve`) };

class AnswersController extends Controller {
  async greeting() {
    this.json(greeting);
  }

  async vendorType() {
    this.response.type('application/vnd.api+json');
    this.json(greeting);
  }

  async accepted() {
    this.json({ queued: true }, 202);
  }

  async nothing() {
    this.json({ ignored: true }, 204);
  }

  async text() {
    this.plain('plain words, ünïcode');
  }

  async catalogue() {
    this.json(catalogue);
  }

  async page() {
    this.render('pages/index', {}, { layout: false });
  }

  /** The same length whatever the digit: only the hash can tell the versions apart. */
  async version() {
    this.json({ version: String(this.query.v ?? '0').slice(0, 1) });
  }

  /** A long body (sent as bytes, hashed four at a time) with one varying character. */
  async longVersion() {
    this.json({ before: 'x'.repeat(600), version: String(this.query.v ?? '0').slice(0, 1), after: 'フレームワーク'.repeat(40) });
  }
}

const routes = defineRoutes((r) => {
  r.get('/answers/greeting', AnswersController, 'greeting');
  r.get('/answers/vendor', AnswersController, 'vendorType');
  r.get('/answers/accepted', AnswersController, 'accepted');
  r.get('/answers/nothing', AnswersController, 'nothing');
  r.get('/answers/text', AnswersController, 'text');
  r.get('/answers/page', AnswersController, 'page');
  r.get('/answers/catalogue', AnswersController, 'catalogue');
  r.get('/answers/version', AnswersController, 'version');
  r.get('/answers/long-version', AnswersController, 'longVersion');
});

const viewsDir = path.join(__dirname, '..', '..', 'views');
let db: Database;
const apps: TrestleApp[] = [];

function build(setUp?: (app: TrestleApp) => void): TrestleApp {
  const app = createApp({ routes, viewsDir, db, config: { env: 'production' }, logger: testLogger() });
  // The same body answered by Express's own `res.json`, for comparison.
  app.get('/express/greeting', (_req, res) => void res.json(greeting));
  app.get('/express/text', (_req, res) => void res.type('text/plain').send('plain words, ünïcode'));
  app.get('/express/catalogue', (_req, res) => void res.json(catalogue));
  setUp?.(app);
  apps.push(app);
  return app;
}

let app: TrestleApp;

beforeAll(async () => {
  db = await openTestDatabase();
  app = build();
});

afterAll(async () => {
  await db.close();
});

describe("a controller's answer", () => {
  test('JSON carries the headers and body Express gives the same value', async () => {
    const ours = await request(app).get('/answers/greeting');
    const express = await request(app).get('/express/greeting');
    expect(ours.status).toBe(200);
    for (const header of ['content-type', 'content-length']) expect(ours.headers[header]).toBe(express.headers[header]);
    expect(ours.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(ours.headers.etag).toMatch(weakTagFor(Buffer.byteLength(JSON.stringify(greeting))));
    expect(ours.body).toEqual(greeting);
    const again = await request(app).get('/answers/greeting');
    expect(again.headers.etag).toBe(ours.headers.etag);
  });

  test('a long body past Latin-1 has the same bytes and length as Express sends, on GET, HEAD and a conditional GET', async () => {
    const ours = await request(app).get('/answers/catalogue');
    const express = await request(app).get('/express/catalogue');
    expect(JSON.stringify(catalogue).length).toBeGreaterThan(512);
    for (const header of ['content-type', 'content-length']) expect(ours.headers[header]).toBe(express.headers[header]);
    expect(ours.headers.etag).toMatch(weakTagFor(Buffer.byteLength(JSON.stringify(catalogue))));
    expect(Number(ours.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(catalogue)));
    expect(ours.body).toEqual(catalogue);
    const head = await request(app).head('/answers/catalogue');
    expect(head.headers['content-length']).toBe(ours.headers['content-length']);
    expect(head.headers.etag).toBe(ours.headers.etag);
    expect(head.text ?? '').toBe('');
    const again = await request(app).get('/answers/catalogue').set('If-None-Match', ours.headers.etag!);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
  });

  test('plain text carries the headers Express gives it', async () => {
    const ours = await request(app).get('/answers/text');
    const express = await request(app).get('/express/text');
    expect(ours.text).toBe('plain words, ünïcode');
    for (const header of ['content-type', 'content-length']) expect(ours.headers[header]).toBe(express.headers[header]);
    expect(ours.headers.etag).toMatch(weakTagFor(Buffer.byteLength('plain words, ünïcode')));
    expect(ours.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  test('a page is HTML with its length and ETag', async () => {
    const page = await request(app).get('/answers/page');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Number(page.headers['content-length'])).toBe(Buffer.byteLength(page.text));
    expect(page.headers.etag).toMatch(weakTagFor(Buffer.byteLength(page.text)));
    expect(page.text).toContain('<');
  });

  test('a conditional GET with a matching ETag is a 304 without a body, a stale one gets the body', async () => {
    const first = await request(app).get('/answers/greeting');
    const again = await request(app).get('/answers/greeting').set('If-None-Match', first.headers.etag!);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers['content-type']).toBeUndefined();
    expect(again.headers['content-length']).toBeUndefined();
    const stale = await request(app).get('/answers/greeting').set('If-None-Match', 'W/"1b-stale"');
    expect(stale.status).toBe(200);
    expect(stale.body).toEqual(greeting);
  });

  test('a body that changed gets another ETag, though its length did not, and a conditional GET with the old one gets the new body', async () => {
    for (const path of ['/answers/version', '/answers/long-version']) {
      const tags = new Set<string>();
      for (const v of '0123456789') {
        const answer = await request(app).get(`${path}?v=${v}`);
        expect(answer.body.version).toBe(v);
        tags.add(answer.headers.etag!);
      }
      const lengths = [...tags].map((tag) => tag.split('-')[0]);
      expect(new Set(lengths).size).toBe(1);
      expect(tags.size).toBe(10);
      const old = await request(app).get(`${path}?v=1`);
      const changed = await request(app).get(`${path}?v=2`).set('If-None-Match', old.headers.etag!);
      expect(changed.status).toBe(200);
      expect(changed.body.version).toBe('2');
      const same = await request(app).get(`${path}?v=1`).set('If-None-Match', old.headers.etag!);
      expect(same.status).toBe(304);
    }
  });

  test('HEAD gets the headers of GET and no body', async () => {
    const get = await request(app).get('/answers/greeting');
    const head = await request(app).head('/answers/greeting');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(head.headers.etag).toBe(get.headers.etag);
    expect(head.text ?? '').toBe('');
  });

  test('keeps a status, drops the body of a 204, and keeps a Content-Type the action chose', async () => {
    const accepted = await request(app).get('/answers/accepted');
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ queued: true });
    const nothing = await request(app).get('/answers/nothing');
    expect(nothing.status).toBe(204);
    expect(nothing.text).toBe('');
    expect(nothing.headers['content-type']).toBeUndefined();
    const vendor = await request(app).get('/answers/vendor');
    expect(vendor.headers['content-type']).toBe('application/vnd.api+json; charset=utf-8');
    expect(JSON.parse(vendor.text)).toEqual(greeting);
  });
});

describe('Express settings and middleware still apply', () => {
  test("`json spaces` and `etag` set on the app change a controller's answers", async () => {
    const indented = build((a) => a.set('json spaces', 2));
    const spaced = await request(indented).get('/answers/greeting');
    expect(spaced.text).toBe(JSON.stringify(greeting, null, 2));
    const noETag = build((a) => a.set('etag', false));
    const plain = await request(noETag).get('/answers/greeting');
    expect(plain.headers.etag).toBeUndefined();
    const strong = build((a) => a.set('etag', 'strong'));
    const strongAnswer = await request(strong).get('/answers/greeting');
    expect(strongAnswer.headers.etag).toBe(etag(JSON.stringify(greeting)));
  });

  test('middleware that wraps `res.send` sees every answer a controller sends', async () => {
    const wrapped = build((a) =>
      a.use((_req, res, next) => {
        const send = res.send;
        res.send = function sendAndMark(this: typeof res, body?: unknown) {
          this.setHeader('X-Wrapped', typeof body);
          return send.call(this, body);
        };
        next();
      }),
    );
    const json = await request(wrapped).get('/answers/greeting');
    expect(json.headers['x-wrapped']).toBe('string');
    expect(json.body).toEqual(greeting);
    const page = await request(wrapped).get('/answers/page');
    expect(page.headers['x-wrapped']).toBe('string');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  test("the framework's own headers are seen by middleware that wraps `setHeader` and read back by a logger after the answer", async () => {
    const seenSet: string[][] = [];
    const readAfter: Array<Record<string, unknown>> = [];
    const watched = build((a) =>
      a.use((_req, res, next) => {
        const names: string[] = [];
        seenSet.push(names);
        const setHeader = res.setHeader;
        res.setHeader = function watchedSetHeader(this: typeof res, name: string, value: string | number | readonly string[]) {
          names.push(name.toLowerCase());
          return setHeader.call(this, name, value);
        };
        // As morgan reads `:res[content-length]`: once the response has finished.
        res.on('finish', () => readAfter.push({ type: res.getHeader('content-type'), length: res.getHeader('content-length'), etag: res.getHeader('etag'), id: res.getHeader('x-request-id') }));
        next();
      }),
    );
    const answer = await request(watched).get('/answers/greeting').set('X-Request-Id', 'req-42');
    // The request id is set before app middleware runs; the answer's own three go through the wrapper.
    expect(seenSet[0]).toEqual(['content-type', 'content-length', 'etag']);
    expect(readAfter[0]).toEqual({ type: 'application/json; charset=utf-8', length: Number(answer.headers['content-length']), etag: answer.headers.etag, id: 'req-42' });
    // Without the wrapper, the same values are stored where `getHeader` finds them.
    const plainReads: Array<Record<string, unknown>> = [];
    const plain = build((a) =>
      a.use((_req, res, next) => {
        res.on('finish', () => plainReads.push({ type: res.getHeader('content-type'), length: res.getHeader('content-length'), etag: res.getHeader('etag'), names: res.getHeaderNames() }));
        next();
      }),
    );
    const unwatched = await request(plain).get('/answers/text');
    expect(plainReads[0]).toMatchObject({ type: 'text/plain; charset=utf-8', length: Buffer.byteLength('plain words, ünïcode'), etag: unwatched.headers.etag });
    expect(plainReads[0]!.names).toEqual(expect.arrayContaining(['x-request-id', 'content-type', 'content-length', 'etag']));
  });
});

describe('security headers', () => {
  /** The header names of a response as they came over the wire, in lower case, repeats kept. */
  const namesOf = (res: request.Response) => (res as unknown as { res: { rawHeaders: string[] } }).res.rawHeaders.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());

  test('each is sent once, also when a response gives its own to writeHead, whose values win', async () => {
    const own = build((a) => {
      a.get('/own-head', (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'X-Frame-Options': 'SAMEORIGIN' });
        res.end('<p>own head</p>');
      });
      a.get('/own-head-list', (_req, res) => {
        res.writeHead(201, 'Made', ['Content-Type', 'application/json', 'X-Content-Type-Options', 'nosniff']);
        res.end('{}');
      });
    });
    const page = await request(own).get('/answers/page');
    const json = await request(own).get('/answers/greeting');
    const ownHead = await request(own).get('/own-head');
    const ownList = await request(own).get('/own-head-list');
    for (const res of [page, json, ownHead, ownList]) {
      const names = namesOf(res);
      expect(names.length).toBe(new Set(names).size);
      expect(names).toEqual(expect.arrayContaining(['x-content-type-options', 'strict-transport-security']));
    }
    expect(namesOf(page)).toEqual(expect.arrayContaining(['content-security-policy', 'x-frame-options', 'referrer-policy', 'cross-origin-opener-policy']));
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(json.headers['content-security-policy']).toBeUndefined();
    expect(ownHead.status).toBe(200);
    expect(ownHead.text).toBe('<p>own head</p>');
    expect(ownHead.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(ownHead.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(ownList.status).toBe(201);
    expect(ownList.headers['content-type']).toBe('application/json');
    expect(ownList.headers['x-content-type-options']).toBe('nosniff');
    expect(ownList.headers['content-security-policy']).toBeUndefined();
  });
});
