import type { Knex } from 'knex';
import { dropSchema, migrate, openDatabase, seed, type Database, type TrestleApp } from '../../framework';
import { buildApplication } from '../../config/application';
import { migrationPaths } from '../../config/database';
import { readSettings, type Settings } from '../../config/settings';
import { testDatabaseUrl } from './database-url';
import { testLogger } from './logger';

export interface TestContext {
  app: TrestleApp;
  db: Database;
  knex: Knex;
  settings: Settings;
}

/** Opens this worker's database and empties it, then migrates (and seeds, unless told not to). */
export async function openTestDatabase(options: { seed?: boolean } = {}): Promise<Database> {
  const { url, embedded } = testDatabaseUrl();
  // The embedded database has one session: one connection.
  const db = await openDatabase({ url, poolMax: embedded ? 1 : 5 });
  await dropSchema(db.knex);
  await migrate(db.knex, migrationPaths);
  if (options.seed !== false) await seed(db.knex, migrationPaths);
  return db;
}

/**
 * The real application on a clean, migrated and seeded database of its own for this test file.
 * The returned object is filled in `beforeAll` and closed in `afterAll`.
 */
export function useTestApp(env: Record<string, string> = {}): TestContext {
  const context = {} as TestContext;
  beforeAll(async () => {
    context.settings = readSettings({ NODE_ENV: 'test', ...env });
    context.db = await openTestDatabase();
    context.knex = context.db.knex;
    context.app = buildApplication(context.settings, context.db, testLogger());
  });
  afterAll(async () => {
    await context.db?.close();
  });
  return context;
}
