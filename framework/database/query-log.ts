import path from 'node:path';
import type { Logger } from 'pino';
import type { Database, QueryEvent } from './database';

export interface QueryLogOptions {
  /** `LOG_SQL`: when false no listener is registered, so nothing runs per query. */
  enabled: boolean;
  /** Log each statement's values too: development only, since they hold personal data and secrets. */
  withValues: boolean;
  /** The project root: the first stack frame under it, outside the framework and node_modules, is the "calling app line". */
  appRoot: string;
}

const unsubscribers = new WeakMap<Database, () => void>();

/**
 * Logs every statement on `db` at debug level, with its duration and the app line that ran it
 * (`LOG_SQL`, as Rails's development log). Nothing is registered, so nothing runs per query, unless
 * `logger` logs debug lines. Registering again on the same database replaces the last one.
 */
export function logQueries(db: Database, logger: Logger, options: QueryLogOptions): void {
  unsubscribers.get(db)?.();
  unsubscribers.delete(db);
  if (!options.enabled || !logger.isLevelEnabled('debug')) return;
  const frameworkDir = path.join(options.appRoot, 'framework') + path.sep;
  const isAppFrame = (file: string) => file.startsWith(options.appRoot) && !file.startsWith(frameworkDir) && !file.includes(`${path.sep}node_modules${path.sep}`);
  const listener = (event: QueryEvent) => {
    const ms = Math.round(event.durationMs * 10) / 10;
    const caller = callingLine(isAppFrame, options.appRoot);
    const fields: Record<string, unknown> = { sql: event.sql, ms };
    if (options.withValues && event.bindings.length) fields.values = event.bindings;
    if (caller) fields.caller = caller;
    const values = options.withValues && event.bindings.length ? ` ${JSON.stringify(event.bindings)}` : '';
    logger.debug(fields, `SQL (${ms}ms) ${event.sql}${values}${caller ? `  ↳ ${caller}` : ''}${event.error ? `  ✗ ${event.error.message}` : ''}`);
  };
  unsubscribers.set(db, db.onQuery(listener));
}

/** `app/controllers/UsersController.ts:42`: the first frame of the current stack (async frames included) in the app's own code. */
function callingLine(isAppFrame: (file: string) => boolean, appRoot: string): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  for (const match of stack.matchAll(/\(?((?:\/|[A-Za-z]:\\)[^():]+):(\d+):\d+\)?$/gm)) {
    const file = match[1]!;
    if (isAppFrame(file)) return `${path.relative(appRoot, file)}:${match[2]}`;
  }
  return undefined;
}
