import path from 'node:path';
import { createApp, createLogger, findProjectRoot, openDatabase, type Database } from '../../framework';
import routes from './routes';

/** The benchmark app, with the production defaults a user deploys: request log at info, to a file. */
export function buildBenchmarkApp(db: Database, logFile?: string) {
  const logger = createLogger({ level: 'info', destination: logFile });
  return createApp({ routes, viewsDir: path.join(findProjectRoot(__dirname), 'bench', 'trestle', 'views'), db, config: { env: 'production' }, logger });
}

export function openBenchmarkDatabase(url: string, poolMax: number): Promise<Database> {
  // DATABASE_PREPARED_STATEMENTS=false: through PgBouncer before 1.21 in transaction mode.
  return openDatabase({ url, poolMax, preparedStatements: process.env.DATABASE_PREPARED_STATEMENTS !== 'false' });
}
