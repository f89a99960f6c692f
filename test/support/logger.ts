import { createLogger, type Logger } from '../../framework';

/**
 * The logger of an app built by a test: silent, so `npm test` prints only what jest reports,
 * unless LOG_LEVEL asks for lines (`LOG_LEVEL=debug npx jest …` to see what a test's app did).
 */
export function testLogger(): Logger {
  return createLogger({ level: process.env.LOG_LEVEL ?? 'silent' });
}
