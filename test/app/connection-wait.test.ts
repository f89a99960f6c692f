import pino from 'pino';
import request from 'supertest';
import { dropSchema, migrate, openDatabase, seed, type Database, type TrestleApp } from '../../framework';
import { buildApplication } from '../../config/application';
import { migrationPaths } from '../../config/database';
import { readSettings } from '../../config/settings';
import { testDatabaseUrl } from '../support/database-url';

// A pool of one connection with a short wait for it: what a request sees when every connection is
// busy for longer than that (a 503, on time), and that the pool serves again once one is free.
const acquireTimeout = 500;
let db: Database;
let app: TrestleApp;

beforeAll(async () => {
  db = await openDatabase({ url: testDatabaseUrl().url, poolMax: 1, acquireTimeout, logger: pino({ level: 'silent' }) });
  await dropSchema(db.knex);
  await migrate(db.knex, migrationPaths);
  await seed(db.knex, migrationPaths);
  app = buildApplication(readSettings({ NODE_ENV: 'test' }), db, pino({ level: 'silent' }));
});
afterAll(() => db.close());

/** Holds the pool's only connection in a transaction until the returned function is called. */
async function holdTheConnection(): Promise<{ release: () => Promise<void> }> {
  let letGo!: () => void;
  const released = new Promise<void>((resolve) => (letGo = resolve));
  let holding!: () => void;
  const held = new Promise<void>((resolve) => (holding = resolve));
  const transaction = db.knex.transaction(async (trx) => {
    await trx.raw('select 1');
    holding();
    await released;
  });
  await held;
  return {
    release: async () => {
      letGo();
      await transaction;
    },
  };
}

async function timed<T>(work: () => PromiseLike<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

test('a request that waits longer than the acquire timeout for a connection is a 503, HTML or JSON, after that timeout', async () => {
  const connection = await holdTheConnection();
  try {
    const [page, api] = await Promise.all([timed(() => request(app).get('/index1/')), timed(() => request(app).get('/users').set('Accept', 'application/json'))]);
    expect(page.value.status).toBe(503);
    expect(page.value.text).toContain('temporarily unavailable');
    expect(JSON.parse(api.value.text)).toMatchObject({ status: 503, title: 'Service Unavailable' });
    for (const { ms } of [page, api]) {
      expect(ms).toBeGreaterThanOrEqual(acquireTimeout - 50);
      expect(ms).toBeLessThan(acquireTimeout + 2000);
    }
  } finally {
    await connection.release();
  }
  // The connection the timed-out requests gave up on goes to the next in line: the pool serves again.
  const after = await request(app).get('/index1/');
  expect(after.status).toBe(200);
  expect(after.text).toContain('alex');
  expect(db.pending()).toEqual([]);
});

test('requests queued for the one connection are all served, in turn, when each waits less than the timeout', async () => {
  const connection = await holdTheConnection();
  const waiting = Array.from({ length: 12 }, () => request(app).get('/users').set('Accept', 'application/json'));
  await new Promise((resolve) => setTimeout(resolve, acquireTimeout / 2));
  await connection.release();
  const answers = await Promise.all(waiting);
  expect(answers.map((answer) => answer.status)).toEqual(Array(12).fill(200));
  expect(answers[0]!.body.data.map((user: { name: string }) => user.name)).toContain('alex');
  expect(db.pending()).toEqual([]);
});

test('a request that starts waiting after an earlier one timed out gets its own full wait', async () => {
  const connection = await holdTheConnection();
  const first = timed(() => request(app).get('/users').set('Accept', 'application/json'));
  await new Promise((resolve) => setTimeout(resolve, acquireTimeout * 0.6));
  const second = timed(() => request(app).get('/users').set('Accept', 'application/json'));
  const firstAnswer = await first;
  expect(firstAnswer.value.status).toBe(503);
  // The second has waited about 0.4 of its time: freeing the connection now must serve it.
  await connection.release();
  const secondAnswer = await second;
  expect(secondAnswer.value.status).toBe(200);
  expect(db.pending()).toEqual([]);
});
