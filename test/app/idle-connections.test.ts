import knex from 'knex';
import pino from 'pino';
import request from 'supertest';
import { buildApplication } from '../../config/application';
import { connect } from '../../config/database';
import { readSettings } from '../../config/settings';
import { openTestDatabase } from '../support/app';
import { testDatabaseUrl } from '../support/database-url';

// Connections are counted in PostgreSQL's pg_stat_activity, by the application name each app's URL
// gives them: the embedded database has one session and no such view of its connections.
const { url, embedded } = testDatabaseUrl();
const withPostgres = embedded ? describe.skip : describe;

/** An app as `npm start` builds it from these variables, its connections named `name`. */
async function appWith(name: string, variables: Record<string, string>) {
  const named = new URL(url);
  named.searchParams.set('application_name', name);
  const settings = readSettings({ NODE_ENV: 'test', DATABASE_URL: named.toString(), DATABASE_POOL_MAX: '2', ...variables });
  const db = await connect(settings, pino({ level: 'silent' }));
  return { db, app: buildApplication(settings, db, pino({ level: 'silent' })) };
}

withPostgres('unused database connections', () => {
  const observer = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  afterAll(() => observer.destroy());
  // This worker's database, migrated and seeded as every test file's is: run first in its worker,
  // the file otherwise found no tables, and the page failed.
  beforeAll(async () => {
    const prepared = await openTestDatabase();
    await prepared.close();
  });
  const open = async (name: string) => Number((await observer('pg_stat_activity').where({ application_name: name }).count({ n: '*' }).first())!.n);

  // One app at a time: the models use the database of the app built last.
  test('stay open through a pause longer than pg\'s own 10 s by default', async () => {
    const name = `trestle-kept-${process.pid}`;
    const { app, db } = await appWith(name, {});
    try {
      expect((await request(app).get('/index1/')).status).toBe(200);
      expect(await open(name)).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 11_000));
      expect(await open(name)).toBe(1);
    } finally {
      await db.close();
    }
  }, 30_000);

  test('close after DATABASE_IDLE_TIMEOUT_MS, and open again when needed', async () => {
    const name = `trestle-closed-${process.pid}`;
    const { app, db } = await appWith(name, { DATABASE_IDLE_TIMEOUT_MS: '300' });
    try {
      expect((await request(app).get('/index1/')).status).toBe(200);
      expect(await open(name)).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await open(name)).toBe(0);
      expect((await request(app).get('/index1/')).status).toBe(200);
      expect(await open(name)).toBe(1);
    } finally {
      await db.close();
    }
  });
});
