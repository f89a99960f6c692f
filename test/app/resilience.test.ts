import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { migrate, openDatabase, seed, type Database } from '../../framework';
import { buildApplication } from '../../config/application';
import { migrationPaths } from '../../config/database';
import { readSettings } from '../../config/settings';
import { exited, startScript, waitForOutput } from '../support/processes';

// A database of this file's own, in a process of its own, which the test stops and starts again.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-outage-'));
let server: ReturnType<typeof startScript>;
let port: number;
let db: Database;

async function startDatabase(onPort?: number) {
  server = startScript('test/support/embedded-server.ts', [dataDir, ...(onPort ? [String(onPort)] : [])]);
  port = Number((await waitForOutput(server, /listening (\d+)/))[1]);
}

async function stopDatabase() {
  server.kill('SIGTERM');
  await exited(server);
}

beforeAll(async () => {
  await startDatabase();
  db = await openDatabase({ url: `postgres://postgres@127.0.0.1:${port}/postgres`, poolMax: 1, acquireTimeout: 2000, logger: pino({ level: 'silent' }) });
  await migrate(db.knex, migrationPaths);
  await seed(db.knex, migrationPaths);
}, 30000);

afterAll(async () => {
  await db.close();
  await stopDatabase().catch(() => undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  return { value: await work(), ms: Date.now() - started };
}

test('the app answers 503 quickly while its database is down, and serves again when it returns, without a restart', async () => {
  const app = buildApplication(readSettings({ NODE_ENV: 'test' }), db);
  expect((await request(app).get('/readyz')).status).toBe(200);
  expect((await request(app).get('/index1/')).status).toBe(200);

  await stopDatabase();

  const ready = await timed(() => request(app).get('/readyz'));
  expect(ready.value.status).toBe(503);
  expect(ready.value.body).toEqual({ status: 'unavailable', detail: 'The database does not answer.' });
  expect(ready.ms).toBeLessThan(5000);

  const page = await timed(() => request(app).get('/index1/'));
  expect(page.value.status).toBe(503);
  expect(page.value.text).toContain('temporarily unavailable');
  expect(page.ms).toBeLessThan(5000);

  const api = await request(app).get('/users').set('Accept', 'application/json');
  expect(api.status).toBe(503);
  expect(JSON.parse(api.text)).toMatchObject({ status: 503, title: 'Service Unavailable' });

  expect((await request(app).get('/healthz')).status).toBe(200);

  await startDatabase(port);
  let status = 0;
  for (let i = 0; i < 50 && status !== 200; i++) {
    status = (await request(app).get('/readyz')).status;
    if (status !== 200) await new Promise((r) => setTimeout(r, 200));
  }
  expect(status).toBe(200);
  const back = await request(app).get('/index1/');
  expect(back.status).toBe(200);
  expect(back.text).toContain('alex');
}, 60000);
