import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { Pool } from 'pg';
import request from 'supertest';
import type { Database } from '../../framework';
import { buildBenchmarkApp } from '../../bench/trestle/app';
import { buildExpressApp } from '../../bench/express/app';
import { buildFastifyApp } from '../../bench/peers/fastify/app';
import { createBenchmarkTables, fortunes } from '../../bench/schema';
import { openTestDatabase } from '../support/app';
import { testDatabaseUrl } from '../support/database-url';
import { recordQueries } from '../support/queries';

// The bench's servers answer by TechEmpower's rules; speed is measured by `npm run bench`, not here.
// Each server's block opens its own connection and closes it: the embedded database takes one at a time.
let db: Database;
let app: ReturnType<typeof buildBenchmarkApp>;
const logFile = path.join(os.tmpdir(), `trestle-bench-log-${process.pid}.jsonl`);

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

function expectCommonHeaders(res: request.Response, server = 'Trestle') {
  expect(res.headers.server).toBe(server);
  expect(new Date(res.headers.date!).getTime()).toBeGreaterThan(Date.now() - 60_000);
}

/** The Fortunes page's messages, unescaped, in order; the page must be whole and escaped. */
function expectFortunesPage(res: request.Response) {
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  const rows = [...res.text.matchAll(/<tr><td>(\d+)<\/td><td>(.*?)<\/td><\/tr>/g)].map((m) => [Number(m[1]), m[2]]);
  expect(rows).toHaveLength(13);
  const unescape = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  expect(rows.map((r) => unescape(r[1] as string))).toEqual([...fortunes, 'Additional fortune added at request time.'].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  expect(res.text).toContain('&lt;script&gt;alert(&#34;This should not be displayed in a browser alert box.&#34;);&lt;/script&gt;');
  expect(res.text).toContain('フレームワークのベンチマーク');
  expect(res.text).toMatch(/^<!DOCTYPE html><html><head><title>Fortunes<\/title><\/head><body><table>/);
}

describe('Trestle', () => {
  beforeAll(async () => {
    db = await openTestDatabase({ seed: false });
    await createBenchmarkTables(db.knex);
    app = buildBenchmarkApp(db, logFile);
  }, 30000);
  afterAll(async () => {
    await db.close();
    fs.rmSync(logFile, { force: true });
  });

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
    expectFortunesPage(res);
    expectCommonHeaders(res);
  });

  test('/updates changes each row it reads, in one statement, and answers the new values', async () => {
    const { result: res, queries } = await recordQueries(db, () => request(app).get('/updates?queries=5'));
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(5);
    for (const [id, randomNumber] of lastValues(res.body)) expect((await db.knex('world').where({ id }).first()).randomNumber).toBe(randomNumber);
    expect(queries.map((q) => q.sql.split(' ')[0])).toEqual([...Array(5).fill('select'), 'update']);
    expect(queries[5]!.sql).toMatch(/^update "world" set "randomNumber" = case "id" when \$1 then \$2 .* where "id" in \(\$1, /);
    expect((await request(app).get('/updates?queries=0')).body).toHaveLength(1);
  });
});

/** Each id an /updates answer holds, with the last value it gives that id (an id read twice is written with its last). */
function lastValues(worlds: Array<{ id: number; randomNumber: number }>): Map<number, number> {
  return new Map(worlds.map((world) => [world.id, world.randomNumber]));
}

/** Runs `work`, again every 100 ms for up to 5 s while the embedded database still turns a new connection away (its last one is closing). */
async function whenConnectionFree<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 50 || !/Connection terminated|ECONNRESET/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The hand-written servers, each on a pool of one connection (so its session's prepared statements can be read back). */
describe.each([
  ['strict Express', 'Express', async (pool: Pool) => ({ server: buildExpressApp(pool), close: async () => {} })],
  [
    'Fastify',
    'Fastify',
    async (pool: Pool) => {
      const fastify = buildFastifyApp(pool);
      await fastify.ready();
      return { server: fastify.server, close: () => fastify.close() };
    },
  ],
] as const)('%s', (_label, serverHeader, build) => {
  let pool: Pool;
  let server: Parameters<typeof request>[0];
  let close: () => Promise<void>;
  beforeAll(async () => {
    const { url } = testDatabaseUrl();
    await whenConnectionFree(async () => {
      // Quiet: a refused connection is retried here, not worth a warning on the console.
      const quiet = () => undefined;
      const setup = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 }, log: { warn: quiet, error: quiet, debug: quiet, deprecate: quiet } });
      try {
        await createBenchmarkTables(setup);
      } finally {
        await setup.destroy();
      }
    });
    pool = new Pool({ connectionString: url, max: 1 });
    // The embedded database keeps one session for every connection: start it without earlier
    // statements (the pool's one connection is made here and kept).
    await whenConnectionFree(() => pool.query('DEALLOCATE ALL'));
    ({ server, close } = await build(pool));
  }, 30000);
  afterAll(async () => {
    await close?.();
    await pool?.end();
  });

  test('/json and /plaintext answer the greeting', async () => {
    const json = await request(server).get('/json');
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.text).toBe('{"message":"Hello, World!"}');
    expectCommonHeaders(json, serverHeader);
    const text = await request(server).get('/plaintext');
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text.text).toBe('Hello, World!');
    expectCommonHeaders(text, serverHeader);
  });

  test('/db is one random World row, read by a named prepared statement', async () => {
    const res = await request(server).get('/db');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Object.keys(res.body)).toEqual(['id', 'randomNumber']);
    const row = (await pool.query('SELECT id, "randomNumber" FROM world WHERE id = $1', [res.body.id])).rows[0];
    expect(res.body).toEqual(row);
    expectCommonHeaders(res, serverHeader);
    const prepared = (await pool.query('SELECT name FROM pg_prepared_statements')).rows.map((r) => r.name);
    expect(prepared).toContain('world_by_id');
  });

  test.each([
    ['20', 20],
    ['0', 1],
    ['foo', 1],
    ['501', 500],
  ])('/queries?queries=%s answers %d rows', async (given, count) => {
    const res = await request(server).get(`/queries?queries=${given}`);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(count);
    expect(res.body.every((w: { id: number; randomNumber: number }) => w.id >= 1 && w.id <= 10_000 && Number.isInteger(w.randomNumber))).toBe(true);
  }, 30000);

  test('/fortunes lists the 12 fortunes and the one added at request time, sorted and escaped', async () => {
    const res = await request(server).get('/fortunes');
    expectFortunesPage(res);
    expectCommonHeaders(res, serverHeader);
  });

  test('/updates changes each row it reads and answers the new values, by named prepared statements (the writes as one)', async () => {
    const res = await request(server).get('/updates?queries=5');
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(5);
    const written = lastValues(res.body);
    for (const [id, randomNumber] of written) {
      expect((await pool.query('SELECT "randomNumber" FROM world WHERE id = $1', [id])).rows[0].randomNumber).toBe(randomNumber);
    }
    expect((await request(server).get('/updates?queries=0')).body).toHaveLength(1);
    const prepared = (await pool.query('SELECT name FROM pg_prepared_statements')).rows.map((r) => r.name);
    expect(prepared).toEqual(expect.arrayContaining(['world_by_id', `update_worlds_${written.size}`, 'update_worlds_1']));
  });
});
