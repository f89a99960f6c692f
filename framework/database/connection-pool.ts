import pg from 'pg';
import { sendUnnamedStatements } from './prepared-statements';

type ConnectCallback = (error: Error | undefined, client: pg.PoolClient | undefined, release: (error?: Error | boolean) => void) => void;

const retryEveryMs = 100;

/** A refused, dropped or throttled attempt to connect: worth trying again shortly. */
function worthRetrying(error: Error): boolean {
  const code = (error as { code?: string }).code;
  // 53300 too many connections, 57P03 starting up; otherwise a socket error (no SQLSTATE at all).
  return code === '53300' || code === '57P03' || code === undefined || /^E[A-Z]+$/.test(code);
}

/** A caller waiting in line for a busy pool's next free connection. */
interface Waiter {
  readonly deadline: number;
  readonly callback: ConnectCallback;
  /** Served, failed, or handed on: its callback has been (or will be) called by someone else. */
  settled: boolean;
}

/**
 * `pg.Pool` with two changes to how a caller gets a connection.
 *
 * Patient when connecting: a connection refused (the embedded server is serving another client,
 * PostgreSQL is restarting or full) is tried again every 100 ms until `acquireTimeoutMs` has
 * passed, as knex's own pool did, rather than failing the request at once.
 *
 * A bounded wait in line, timed without a timer per wait: when every connection is busy, a caller
 * waits for the next one freed, and fails with pg-pool's own "timeout exceeded when trying to
 * connect" once `acquireTimeoutMs` has passed. pg-pool would start (and clear) a timer for every
 * checkout for that; under load, with requests queued for the pool on every statement, those timers
 * were a third of the time spent collecting garbage. Waits all last as long, so the oldest waiter
 * always expires first: one timer, set for it, covers the line.
 */
export class ConnectionPool extends pg.Pool {
  private readonly line: Waiter[] = [];
  private lineTimer: NodeJS.Timeout | undefined;

  constructor(
    config: pg.PoolConfig,
    readonly acquireTimeoutMs: number,
  ) {
    // No timeout for pg-pool itself: connecting has the client's own (see `withConnectTimeout`), and waiting is timed here.
    super({ ...config, connectionTimeoutMillis: 0 });
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    if (!callback) {
      return new Promise((resolve, reject) => this.connect((error, client) => (error ? reject(error) : resolve(client!))));
    }
    const deadline = Date.now() + this.acquireTimeoutMs;
    // Every connection busy and no idle one left for this caller: it waits in line.
    if (this.acquireTimeoutMs > 0 && this.totalCount >= this.options.max && this.idleCount <= this.waitingCount) this.waitInLine({ deadline, callback, settled: false });
    else this.connectPatiently(callback, deadline);
  }

  private connectPatiently(callback: ConnectCallback, deadline: number): void {
    super.connect((error, client, release) => {
      if (error && this.retryable(error, deadline)) return void setTimeout(() => this.connectPatiently(callback, deadline), retryEveryMs);
      callback(error, client, release);
    });
  }

  private retryable(error: Error, deadline: number): boolean {
    return !this.ending && worthRetrying(error) && Date.now() + retryEveryMs < deadline;
  }

  private waitInLine(waiter: Waiter): void {
    this.line.push(waiter);
    this.lineTimer ??= setTimeout(() => this.expireWaiters(), this.acquireTimeoutMs).unref();
    super.connect((error, client, release) => {
      if (waiter.settled) {
        // It gave up waiting: the connection goes straight back to the next in line.
        if (client) release();
        return;
      }
      waiter.settled = true;
      // Served in order, so the served are at the head of the line.
      while (this.line.length > 0 && this.line[0]!.settled) this.line.shift();
      if (error && this.retryable(error, waiter.deadline)) return void setTimeout(() => this.connectPatiently(waiter.callback, waiter.deadline), retryEveryMs);
      waiter.callback(error, client, release);
    });
  }

  /** Fails the waiters whose time is up, then sets the timer for the oldest one left. */
  private expireWaiters(): void {
    this.lineTimer = undefined;
    const now = Date.now();
    while (this.line.length > 0) {
      const waiter = this.line[0]!;
      if (!waiter.settled && waiter.deadline > now) break;
      this.line.shift();
      if (waiter.settled) continue;
      waiter.settled = true;
      waiter.callback(new Error('timeout exceeded when trying to connect'), undefined, () => undefined);
    }
    if (this.line.length > 0) this.lineTimer = setTimeout(() => this.expireWaiters(), this.line[0]!.deadline - now).unref();
  }
}

/**
 * A client whose session starts with no named prepared statements. PGlite keeps one session for
 * every connection it ever accepts, so statements a closed connection prepared would clash with
 * the new client's; clearing them before the pool hands the client out costs one round trip per
 * new connection (on PostgreSQL, where sessions are fresh, it changes nothing).
 */
class FreshSessionClient extends pg.Client {
  override connect(): Promise<pg.Client>;
  override connect(callback: ((error: Error) => void) | ((error: null, client: pg.Client) => void)): void;
  override connect(callback?: ((error: Error) => void) | ((error: null, client: pg.Client) => void)): Promise<pg.Client> | void {
    if (!callback) return new Promise((resolve, reject) => this.connect((error: Error | null) => (error ? reject(error) : resolve(this))));
    const done = callback as (error: Error | null, client?: pg.Client) => void;
    super.connect((error: Error | null) => {
      if (error) return done(error);
      this.query('DEALLOCATE ALL', (deallocateError: Error | null) => done(deallocateError, this));
    });
  }
}

type ClientClass = new (config?: pg.ClientConfig) => pg.Client;

/** `Base` giving up on a connection attempt (the network and PostgreSQL's start-up) after `timeoutMs`. */
function withConnectTimeout<C extends ClientClass>(Base: C, timeoutMs: number): C {
  return class ConnectTimeoutClient extends (Base as ClientClass) {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: timeoutMs });
    }
  } as unknown as C;
}

/**
 * `Base` with every statement sent unnamed, whoever asks for a name (rate-limiter-flexible names
 * its own): behind a pooler in transaction mode, the next transaction may run on a server
 * connection that never prepared it ("prepared statement does not exist", or "already exists").
 */
export function withoutStatementNames<C extends ClientClass>(Base: C): C {
  return class UnnamedStatementsClient extends (Base as ClientClass) {
    override query(...args: unknown[]): never {
      const first = args[0] as { name?: string; submit?: unknown } | undefined;
      if (first && typeof first === 'object' && first.name) {
        if (typeof first.submit === 'function') first.name = undefined;
        else args[0] = { ...first, name: undefined };
      }
      return (super.query as (...a: unknown[]) => never)(...args);
    }
  } as unknown as C;
}

/** How a pool's connections behave beyond pg's own settings. */
export interface ConnectionPoolBehaviour {
  /**
   * Named prepared statements (prepared once per connection); false sends every statement unnamed,
   * as a pooler in transaction mode that keeps no statements between transactions (PgBouncer
   * before 1.21, or without `max_prepared_statements`) needs.
   */
  preparedStatements: boolean;
  /** Clear named statements on connecting: for a PGlite (embedded, or reached by URL), whose one session outlives connections. */
  freshSessions: boolean;
}

const UnnamedClient = withoutStatementNames(pg.Client);
const UnnamedFreshSessionClient = withoutStatementNames(FreshSessionClient);

/** Opens a pool of `max` connections that wait up to `timeoutMs` for a free connection or a new one. */
export function createConnectionPool(
  config: pg.PoolConfig,
  max: number,
  timeoutMs: number,
  warn: (message: string) => void,
  behaviour: ConnectionPoolBehaviour = { preparedStatements: true, freshSessions: true },
): ConnectionPool {
  const Client = behaviour.preparedStatements ? (behaviour.freshSessions ? FreshSessionClient : pg.Client) : behaviour.freshSessions ? UnnamedFreshSessionClient : UnnamedClient;
  const pool = new ConnectionPool({ ...config, max, Client: withConnectTimeout(Client, timeoutMs) }, timeoutMs);
  if (!behaviour.preparedStatements) sendUnnamedStatements(pool);
  pool.on('connect', (client) => {
    // An error on a client checked out between statements must not crash the process: pg marks
    // the client unusable, and the pool drops it when it comes back.
    client.on('error', () => undefined);
  });
  pool.on('error', (error) => warn(`database: idle connection lost: ${error.message}`));
  return pool;
}
