import path from 'node:path';
import { openDatabase, type Database, type Logger, type MigrationPaths } from '../framework';
import type { Settings } from './settings';

/** Migrations and seeds, compiled alongside this file: `.ts` from source, `.js` from dist/. */
export const migrationPaths: MigrationPaths = {
  migrations: path.join(__dirname, '..', 'db', 'migrations'),
  seeds: path.join(__dirname, '..', 'db', 'seeds'),
  extension: path.extname(__filename),
};

/** Opens PostgreSQL at DATABASE_URL, or the embedded database of this environment. */
export function connect(settings: Settings, logger?: Logger): Promise<Database> {
  return openDatabase({
    logger,
    url: settings.database.url,
    embeddedDataDir: settings.database.embeddedDataDir,
    poolMax: settings.database.poolMax,
    idleTimeout: settings.database.idleTimeout,
    preparedStatements: settings.databaseScaling.preparedStatements,
    replicaUrls: settings.databaseScaling.replicaUrls,
  });
}
