import knex, { type Knex } from 'knex';
import type pg from 'pg';
import { createConnectionPool } from './connection-pool';
import { runPrepared, type StatementTiming } from './prepared-statements';
import { onReplicaKey, openReplicas, replicaFailed, replicaReadsAllowed, routeReadsToReplicas, type ReplicaSet, type ReplicaState } from './replicas';
import type { Logger } from 'pino';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

export interface DatabaseOptions {
  /** A PostgreSQL URL; when absent the embedded PostgreSQL is used. */
  url?: string;
  /** Folder of the embedded database's files; absent means in memory. Ignored with `url`. */
  embeddedDataDir?: string;
  /** Connections in the pool (with `url`; the embedded database has exactly one). */
  poolMax?: number;
  /** Milliseconds to wait for a free connection before failing (a 503 for the request). */
  acquireTimeout?: number;
  /**
   * Milliseconds a connection may sit unused before it is closed (default 5 minutes, as Rails keeps
   * them). `pg`'s own 10 seconds would make any pause in traffic cost a round of reconnecting:
   * a new server process, and every prepared statement parsed and planned again.
   */
  idleTimeout?: number;
  /**
   * Named prepared statements (default true). False for a pooler in transaction mode that drops
   * them between transactions (PgBouncer before 1.21, or without `max_prepared_statements`).
   */
  preparedStatements?: boolean;
  /** Read-only replicas (with `url`): reads outside transactions, where allowed, go to them. */
  replicaUrls?: readonly string[];
  /** Where knex's own warnings go (lost connections, pool errors); the console by default. */
  logger?: Logger;
}

/** How long an unused connection stays open unless `idleTimeout` says otherwise: five minutes. */
export const defaultIdleTimeout = 5 * 60_000;

/** One SQL statement that ran: what, with which values, how long it took, and its error if it failed. */
export interface QueryEvent {
  readonly sql: string;
  readonly bindings: readonly unknown[];
  readonly durationMs: number;
  readonly error?: Error;
  /** Rows returned (or changed), when the driver says. */
  readonly rowCount?: number;
  /** True when a read replica ran it (the primary otherwise). */
  readonly onReplica?: boolean;
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
  /** Waits for background work, then ends the pool once every connection is back. */
  close(): Promise<void>;
  /** The replicas' states (empty without replicas); never throws. */
  replicaStates(): Promise<ReplicaState[]>;
  /** What closing still waits for (background work by name, connections in use): for a shutdown's log. */
  pending(): string[];
}

/**
 * Opens PostgreSQL through knex and `pg`: the server at `url`, or an embedded PGlite started here
 * and reached over loopback with the same client. Both run the same migrations and queries.
 *
 * Connections live in one `pg.Pool`, shared by knex (its builder, transactions, migrations) and by
 * the model layer's compiled statements, which go to the pool without knex in between and, when
 * every connection is busy, share connections through `pg`'s pipeline mode (`runPrepared`).
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const connectionTimeoutMillis = options.acquireTimeout ?? 5000;
  const idleTimeoutMillis = options.idleTimeout ?? defaultIdleTimeout;
  const connect = (connection: pg.PoolConfig, poolMax: number, embedded: boolean) => {
    const warn = options.logger ? (message: string) => options.logger!.warn(message) : (message: string) => console.warn(message);
    const preparedStatements = options.preparedStatements ?? true;
    // Named statements need a fresh session: a URL can lead to a PGlite too (the tests reach theirs
    // so), whose one session outlives its connections. Unnamed statements never clash.
    const pool = createConnectionPool({ ...connection, idleTimeoutMillis }, poolMax, connectionTimeoutMillis, warn, { preparedStatements, freshSessions: embedded || preparedStatements });
    const instance = knex({ client: 'pg', connectionPool: pool, postProcessResponse: transformResult, log: knexLog(options.logger) } as Knex.Config);
    const replicas = !embedded && options.replicaUrls?.length ? openReplicas(options.replicaUrls, { max: poolMax, idleTimeoutMillis }, options.preparedStatements ?? true, redact, warn) : undefined;
    if (replicas) routeReadsToReplicas(instance, replicas);
    const link: PoolLink = { pool, replicas, listeners: new Set(), background: new Set(), closing: false, warn };
    links.set(instance, link);
    instrumentBuilder(instance, link);
    const onQuery = (listener: QueryListener) => {
      link.listeners.add(listener);
      return () => void link.listeners.delete(listener);
    };
    const close = async () => {
      link.closing = true;
      await Promise.all([...link.background].map((task) => task.done));
      // The pool ends first: it waits for every connection in use to come back, and knex returns
      // them through its own reference to the pool, which destroying knex would drop (a query
      // still running then never gives its connection back, and the pool never ends).
      await Promise.all([pool.end(), replicas?.close()]);
      await instance.destroy();
    };
    const replicaStates = async () => (replicas ? replicas.states() : []);
    const pending = () => {
      const inUse = pool.totalCount - pool.idleCount;
      return [...[...link.background].map((task) => `background: ${task.name}`), ...(inUse > 0 ? [`${inUse} database connection(s) in use`] : [])];
    };
    return { instance, onQuery, close, pending, replicaStates };
  };
  if (options.url) {
    const { instance, onQuery, close, pending, replicaStates } = connect({ connectionString: options.url }, options.poolMax ?? 10, false);
    return { knex: instance, onQuery, kind: 'postgres', description: redact(options.url), close, pending, replicaStates };
  }
  const embedded: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir: options.embeddedDataDir });
  // PGlite has a single session: one connection, shared by turns.
  const { instance, onQuery, close, pending, replicaStates } = connect({ host: embedded.host, port: embedded.port, user: 'postgres', database: 'postgres' }, 1, true);
  return {
    knex: instance,
    onQuery,
    kind: 'embedded',
    description: `embedded PostgreSQL (${embedded.dataDir ?? 'in memory'})`,
    async close() {
      await close();
      await embedded.stop();
    },
    pending,
    replicaStates,
  };
}

/** Work started in the background (not for a request), which closing waits for. */
interface BackgroundTask {
  readonly name: string;
  readonly done: Promise<void>;
}

/** What a knex instance opened here is attached to: its pool, the query listeners, its background work. */
interface PoolLink {
  readonly pool: pg.Pool;
  readonly replicas: ReplicaSet | undefined;
  readonly listeners: Set<QueryListener>;
  readonly background: Set<BackgroundTask>;
  closing: boolean;
  readonly warn: (message: string) => void;
}

const links = new WeakMap<Knex, PoolLink>();

/**
 * Runs `work` on `db` in the background (a clean-up, not part of any request): its failure is
 * logged, and closing the database waits for it. Once closing has begun, new work is skipped.
 */
export function runInBackground(db: Knex, name: string, work: () => Promise<unknown>): void {
  const link = links.get(db);
  if (!link) {
    work().catch((error: unknown) => console.warn(`database: ${name} failed: ${error instanceof Error ? error.message : String(error)}`));
    return;
  }
  if (link.closing) return;
  const task: BackgroundTask = {
    name,
    done: work().then(
      () => undefined,
      (error: unknown) => link.warn(`database: ${name} failed: ${error instanceof Error ? error.message : String(error)}`),
    ).finally(() => link.background.delete(task)),
  };
  link.background.add(task);
}

/**
 * knex's own messages, one line each (its warnings carry stack traces). A failed connection is left
 * out: knex warns of it and then rejects the query with the same error, which its caller reports.
 */
function knexLog(logger: Logger | undefined): Knex.Config['log'] {
  const text = (message: unknown) => (message instanceof Error ? message.message : String(message)).split('\n')[0];
  const warn = logger ? (line: string) => logger.warn(line) : (line: string) => console.warn(line);
  return {
    warn: (message: unknown) => {
      if (!text(message).startsWith('Acquire connection error')) warn(`database: ${text(message)}`);
    },
    error: (message: unknown) => (logger ? logger.error(`database: ${text(message)}`) : console.error(`database: ${text(message)}`)),
    deprecate: (message: unknown) => warn(`database: ${text(message)}`),
    debug: (message: unknown) => logger?.debug(`database: ${text(message)}`),
  };
}

interface KnexQuery {
  __knexQueryUid: string;
  [onReplicaKey]?: boolean;
  sql: string;
  bindings?: readonly unknown[];
}

function report(link: PoolLink, sql: string, bindings: readonly unknown[], durationMs: number, error?: Error, rowCount?: number, onReplica?: boolean): void {
  const event: QueryEvent = { sql, bindings, durationMs, error, rowCount, onReplica };
  for (const listener of link.listeners) listener(event);
}

/** Times each statement knex's builder runs and tells the listeners. */
function instrumentBuilder(instance: Knex, link: PoolLink): void {
  // Start times by query id, in a plain object rather than a Map: a long-lived Map with an entry
  // in and out per statement makes V8 promote its tables to the old generation under load (about
  // 300 bytes per request measured), which then grows until the next full collection.
  const started: Record<string, number> = Object.create(null);
  const finish = (query: KnexQuery, error?: Error, rowCount?: number) => {
    const start = started[query.__knexQueryUid];
    if (start === undefined) return;
    delete started[query.__knexQueryUid];
    report(link, query.sql, query.bindings ?? [], performance.now() - start, error, rowCount, query[onReplicaKey]);
  };
  instance.on('query', (query: KnexQuery) => {
    if (link.listeners.size > 0) started[query.__knexQueryUid] = performance.now();
  });
  // knex hands pg's rows for a select (or a `returning`), the count for other statements.
  instance.on('query-response', (response: unknown, query: KnexQuery) => finish(query, undefined, Array.isArray(response) ? response.length : typeof response === 'number' ? response : undefined));
  instance.on('query-error', (error: Error, query: KnexQuery) => finish(query, error));
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

type Row = Record<string, unknown>;

/**
 * Runs one SQL statement as a prepared statement on a pooled connection, without knex's builder
 * and runner: for the few statements the model layer compiles once and runs constantly (`find`
 * by primary key, `all`). Like Rails, it prepares each statement once per connection, so
 * PostgreSQL parses and plans it once. It reports to the same query hook as every other
 * statement. Not for transactions (they need their own connection): callers use the builder there.
 * A `select` goes to a replica where replica reads are allowed, and to the primary if that fails.
 */
export function runStatement(db: Knex, sql: string, values: readonly unknown[]): Promise<Row[]> {
  const link = links.get(db);
  if (!link) return runThroughKnex(db, sql, values);
  if (link.replicas && replicaReadsAllowed() && /^select\b/i.test(sql)) return runOnReplica(link, sql, values);
  return runReported(link, link.pool, sql, values, false);
}

/**
 * Runs a statement written with numbered parameters (`$1`, which may appear more than once) through
 * knex's `raw`: in a transaction, on a knex this module did not open, or with SQL among the values
 * (`db.fn.now()`), which knex puts in the statement. Each `$n` becomes a `?` bound to the nth value.
 */
export async function runThroughKnex(db: Knex, sql: string, values: readonly unknown[]): Promise<Row[]> {
  const bindings: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_match, n: string) => {
    bindings.push(values[Number(n) - 1]);
    return '?';
  });
  const result = (await db.raw(text, bindings as Knex.RawBinding[])) as { rows: Row[] };
  return result.rows;
}

/** A read on a replica, or on the primary when none is up (or the one picked fails to connect). */
async function runOnReplica(link: PoolLink, sql: string, values: readonly unknown[]): Promise<Row[]> {
  const replica = link.replicas!.pick();
  if (replica) {
    const rows = await runReported(link, replica.pool, sql, values, true).catch((error: unknown) => {
      if (!replicaFailed(error)) throw error;
      link.replicas!.markDown(replica, error as Error);
      return undefined;
    });
    if (rows) return rows;
  }
  return runReported(link, link.pool, sql, values, false);
}

/**
 * Runs the statement and tells the query listeners. Not an async function, and no listener means no
 * extra promise: this is the model layer's hottest path, and every promise costs more with the
 * request context tracked. The report goes in a `.then` reaction, not the driver's callback:
 * listeners read the request the statement belongs to from the async context, which a reaction
 * of a promise made in the request carries and the socket's callback does not.
 */
function runReported(link: PoolLink, pool: pg.Pool, sql: string, values: readonly unknown[], onReplica: boolean): Promise<Row[]> {
  const timing: StatementTiming = { start: 0, end: 0 };
  const running = runPrepared(pool, sql, values, timing);
  if (link.listeners.size === 0) return running;
  return running.then(
    (rows) => {
      if (link.listeners.size > 0) report(link, sql, values, timing.end - timing.start, undefined, rows.length, onReplica);
      return rows;
    },
    (error: unknown) => {
      if (timing.start && link.listeners.size > 0) report(link, sql, values, timing.end - timing.start, error as Error, undefined, onReplica);
      throw error;
    },
  );
}

type RowTransform = (result: unknown, queryContext: unknown) => unknown;
let rowTransform: RowTransform | undefined;

/** Registers what every builder result passes through: the model layer turns its rows into model instances. */
export function transformRows(transform: RowTransform): void {
  rowTransform = transform;
}

function transformResult(result: unknown, queryContext: unknown): unknown {
  return rowTransform === undefined ? result : rowTransform(result, queryContext);
}
