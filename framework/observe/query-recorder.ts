import type { Logger } from 'pino';
import type { QueryEvent } from '../database';
import { currentRequest, ms } from './request-timings';

/** The query hook of an application: counts each statement into its request, and logs slow ones. */
export function queryRecorder(logger: Logger, slowQueryMs: number) {
  return (event: QueryEvent): void => {
    const timings = currentRequest();
    if (timings) {
      timings.dbMs += event.durationMs;
      timings.dbCount += 1;
      if (event.onReplica) timings.dbReplicaCount += 1;
    }
    if (event.durationMs >= slowQueryMs) {
      // The SQL has placeholders ($1, $2…); the values themselves are not logged.
      logger.warn({ reqId: timings?.id, sql: event.sql, params: event.bindings.length, ms: ms(event.durationMs) }, `slow query (${ms(event.durationMs)}ms)`);
    }
  };
}
