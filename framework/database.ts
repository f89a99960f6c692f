import knex, { type Knex } from 'knex';
import type { Logger } from 'pino';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { hydrateRows } from './model';

export interface DatabaseOptions {
  /** A PostgreSQL URL; when absent the embedded PostgreSQL is used. */
  url?: string;
  /** Folder of the embedded database's files; absent means in memory. Ignored with `url`. */
  embeddedDataDir?: string;
  /** Connections in the pool (with `url`; the embedded database has exactly one). */
  poolMax?: number;
  /** Milliseconds to wait for a free connection before failing (a 503 for the request). */
  acquireTimeout?: number;
  /** Where knex's own warnings go (lost connections, pool errors); the console by default. */
  logger?: Logger;
}

/** One SQL statement that ran: what, with which values, how long it took, and its error if it failed. */
export interface QueryEvent {
  readonly sql: string;
  readonly bindings: readonly unknown[];
  readonly durationMs: number;
  readonly error?: Error;
}

export type QueryListener = (event: QueryEvent) => void;

/** An open database: the knex instance every model uses, and how to close it. */
export interface Database {
  readonly knex: Knex;
  /** Subscribes to every statement with its duration (logging, per-request counts); returns the unsubscribe. */
  onQuery(listener: QueryListener): () => void;
  readonly kind: 'postgres' | 'embedded';
  /** Where it lives, with any password removed: for log lines. */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * Opens PostgreSQL through knex and `pg`: the server at `url`, or an embedded PGlite started here
 * and reached over loopback with the same client. Both run the same migrations and queries.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const acquireTimeoutMillis = options.acquireTimeout ?? 5000;
  const connect = (connection: Knex.PgConnectionConfig, poolMax: number) =>
    knex({
      client: 'pg',
      connection,
      pool: { min: 0, max: poolMax, afterCreate: forgetPreparedStatements },
      acquireConnectionTimeout: acquireTimeoutMillis,
      postProcessResponse: hydrateRows,
      log: options.logger ? knexLog(options.logger) : undefined,
    });
  if (options.url) {
    const instance = connect({ connectionString: options.url, connectionTimeoutMillis: acquireTimeoutMillis }, options.poolMax ?? 10);
    return { knex: instance, onQuery: instrument(instance), kind: 'postgres', description: redact(options.url), close: () => instance.destroy() };
  }
  const embedded: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir: options.embeddedDataDir });
  // PGlite has a single session: one connection, shared by turns.
  const instance = connect({ host: embedded.host, port: embedded.port, user: 'postgres', database: 'postgres' }, 1);
  return {
    knex: instance,
    onQuery: instrument(instance),
    kind: 'embedded',
    description: `embedded PostgreSQL (${embedded.dataDir ?? 'in memory'})`,
    async close() {
      await instance.destroy();
      await embedded.stop();
    },
  };
}

function knexLog(logger: Logger): Knex.Config['log'] {
  const text = (message: unknown) => (message instanceof Error ? message.message : String(message));
  return {
    warn: (message: unknown) => logger.warn(`database: ${text(message)}`),
    error: (message: unknown) => logger.error(`database: ${text(message)}`),
    deprecate: (message: unknown) => logger.warn(`database: ${text(message)}`),
    debug: (message: unknown) => logger.debug(`database: ${text(message)}`),
  };
}

/**
 * A new connection starts with no named prepared statements. PGlite keeps one session for every
 * connection it ever accepts, so statements a closed connection prepared would clash with the new
 * client's; clearing them costs one round trip per new connection (a no-op on PostgreSQL).
 */
function forgetPreparedStatements(connection: { query(sql: string, callback: (error: Error | null) => void): void }, done: (error: Error | null, connection: unknown) => void): void {
  connection.query('DEALLOCATE ALL', (error) => done(error, connection));
}

interface KnexQuery {
  __knexQueryUid: string;
  sql: string;
  bindings?: readonly unknown[];
}

/** The one hook every SQL statement passes through: times each and tells the listeners. */
function instrument(instance: Knex): (listener: QueryListener) => () => void {
  const listeners = new Set<QueryListener>();
  const started = new Map<string, number>();
  const finish = (query: KnexQuery, error?: Error) => {
    const start = started.get(query.__knexQueryUid);
    if (start === undefined) return;
    started.delete(query.__knexQueryUid);
    const event: QueryEvent = { sql: query.sql, bindings: query.bindings ?? [], durationMs: performance.now() - start, error };
    for (const listener of listeners) listener(event);
  };
  instance.on('query', (query: KnexQuery) => {
    if (listeners.size > 0) started.set(query.__knexQueryUid, performance.now());
  });
  instance.on('query-response', (_response: unknown, query: KnexQuery) => finish(query));
  instance.on('query-error', (error: Error, query: KnexQuery) => finish(query, error));
  return (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

interface PooledClient {
  query(config: { text: string; values: readonly unknown[] }): Promise<{ rows: Array<Record<string, unknown>> }>;
}

let statementCounter = 0;

/**
 * Runs one SQL statement on a pooled connection without knex's query builder and runner: for
 * the few statements the model layer compiles once and runs constantly (`find` by primary key).
 * It reports to the same query hook as every other statement. Not for transactions (they need
 * their own connection): callers use the builder there.
 */
export async function runStatement(db: Knex, sql: string, values: readonly unknown[]): Promise<Array<Record<string, unknown>>> {
  const client = db.client as { acquireConnection(): Promise<PooledClient>; releaseConnection(connection: PooledClient): Promise<void> };
  const query = { __knexQueryUid: `s${++statementCounter}`, sql, bindings: values };
  const connection = await client.acquireConnection();
  db.emit('query', query);
  try {
    const result = await connection.query({ text: sql, values });
    db.emit('query-response', result.rows, query);
    return result.rows;
  } catch (error) {
    db.emit('query-error', error, query);
    throw error;
  } finally {
    void client.releaseConnection(connection);
  }
}
