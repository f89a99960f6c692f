import fs from 'node:fs';
import path from 'node:path';
import { type Database, dropSchema, migrate, migrationStatus, newMigration, rollback, seed, writeSchemaTypes, type MigrationPaths } from '../database';
import { formatRoutes, type BuiltInRoute, type RouteTable } from '../routing';

export interface CliContext {
  /** Opens the application's database (as configured by the environment). */
  open(): Promise<Database>;
  paths: MigrationPaths;
  /** Where `db:make-migration` writes (the source folder, even when running from dist/). */
  sourceMigrationsDir: string;
  /** The URL table, for `routes`. */
  routes?: RouteTable;
  print?: (line: string) => void;
  /** The file `db:types` writes (the tables' row types); `db:migrate` and `db:rollback` rewrite it when `regenerate` (development). */
  schemaTypes?: { file: string; regenerate: boolean };
  /** The environment: development adds the request inspector's pages to `routes`. */
  env?: string;
}

/** What the framework answers before the URL table, in every environment. */
const healthRoutes: BuiltInRoute[] = [
  { method: 'GET', path: '/healthz', handler: 'health: the process is up' },
  { method: 'GET', path: '/readyz', handler: 'health: database and migrations ready' },
];

/** The request inspector's pages, served in development only. */
const inspectorRoutes: BuiltInRoute[] = ['/_trestle/requests', '/_trestle/requests.json', '/_trestle/requests/:id', '/_trestle/requests/:id.json', '/_trestle/requests/stream'].map(
  (path) => ({ method: 'GET', path, handler: 'request inspector (development only)' }),
);
/** The pending-migrations page's button (development only). */
inspectorRoutes.push({ method: 'POST', path: '/_trestle/migrations', handler: 'run pending migrations (development only)' });

const tasks = ['db:migrate', 'db:rollback', 'db:seed', 'db:reset', 'db:status', 'db:make-migration', 'db:types', 'routes'] as const;
type Task = (typeof tasks)[number];

const baseName = (file: string) => path.basename(file).replace(/\.(ts|js)$/, '');

/**
 * Runs one database task, printing what it did; returns the process exit code. The tasks:
 * db:migrate, db:rollback, db:seed, db:reset (drop, migrate, seed), db:status, db:make-migration NAME,
 * db:types [--check] (the tables' row types, from the migrated database), and routes (the URL table).
 */
export async function runCli(argv: string[], context: CliContext): Promise<number> {
  const print = context.print ?? ((line: string) => console.log(line));
  const [task, ...args] = argv;
  if (!task || !(tasks as readonly string[]).includes(task)) {
    print(`Usage: <task> [args]\nTasks: ${tasks.join(', ')}`);
    return task ? 1 : 0;
  }
  if (task === 'db:make-migration') return makeMigration(args[0], context.sourceMigrationsDir, print);
  if (task === 'routes') {
    if (!context.routes) throw new Error('routes: no URL table was given to the CLI');
    print(formatRoutes(context.routes, context.env === 'development' ? [...healthRoutes, ...inspectorRoutes] : healthRoutes));
    return 0;
  }

  const db = await context.open();
  print(`database: ${db.description}`);
  try {
    if (task === 'db:types') return await schemaTypesTask(db, context, args.includes('--check'), print);
    await runDatabaseTask(task as Task, db, context.paths, print);
    if ((task === 'db:migrate' || task === 'db:rollback') && context.schemaTypes?.regenerate) await schemaTypesTask(db, context, false, print);
    return 0;
  } finally {
    await db.close();
  }
}

async function runDatabaseTask(task: Task, db: Database, paths: MigrationPaths, print: (line: string) => void): Promise<void> {
  const list = (verb: string, names: string[], none: string) => (names.length ? names.forEach((n) => print(`${verb} ${baseName(n)}`)) : print(none));
  switch (task) {
    case 'db:migrate':
      return list('migrated', await migrate(db.knex, paths), 'already up to date');
    case 'db:rollback':
      return list('rolled back', await rollback(db.knex, paths), 'nothing to roll back');
    case 'db:seed':
      return list('seeded', await seed(db.knex, paths), 'no seed files');
    case 'db:reset':
      await dropSchema(db.knex);
      print('dropped schema public');
      list('migrated', await migrate(db.knex, paths), 'no migrations');
      return list('seeded', await seed(db.knex, paths), 'no seed files');
    case 'db:status':
      for (const m of await migrationStatus(db.knex, paths)) print(`${m.applied ? '  up  ' : ' down '} ${baseName(m.name)}`);
      return;
    default:
      throw new Error(`unhandled task ${task}`);
  }
}

/** Writes (or with `check`, compares) the schema's types: exit code 1 when the committed file is stale. */
async function schemaTypesTask(db: Database, context: CliContext, check: boolean, print: (line: string) => void): Promise<number> {
  if (!context.schemaTypes) throw new Error('db:types: no file was given to the CLI');
  const file = path.relative(process.cwd(), context.schemaTypes.file);
  const outcome = await writeSchemaTypes(db.knex, context.schemaTypes.file, { check });
  print(outcome === 'stale' ? `${file} is out of date: run npm run db:types and commit it` : `${outcome === 'written' ? 'wrote' : 'unchanged'} ${file}`);
  return outcome === 'stale' ? 1 : 0;
}

function makeMigration(name: string | undefined, dir: string, print: (line: string) => void): number {
  let migration: ReturnType<typeof newMigration>;
  try {
    migration = newMigration(name ?? '');
  } catch (error) {
    print(`Usage: db:make-migration NAME. ${(error as Error).message}`);
    return 1;
  }
  const file = path.join(dir, migration.fileName);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, migration.content, { flag: 'wx' });
  print(`create ${path.relative(process.cwd(), file)}`);
  return 0;
}
