import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, runCli } from '../../framework';
import { migrationPaths } from '../../config/database';
import routes from '../../config/routes';
import { testDatabaseUrl } from '../support/database-url';

const root = path.join(__dirname, '..', '..');
const { url, embedded } = testDatabaseUrl();
const open = () => openDatabase({ url, poolMax: 1 });

async function run(...argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runCli(argv, { open, paths: migrationPaths, sourceMigrationsDir: tmpMigrations, print: (l) => lines.push(l) });
  return { code, lines: lines.filter((l) => !l.startsWith('database:')) };
}

async function tables(): Promise<string[]> {
  const db = await open();
  try {
    const { rows } = await db.knex.raw("select tablename from pg_tables where schemaname = 'public' order by tablename");
    return rows.map((r: { tablename: string }) => r.tablename);
  } finally {
    await db.close();
  }
}

/** The application's migrations, in order, as the tasks name them. */
const migrations = fs
  .readdirSync(migrationPaths.migrations)
  .filter((f) => f.endsWith(migrationPaths.extension))
  .map((f) => f.slice(0, -migrationPaths.extension.length))
  .sort();

const tmpMigrations = fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-migrations-'));
afterAll(() => fs.rmSync(tmpMigrations, { recursive: true, force: true }));

describe('database tasks', () => {
  test('db:reset drops everything, migrates and seeds', async () => {
    const { code, lines } = await run('db:reset');
    expect(code).toBe(0);
    expect(lines).toEqual(['dropped schema public', ...migrations.map((m) => `migrated ${m}`), 'seeded 01_users', 'seeded 02_posts']);
    expect(await tables()).toEqual(['knex_migrations', 'knex_migrations_lock', 'posts', 'rate_limits', 'sessions', 'users']);
  });

  test('db:status lists each migration', async () => {
    expect((await run('db:status')).lines).toEqual(migrations.map((m) => `  up   ${m}`));
  });

  test('db:migrate when up to date says so', async () => {
    expect((await run('db:migrate')).lines).toEqual(['already up to date']);
  });

  test('db:rollback undoes the last batch, and db:migrate brings it back', async () => {
    expect((await run('db:rollback')).lines).toEqual([...migrations].reverse().map((m) => `rolled back ${m}`));
    expect(await tables()).toEqual(['knex_migrations', 'knex_migrations_lock']);
    expect((await run('db:status')).lines).toEqual(migrations.map((m) => ` down  ${m}`));
    expect((await run('db:migrate')).lines).toEqual(migrations.map((m) => `migrated ${m}`));
  });

  test('a database migrated with knex’s own file names (with extensions) is understood', async () => {
    const db = await open();
    try {
      await db.knex('knex_migrations').update({ name: db.knex.raw("name || '.js'") });
    } finally {
      await db.close();
    }
    expect((await run('db:migrate')).lines).toEqual(['already up to date']);
    expect((await run('db:status')).lines).toEqual(migrations.map((m) => `  up   ${m}`));
  });

  test('db:seed can run twice without duplicating rows', async () => {
    await run('db:seed');
    await run('db:seed');
    const db = await open();
    try {
      expect(await db.knex('users').count({ n: '*' })).toEqual([{ n: '2' }]);
      expect(await db.knex('posts').count({ n: '*' })).toEqual([{ n: '3' }]);
    } finally {
      await db.close();
    }
  });

  test('db:make-migration writes a dated TypeScript migration', async () => {
    const { code, lines } = await run('db:make-migration', 'add_age_to_users');
    expect(code).toBe(0);
    const files = fs.readdirSync(tmpMigrations);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{14}_add_age_to_users\.ts$/);
    expect(lines[0]).toMatch(/^create .*add_age_to_users\.ts$/);
    const source = fs.readFileSync(path.join(tmpMigrations, files[0]!), 'utf8');
    expect(source).toContain('export async function up(knex: Knex)');
    expect(source).toContain('export async function down(knex: Knex)');
  });

  test('bad names and unknown tasks are refused with usage', async () => {
    expect((await run('db:make-migration', 'Bad Name')).code).toBe(1);
    const unknown = await run('db:explode');
    expect(unknown.code).toBe(1);
    expect(unknown.lines.join('\n')).toContain('Tasks: db:migrate, db:rollback, db:seed, db:reset, db:status, db:make-migration, db:types, routes');
  });

  test('the npm script entry point runs a task in its own process', async () => {
    // Asynchronously: the embedded test database may live in this very process.
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'config/cli.ts', 'db:status'], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: url, DATABASE_POOL_MAX: embedded ? '1' : '2' },
      encoding: 'utf8',
      timeout: 20000,
    });
    expect(stderr).toBe('');
    expect(stdout).toContain(`  up   ${migrations[migrations.length - 1]}`);
  });

  test('routes prints the URL table without touching the database', async () => {
    const lines: string[] = [];
    const code = await runCli(['routes'], { open: () => Promise.reject(new Error('no database wanted')), paths: migrationPaths, sourceMigrationsDir: tmpMigrations, routes, print: (l) => lines.push(l) });
    expect(code).toBe(0);
    const table = lines.join('\n').split('\n');
    expect(table[0]).toMatch(/^Method\s+Path\s+Name\s+Controller#Action$/);
    expect(table).toContainEqual(expect.stringMatching(/^GET\s+\/users\/:id\s+users\.show\s+UsersController#show$/));
    expect(table).toContainEqual(expect.stringMatching(/^POST\s+\/users\/:userId\/posts\s+user_posts\.create\s+PostsController#create$/));
    expect(table).toContainEqual(expect.stringMatching(/^GET\s+\/index1\/\s+pages\.index1\s+PagesController#index1$/));
  });

  test('routes lists the health checks everywhere, and the request inspector in development only', async () => {
    const printed = async (env: string) => {
      const lines: string[] = [];
      await runCli(['routes'], { open: () => Promise.reject(new Error('no database wanted')), paths: migrationPaths, sourceMigrationsDir: tmpMigrations, routes, env, print: (l) => lines.push(l) });
      return lines.join('\n').split('\n');
    };
    const development = await printed('development');
    expect(development).toContainEqual(expect.stringMatching(/^GET\s+\/healthz\s+health: the process is up$/));
    expect(development).toContainEqual(expect.stringMatching(/^GET\s+\/readyz\s+health: database and migrations ready$/));
    for (const path of ['/_trestle/requests', '/_trestle/requests.json', '/_trestle/requests/:id', '/_trestle/requests/:id.json', '/_trestle/requests/stream']) {
      expect(development).toContainEqual(expect.stringMatching(new RegExp(`^GET\\s+${path.replace(/\./g, '\\.')}\\s+request inspector \\(development only\\)$`)));
    }
    const production = await printed('production');
    expect(production).toContainEqual(expect.stringMatching(/^GET\s+\/healthz\s/));
    expect(production.join('\n')).not.toContain('/_trestle');
  });
});
