/** Seeing what a request did: its id, timing by layer, the log line, slow queries, and the health checks. */
export * from './health';
export * from './log-writer';
export * from './logger';
export * from './query-recorder';
export * from './request-step';
export * from './request-timings';
export * from './response-hooks';
export * from './read-your-writes';
