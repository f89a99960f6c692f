import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';

/** Where an application keeps its schema history and demo data. */
export interface MigrationPaths {
  migrations: string;
  seeds: string;
  /** `.ts` when running from source, `.js` when running the build. */
  extension: string;
}

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down?(knex: Knex): Promise<void>;
}

/**
 * Migrations named without their extension, so a database migrated from the build (`.js`) and
 * one migrated from source (`.ts`, under `npm run dev` or the tests) agree on what has run.
 */
class DirectoryMigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly paths: MigrationPaths) {}

  async getMigrations(): Promise<string[]> {
    const files = await fs.promises.readdir(this.paths.migrations).catch(() => [] as string[]);
    return files.filter((f) => f.endsWith(this.paths.extension) && !f.endsWith('.d.ts')).sort();
  }

  getMigrationName(file: string): string {
    return file.slice(0, -this.paths.extension.length);
  }

  async getMigration(file: string): Promise<MigrationModule> {
    return require(path.join(this.paths.migrations, file)) as MigrationModule;
  }
}

/**
 * knex's own file source records names with their extension (`…_create_users.js`); this one
 * does not. Old records are renamed once, so a database migrated either way keeps working.
 */
const normalized = new WeakSet<Knex>();

async function normalizeRecordedNames(db: Knex): Promise<void> {
  if (normalized.has(db)) return;
  if (!(await db.schema.hasTable('knex_migrations'))) return;
  normalized.add(db);
  await db('knex_migrations')
    .where('name', 'like', '%.ts')
    .orWhere('name', 'like', '%.js')
    .update({ name: db.raw("regexp_replace(name, '\\.(ts|js)$', '')") });
}

function migratorConfig(paths: MigrationPaths): Knex.MigratorConfig {
  return { migrationSource: new DirectoryMigrationSource(paths), tableName: 'knex_migrations' };
}

function seedConfig(paths: MigrationPaths): Knex.SeederConfig {
  return { directory: paths.seeds, loadExtensions: [paths.extension] };
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(db: Knex, paths: MigrationPaths): Promise<string[]> {
  await normalizeRecordedNames(db);
  const [, applied] = (await db.migrate.latest(migratorConfig(paths))) as [number, string[]];
  return applied;
}

/** Undoes the last batch of migrations; returns the names undone. */
export async function rollback(db: Knex, paths: MigrationPaths): Promise<string[]> {
  await normalizeRecordedNames(db);
  const [, undone] = (await db.migrate.rollback(migratorConfig(paths))) as [number, string[]];
  return undone;
}

/** Runs every seed file in order; returns the files run. */
export async function seed(db: Knex, paths: MigrationPaths): Promise<string[]> {
  const [files] = (await db.seed.run(seedConfig(paths))) as [string[]];
  return files;
}

/** Each migration and whether it has run. */
export async function migrationStatus(db: Knex, paths: MigrationPaths): Promise<Array<{ name: string; applied: boolean }>> {
  await normalizeRecordedNames(db);
  const [completed, pending] = (await db.migrate.list(migratorConfig(paths))) as [Array<{ name: string }>, Array<{ file: string }>];
  return [...completed.map((m) => ({ name: m.name, applied: true })), ...pending.map((m) => ({ name: String(m.file ?? m), applied: false }))];
}

/**
 * Brings a database up to date, like `rails db:prepare`: applies pending migrations, and seeds it
 * when it had no schema before (a brand-new database), never on later starts.
 */
export async function prepareDatabase(db: Knex, paths: MigrationPaths): Promise<{ migrated: string[]; seeded: string[] }> {
  const fresh = (await db.migrate.currentVersion(migratorConfig(paths))) === 'none';
  const migrated = await migrate(db, paths);
  const seeded = fresh ? await seed(db, paths) : [];
  return { migrated, seeded };
}

/** Empties the `public` schema, so the next `migrate` starts from nothing. */
export async function dropSchema(db: Knex): Promise<void> {
  await db.raw('DROP SCHEMA IF EXISTS public CASCADE');
  await db.raw('CREATE SCHEMA public');
}

/**
 * A new migration called `name` (lower_snake_case): its dated file name (`20261130193300_name.ts`,
 * so files sort in the order they were made) and a body to fill in. The one maker behind both
 * `npm run db:make-migration` and `npm run generate migration`; a bad name throws with the rule.
 */
export function newMigration(name: string, now = new Date()): { fileName: string; content: string } {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error('A migration name is lower_snake_case, for example add_age_to_users.');
  return { fileName: `${migrationStamp(now)}_${name}.ts`, content: emptyMigration };
}

/** `20261130193300`: a migration's date, to the second, as its file name starts. */
export function migrationStamp(now: Date): string {
  return now.toISOString().replace(/\D/g, '').slice(0, 14);
}

const emptyMigration = `import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // await knex.schema.alterTable('users', (table) => { table.integer('age'); });
}

export async function down(knex: Knex): Promise<void> {
  // await knex.schema.alterTable('users', (table) => { table.dropColumn('age'); });
}
`;
