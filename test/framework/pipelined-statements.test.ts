import pino from 'pino';
import request from 'supertest';
import { dropSchema, migrate, openDatabase, seed, type Database, type TrestleApp } from '../../framework';
import { runStatement } from '../../framework/database';
import { buildApplication } from '../../config/application';
import { migrationPaths } from '../../config/database';
import { readSettings } from '../../config/settings';
import { testDatabaseUrl } from '../support/database-url';

// One connection, and a bounded wait for it: statements issued while it is busy are sent down it at
// once (pg's pipeline mode) rather than waiting in the pool's line. These check what that changes
// for a user: every answer still reaches its own statement, an error stays with its statement, no
// statement waits for a connection (so none times out), and a transaction still gets its turn.
// (The embedded database serves one connection at a time, so these share one pool.)
const acquireTimeout = 1000;
const { url, embedded } = testDatabaseUrl();
let db: Database;
let app: TrestleApp;

beforeAll(async () => {
  db = await openDatabase({ url, poolMax: 1, acquireTimeout, logger: pino({ level: 'silent' }) });
  await dropSchema(db.knex);
  await migrate(db.knex, migrationPaths);
  await seed(db.knex, migrationPaths);
  app = buildApplication(readSettings({ NODE_ENV: 'test' }), db, pino({ level: 'silent' }));
});
afterAll(() => db.close());

const run = (sql: string, values: unknown[]) => runStatement(db.knex, sql, values);

test('concurrent requests on one connection each get their own record', async () => {
  const users = await db.knex('users').whereIn('name', ['alex', 'eric']).select('id', 'name');
  const asked = Array.from({ length: 30 }, (_, i) => users[i % 2]!);
  const answers = await Promise.all(asked.map((user) => request(app).get(`/users/${user.id}`).set('Accept', 'application/json')));
  expect(answers.map((answer) => answer.status)).toEqual(Array(30).fill(200));
  expect(answers.map((answer) => answer.body.name)).toEqual(asked.map((user) => user.name));
  expect(db.pending()).toEqual([]);
});

test('statements issued while the connection is busy all run, in order, and none waits past the acquire timeout', async () => {
  // Six statements of 250 ms each on one connection: the last ends 1.5 s after the first starts,
  // half as long again as any of them may wait for a connection.
  const started = Date.now();
  const answers = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => run('select pg_sleep(0.25)::text as slept, $1::int as n, clock_timestamp() as at', [n])));
  expect(Date.now() - started).toBeGreaterThanOrEqual(1.5 * acquireTimeout - 50);
  expect(answers.map((rows) => rows[0]!.n)).toEqual([1, 2, 3, 4, 5, 6]);
  const times = answers.map((rows) => new Date(rows[0]!.at as string).getTime());
  expect([...times].sort((a, b) => a - b)).toEqual(times);
});

test('past four statements on the connection, the next waits in line, and fails after the acquire timeout like a wait for a connection', async () => {
  const started = Date.now();
  const long = [1, 2, 3, 4].map((n) => run('select pg_sleep(1.5)::text as slept, $1::int as n', [n]));
  const fifth = run('select $1::int as n', [5]).then(
    () => 'served',
    (error: Error) => ({ error: error.message, afterMs: Date.now() - started }),
  );
  expect(await fifth).toEqual({ error: 'timeout exceeded when trying to connect', afterMs: expect.any(Number) });
  const { afterMs } = (await fifth) as { afterMs: number };
  expect(afterMs).toBeGreaterThanOrEqual(acquireTimeout - 50);
  expect(afterMs).toBeLessThan(1500);
  expect((await Promise.all(long)).map((rows) => rows[0]!.n)).toEqual([1, 2, 3, 4]);
}, 15000);

test('a failing statement among them fails alone, with its own error', async () => {
  const answers = await Promise.allSettled([1, 0, 2, 0, 5].map((n) => run('select 10 / $1::int as q', [n])));
  expect(answers.map((answer) => answer.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
  expect(answers.flatMap((answer) => (answer.status === 'fulfilled' ? [answer.value[0]!.q] : []))).toEqual([10, 5, 2]);
  for (const answer of answers) if (answer.status === 'rejected') expect(answer.reason).toMatchObject({ code: '22012', message: 'division by zero' });
  expect((await run('select $1::int + 1 as next', [41]))[0]!.next).toBe(42);
});

test('a transaction waiting for the connection runs before statements issued after it, and nothing is lost', async () => {
  const before = run('select pg_sleep(0.15)::text as slept, clock_timestamp() as at', []);
  await new Promise((resolve) => setImmediate(resolve));
  const transaction = db.knex.transaction(async (trx) => {
    const rows = await trx.raw('select clock_timestamp() as at');
    await trx('users').where({ name: 'eric' }).update({ name: 'erica' });
    return rows.rows[0].at as string;
  });
  await new Promise((resolve) => setImmediate(resolve));
  const after = run('select clock_timestamp() as at, (select count(*) from users where name = $1)::int as renamed', ['erica']);
  const [first, inTransaction, last] = await Promise.all([before, transaction, after]);
  expect(new Date(first[0]!.at as string).getTime()).toBeLessThanOrEqual(new Date(inTransaction).getTime());
  expect(new Date(inTransaction).getTime()).toBeLessThanOrEqual(new Date(last[0]!.at as string).getTime());
  // The statement issued after the transaction asked for the connection sees its committed write.
  expect(last[0]!.renamed).toBe(1);
  await db.knex('users').where({ name: 'erica' }).update({ name: 'eric' });
});

(embedded ? test.skip : test)('a connection lost with statements on it fails each of them, and the pool serves again', async () => {
  const pid = (await run('select pg_backend_pid() as pid', []))[0]!.pid as number;
  const waiting = Promise.allSettled([1, 2, 3].map((n) => run('select pg_sleep(0.3)::text as slept, $1::int as n', [n])));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const killer = await openDatabase({ url, poolMax: 1, logger: pino({ level: 'silent' }) });
  try {
    await killer.knex.raw('select pg_terminate_backend(?)', [pid]);
  } finally {
    await killer.close();
  }
  const answers = await waiting;
  expect(answers.map((answer) => answer.status)).toEqual(['rejected', 'rejected', 'rejected']);
  expect((await run('select $1::int as n', [7]))[0]!.n).toBe(7);
  expect(db.pending()).toEqual([]);
});
