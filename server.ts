import http from 'node:http';
import { ConfigError, createLogger, loadDotEnv, prepareDatabase } from './framework';
import { buildApplication } from './config/application';
import { connect, migrationPaths } from './config/database';
import { readSettings, root } from './config/settings';

/** The process: read the settings, open the database, build the app, listen. */
async function main(): Promise<void> {
  loadDotEnv(root);
  let settings;
  try {
    settings = readSettings();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: settings.logLevel });
  const db = await connect(settings);
  logger.info(`database: ${db.description}`);
  if (settings.autoMigrate) {
    const { migrated, seeded } = await prepareDatabase(db.knex, migrationPaths);
    if (migrated.length) logger.info(`migrated: ${migrated.join(', ')}`);
    if (seeded.length) logger.info(`seeded: ${seeded.map((file) => file.split('/').pop()).join(', ')}`);
  }

  const app = buildApplication(settings, db, logger);
  const server = http.createServer(app);
  server.listen(settings.port, settings.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : settings.port;
    logger.info(`Trestle (${settings.env}) listening on http://localhost:${port}`);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: closing`);
    server.close(async () => {
      await db.close();
      logger.flush();
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
