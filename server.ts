import cluster from 'node:cluster';
import path from 'node:path';
import { ConfigError, createLogger, describeConnectionFailure, loadDotEnv, prepareDatabase, runCluster, serve, type Logger } from './framework';
import { connect, migrationPaths } from './config/database';
import { insecureCookieWarning, readSettings, root, type Settings } from './config/settings';

/**
 * The process: read the settings, open the database, build the app, listen. With
 * WEB_CONCURRENCY > 1 (and PostgreSQL), a primary runs migrations once and forks the workers.
 */
async function main(): Promise<void> {
  loadDotEnv(root);
  let settings: Settings;
  try {
    settings = readSettings();
  } catch (error) {
    if (error instanceof ConfigError) failStart(`Invalid configuration: ${error.problems.join('; ')}`);
    throw error;
  }
  const logger = createLogger({ level: settings.logLevel, destination: settings.logFile, pretty: settings.env === 'development' });
  const cookieWarning = cluster.isPrimary ? insecureCookieWarning(settings) : undefined;
  if (cookieWarning) logger.warn(cookieWarning);

  let workers = settings.workers;
  if (workers > 1 && !settings.database.url) {
    logger.info('embedded database: one process owns it, so the server runs a single process (set DATABASE_URL to run workers)');
    workers = 1;
  }
  try {
    if (workers > 1 && cluster.isPrimary) {
      await migrateIfWanted(settings, logger);
      runCluster({ workers, logger, shutdownTimeout: settings.shutdownTimeout });
      return;
    }
    await runServer(settings, logger, workers === 1);
  } catch (error) {
    const reason = startupFailure(error, settings);
    if (!reason) throw error;
    // The lines logged so far go out first, so the reason is the last line printed.
    logger.flush(() => failStart(reason));
  }
}

/** Why the server could not start, in one line, for the failures a developer can fix from it; undefined for a bug. */
function startupFailure(error: unknown, settings: Settings): string | undefined {
  if ((error as NodeJS.ErrnoException)?.code === 'EADDRINUSE') return `port ${settings.port} is in use: set PORT or stop the other process`;
  if ((error as NodeJS.ErrnoException)?.code === 'EACCES' && (error as { syscall?: string }).syscall === 'listen') {
    return `port ${settings.port} needs privileges this process lacks: set PORT to 1024 or above`;
  }
  return missingModule(error) ?? describeConnectionFailure(error, settings.database.url);
}

/** `config/routes.ts imports ../app/controllers/GreetingsController, which does not exist`: a file mid-edit. */
function missingModule(error: unknown): string | undefined {
  const { code, message, requireStack } = error as { code?: string; message?: string; requireStack?: string[] };
  if (code !== 'MODULE_NOT_FOUND' || !message || !requireStack?.length) return undefined;
  const wanted = /Cannot find module '([^']+)'/.exec(message)?.[1];
  if (!wanted || !requireStack[0]!.startsWith(root)) return undefined;
  return `${path.relative(root, requireStack[0]!)} imports ${wanted}, which does not exist: create it (npm run dev restarts when it appears) or remove the import`;
}

/** A start-up failure the user can fix: one line on stderr, no stack, exit 1. */
function failStart(reason: string): never {
  console.error(`Trestle could not start: ${reason}`);
  process.exit(1);
}

async function migrateIfWanted(settings: Settings, logger: Logger): Promise<void> {
  if (!settings.autoMigrate) return;
  const db = await connect(settings, logger);
  try {
    await prepare(db.knex, logger);
  } finally {
    await db.close().catch(() => undefined);
  }
}

async function prepare(knex: Parameters<typeof prepareDatabase>[0], logger: Logger): Promise<void> {
  const { migrated, seeded } = await prepareDatabase(knex, migrationPaths);
  if (migrated.length) logger.info(`migrated: ${migrated.join(', ')}`);
  if (seeded.length) logger.info(`seeded: ${seeded.map((file) => file.split('/').pop()).join(', ')}`);
}

async function runServer(settings: Settings, logger: Logger, single: boolean): Promise<void> {
  const db = await connect(settings, logger);
  if (single) logger.info(`database: ${db.description}`);
  if (single && settings.autoMigrate) await prepare(db.knex, logger);

  // Loaded here rather than imported at the top, so a route naming a controller file that does not
  // exist yet (mid-edit under `npm run dev`) is a one-line start-up failure, not a stack trace.
  const { buildApplication } = require('./config/application') as typeof import('./config/application');
  const app = buildApplication(settings, db, logger);
  const running = await serve(app, {
    port: settings.port,
    host: settings.host,
    logger,
    shutdownTimeout: settings.shutdownTimeout,
    onClose: () => db.close(),
    closeWaitsFor: () => db.pending(),
  });
  if (single) logger.info(`Trestle (${settings.env}) listening on http://localhost:${running.port}`);
  else logger.info(`worker ${process.pid} listening on port ${running.port}`);

  // A shutdown that overran its deadline (it has logged what it waited for) or failed to close exits non-zero.
  const stop = (signal: string) =>
    void running.shutdown(signal).then(({ clean }) => {
      logger.flush();
      process.exit(clean ? 0 : 1);
    });
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
