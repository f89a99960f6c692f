import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { Controller, createApp, defineRoutes, type Database, type TrestleApp } from '../../framework';
import { openTestDatabase } from '../support/app';

// An app whose URL table has no route named `root` (most test apps, and many real ones) must
// still render the error pages from views/errors/, without logging a failed render.
class PingController extends Controller {
  async show() {
    this.json({ pong: true });
  }
}

const routes = defineRoutes((r) => {
  r.get('/ping', PingController, 'show');
});

let db: Database;
let app: TrestleApp;
const lines: string[] = [];

beforeAll(async () => {
  db = await openTestDatabase({ seed: false });
  const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
  app = createApp({ routes, viewsDir: path.join(__dirname, '..', '..', 'views'), db, config: { env: 'production' }, logger: pino({ level: 'info' }, sink) });
});
afterAll(() => db.close());

test('the 404 page of an app without a root route renders, and nothing is logged as an error', async () => {
  const res = await request(app).get('/nowhere').set('Accept', 'text/html');
  expect(res.status).toBe(404);
  expect(res.text).toContain('<h1>Page not found</h1>');
  expect(res.text).toContain('<a href="/">Back to the start</a>');
  const errors = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((entry) => entry.level >= 50);
  expect(errors).toEqual([]);
});
