/** Seeing what a request did: its id, timing by layer, the log line, slow queries, and the health checks. */
export * from './health';
export * from './instrumentation';
export * from './logger';
