import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Database } from '../../framework';
import { buildBenchmarkApp } from '../../bench/trestle/app';
import { createBenchmarkTables, fortunes } from '../../bench/schema';
import { openTestDatabase } from '../support/app';
import { recordQueries } from '../support/queries';

// The benchmark app answers by TechEmpower's rules; speed is measured by `npm run bench`, not here.
let db: Database;
let app: ReturnType<typeof buildBenchmarkApp>;
const logFile = path.join(os.tmpdir(), `trestle-bench-log-${process.pid}.jsonl`);

beforeAll(async () => {
  db = await openTestDatabase({ seed: false });
  await createBenchmarkTables(db.knex);
  app = buildBenchmarkApp(db, logFile);
}, 30000);
afterAll(async () => {
  await db.close();
  fs.rmSync(logFile, { force: true });
});

/** The request's log line (the benchmark app logs at info, to a file, as in production): written asynchronously, so waited for. */
async function logLineOf(requestId: string): Promise<Record<string, unknown> | undefined> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    const line = text.split('\n').find((l) => l.includes(`"reqId":"${requestId}"`));
    if (line) return JSON.parse(line) as Record<string, unknown>;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return undefined;
}

function expectCommonHeaders(res: request.Response) {
  expect(res.headers.server).toBe('Trestle');
  expect(new Date(res.headers.date!).getTime()).toBeGreaterThan(Date.now() - 60_000);
}

test('/json is the greeting as JSON', async () => {
  const res = await request(app).get('/json');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.text).toBe('{"message":"Hello, World!"}');
  expectCommonHeaders(res);
});

test('/plaintext is the greeting as text', async () => {
  const res = await request(app).get('/plaintext');
  expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
  expect(res.text).toBe('Hello, World!');
  expectCommonHeaders(res);
});

test('/db is one random World row', async () => {
  const res = await request(app).get('/db');
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(Object.keys(res.body)).toEqual(['id', 'randomNumber']);
  expect(res.body.id).toBeGreaterThanOrEqual(1);
  expect(res.body.id).toBeLessThanOrEqual(10_000);
  const row = await db.knex('world').where({ id: res.body.id }).first();
  expect(res.body).toEqual(row);
  expectCommonHeaders(res);
});

test.each([
  ['20', 20],
  ['1', 1],
  ['0', 1],
  ['foo', 1],
  ['', 1],
  ['501', 500],
])('/queries?queries=%s answers %d rows, each read on its own', async (given, count) => {
  const { result: res, queries } = await recordQueries(db, () => request(app).get(`/queries?queries=${given}`));
  expect(res.status).toBe(200);
  expect(res.body).toHaveLength(count);
  expect(res.body.every((w: { id: number; randomNumber: number }) => w.id >= 1 && w.id <= 10_000 && Number.isInteger(w.randomNumber))).toBe(true);
  expect(queries).toHaveLength(count);
  // Production sends no Server-Timing; the request's log line still counts its statements.
  expect(res.headers['server-timing']).toBeUndefined();
  const line = await logLineOf(res.headers['x-request-id']!);
  expect(line).toMatchObject({ path: '/queries', status: 200, queries: count, action: 'BenchmarkController#queries' });
  expect(queries.every((q) => /^select \* from "world" where "id" = \$1 limit 1$/.test(q.sql))).toBe(true);
}, 30000);

test('/fortunes lists the 12 fortunes and the one added at request time, sorted and escaped', async () => {
  const res = await request(app).get('/fortunes');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  const rows = [...res.text.matchAll(/<tr><td>(\d+)<\/td><td>(.*?)<\/td><\/tr>/g)].map((m) => [Number(m[1]), m[2]]);
  expect(rows).toHaveLength(13);
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  const messages = rows.map((r) => unescape(r[1] as string));
  expect(messages).toEqual([...fortunes, 'Additional fortune added at request time.'].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  expect(res.text).toContain('&lt;script&gt;alert(&#34;This should not be displayed in a browser alert box.&#34;);&lt;/script&gt;');
  expect(res.text).toContain('フレームワークのベンチマーク');
  expect(res.text).toMatch(/^<!DOCTYPE html><html><head><title>Fortunes<\/title><\/head><body><table>/);
  expectCommonHeaders(res);
});

test('/updates changes each row it reads and answers the new values', async () => {
  const { result: res, queries } = await recordQueries(db, () => request(app).get('/updates?queries=5'));
  expect(res.status).toBe(200);
  expect(res.body).toHaveLength(5);
  for (const world of res.body as Array<{ id: number; randomNumber: number }>) {
    expect((await db.knex('world').where({ id: world.id }).first()).randomNumber).toBe(world.randomNumber);
  }
  expect(queries.map((q) => q.sql.split(' ')[0])).toEqual([...Array(5).fill('select'), ...Array(5).fill('update')]);
  expect((await request(app).get('/updates?queries=0')).body).toHaveLength(1);
});
