import pg from 'pg';

type Row = Record<string, unknown>;

/** Pools whose statements run unnamed and one at a time on a connection (see `sendUnnamedStatements`). */
const unpreparedPools = new WeakSet<pg.Pool>();

/**
 * Makes `runPrepared` send the statements of `pool` unnamed rather than name them (its clients
 * would drop the name anyway), and one at a time on a connection: that is a pooler in transaction
 * mode (PgBouncer before 1.21), which keeps no statements between transactions and is not trusted
 * here with pipelined ones.
 */
export function sendUnnamedStatements(pool: pg.Pool): void {
  unpreparedPools.add(pool);
}

const statementNames = new Map<string, string>();
let statementsNamed = 0;

/** Each distinct statement gets one name, so every connection prepares it once and then only executes it. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) statementNames.set(sql, (name = `trestle_${++statementsNamed}`));
  return name;
}

// PostgreSQL refuses to run a prepared statement whose result columns changed under it (a
// migration since it was prepared): "cached plan must not change result type".
const stalePlan = '0A000';

/** When a statement started and ended on its connection (0 if it never got one). */
export interface StatementTiming {
  start: number;
  end: number;
}

/**
 * How many statements a connection carries at once. Past that, a statement waits in this module's
 * line for the first connection to answer one (as a pool hands the first connection freed to the
 * next in line), so a connection slower than the rest gets fewer, and a request's statements are
 * not held up behind a deep queue on it.
 */
export const pipelineDepth = 4;

/** A statement to run, and the promise waiting for its rows. */
interface Job {
  readonly sql: string;
  readonly values: readonly unknown[];
  readonly timing: StatementTiming;
  readonly resolve: (rows: Row[]) => void;
  readonly reject: (error: unknown) => void;
  /** Until when it may wait in line for room on a connection (set when it joins the line). */
  deadline: number;
}

/** A connection checked out for statements (or being checked out), with how many are on it now. */
interface Lane {
  client: pg.PoolClient | undefined;
  release: (error?: Error | boolean) => void;
  inFlight: number;
  /** When the last statement on the connection was answered. */
  lastAnswer: number;
  /** Statements given to the lane before its connection arrived: sent when it does. */
  waiting: Job[];
  /** The connection failed (an error without a SQLSTATE): no statement is added, and the pool drops it when it is given back. */
  broken: Error | undefined;
}

/**
 * Runs the model layer's prepared statements on a pool, sharing connections between them.
 *
 * A statement takes a connection of its own while the pool has one free (idle, or room for a new
 * one). When every connection is busy, it is sent down the least busy connection this runner holds,
 * behind the statements already there (up to `pipelineDepth`), with `pg`'s pipeline mode:
 * PostgreSQL runs them in order, each with its own Sync (so one statement's error fails that
 * statement only), and the client reads their answers in order. One round trip then carries
 * several statements, and the pool's checkout is paid once per connection rather than once per
 * statement: under load that about halves the CPU the driver spends per statement.
 *
 * When every connection held here is full, a statement waits in this runner's line, and the first
 * connection to answer a statement takes the oldest one waiting; like the pool's line, it fails
 * after the pool's acquire timeout ("timeout exceeded when trying to connect", a 503). A connection
 * goes back to the pool as soon as its last statement is answered, with pipeline mode off again:
 * knex, transactions and streams get connections in `pg`'s usual mode. While anyone else waits in
 * the pool's line (a transaction, say), nothing is added to a connection: new statements queue in
 * that line too, behind it, and the connections held here drain to it.
 */
class StatementRunner {
  private readonly lanes: Lane[] = [];
  /** Lanes whose connection has not arrived yet. */
  private checkingOut = 0;
  /** Statements waiting for room on a connection, oldest first. */
  private readonly line: Job[] = [];
  private lineTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly pipelining: boolean,
  ) {}

  run(sql: string, values: readonly unknown[], timing: StatementTiming): Promise<Row[]> {
    return new Promise((resolve, reject) => this.place({ sql, values, timing, resolve, reject, deadline: 0 }));
  }

  /** Sends `job` down a connection with room, or takes one from the pool, or puts it in line. */
  private place(job: Job): void {
    const pool = this.pool;
    // The pool's counts still include this runner's own checkouts under way: the idle connection
    // each will take, or its place in the line.
    const free = pool.idleCount + pool.options.max - pool.totalCount;
    const othersWaiting = pool.waitingCount > this.checkingOut;
    if (!this.pipelining || free > this.checkingOut || othersWaiting || this.lanes.length === 0) return this.checkOut(job);
    const lane = this.laneWithRoom();
    if (lane === undefined) return this.waitInLine(job);
    if (lane.client !== undefined) return this.send(lane, job);
    lane.inFlight++;
    lane.waiting.push(job);
  }

  /** The least busy connection held here with room for another statement. */
  private laneWithRoom(): Lane | undefined {
    let least: Lane | undefined;
    for (const lane of this.lanes) if (least === undefined || lane.inFlight < least.inFlight) least = lane;
    return least !== undefined && least.inFlight < pipelineDepth ? least : undefined;
  }

  private waitInLine(job: Job): void {
    // A statement put back in line (its connection was given back) keeps its first deadline.
    if (job.deadline === 0) job.deadline = Date.now() + this.acquireTimeout();
    this.line.push(job);
    this.lineTimer ??= setTimeout(() => this.expireWaiters(), this.acquireTimeout()).unref();
  }

  /** The pool's acquire timeout: how long a statement may wait for room, as for a connection. */
  private acquireTimeout(): number {
    return (this.pool as { acquireTimeoutMs?: number }).acquireTimeoutMs ?? this.pool.options.connectionTimeoutMillis ?? 0;
  }

  /** Fails the statements in line whose time is up (all wait as long: the oldest first), then times the next. */
  private expireWaiters(): void {
    this.lineTimer = undefined;
    const now = Date.now();
    while (this.line.length > 0 && this.line[0]!.deadline <= now) this.line.shift()!.reject(new Error('timeout exceeded when trying to connect'));
    if (this.line.length > 0) this.lineTimer = setTimeout(() => this.expireWaiters(), this.line[0]!.deadline - now).unref();
  }

  /** Takes a connection from the pool for `job`; statements issued before it arrives may join it. */
  private checkOut(job: Job): void {
    const lane: Lane = { client: undefined, release: () => undefined, inFlight: 1, lastAnswer: 0, waiting: [job], broken: undefined };
    if (this.pipelining) {
      this.lanes.push(lane);
      this.checkingOut++;
    }
    this.pool.connect((error, client, release) => {
      if (this.pipelining) this.checkingOut--;
      const waiting = lane.waiting;
      lane.waiting = [];
      if (error || !client) {
        this.forget(lane);
        for (const waiter of waiting) waiter.reject(error);
        return;
      }
      lane.client = client;
      lane.release = release;
      if (this.pipelining) setPipelineMode(client, true);
      lane.inFlight -= waiting.length;
      for (const waiter of waiting) this.send(lane, waiter);
    });
  }

  private send(lane: Lane, job: Job): void {
    const client = lane.client!;
    const { sql, values, timing } = job;
    lane.inFlight++;
    timing.start = performance.now();
    const finish = (error: Error | null | undefined, result: pg.QueryResult<Row> | undefined) => {
      timing.end = performance.now();
      // Its turn came when the statement ahead of it on the connection was answered: the time it
      // waited behind that one is not its own (a slow-query warning, the request's database time).
      if (lane.lastAnswer > timing.start) timing.start = lane.lastAnswer;
      lane.lastAnswer = timing.end;
      // A statement error (it has a SQLSTATE) leaves the connection usable; anything else may not.
      if (error && !(error as { code?: string }).code && !lane.broken) {
        lane.broken = error;
        this.forget(lane);
      }
      lane.inFlight--;
      // The freed place goes to the oldest statement in line, unless someone else waits for a connection.
      if (this.line.length > 0 && !lane.broken && this.pool.waitingCount <= this.checkingOut) this.send(lane, this.line.shift()!);
      else if (lane.inFlight === 0) this.giveBack(lane);
      if (error) job.reject(error);
      else job.resolve(result!.rows);
    };
    // A Query built from the text, then named: pg deep-copies a config object on every call.
    const query = new pg.Query<Row>(sql, values as unknown[], (error: Error | undefined, result: pg.QueryResult<Row>) => {
      if (error && (error as { code?: string }).code === stalePlan) {
        // Run it unprepared this time; the connection keeps its stale copy, so the next run takes a fresh name.
        statementNames.delete(sql);
        return client.query<Row>(sql, values as unknown[], finish);
      }
      finish(error, result);
    });
    if (!unpreparedPools.has(this.pool)) (query as unknown as { name: string }).name = statementName(sql);
    client.query(query);
  }

  private forget(lane: Lane): void {
    const index = this.lanes.indexOf(lane);
    if (index >= 0) this.lanes.splice(index, 1);
  }

  private giveBack(lane: Lane): void {
    if (this.pipelining) {
      this.forget(lane);
      setPipelineMode(lane.client!, false);
    }
    lane.release(lane.broken);
    // The last connection held here is gone: what waits in line goes to the pool.
    if (this.lanes.length === 0 && this.line.length > 0) for (const job of this.line.splice(0)) this.place(job);
  }
}

/**
 * Turns `pg`'s pipeline mode on or off for a client with nothing queued on it. The typings call it
 * read-only (a constructor option), but the client reads it each time it sends a statement (`pg`
 * 8.23, pinned), and a pooled client must be in the usual mode for whoever gets it next.
 */
function setPipelineMode(client: pg.PoolClient, on: boolean): void {
  (client as unknown as { pipeline: boolean }).pipeline = on;
}

const runners = new WeakMap<pg.Pool, StatementRunner>();

/**
 * Runs `sql` as a named prepared statement on a connection of `pool` (unnamed, and alone on its
 * connection, if the pool was opened without prepared statements), filling in `timing`. Statements
 * run while every connection is busy share connections (see `StatementRunner`). The driver's
 * callbacks are used rather than its promises: this is the hottest path of the model layer, and
 * each promise costs (more so with async context tracking on). Not for transactions: they need a
 * connection of their own.
 */
export function runPrepared(pool: pg.Pool, sql: string, values: readonly unknown[], timing: StatementTiming): Promise<Row[]> {
  let runner = runners.get(pool);
  if (runner === undefined) runners.set(pool, (runner = new StatementRunner(pool, !unpreparedPools.has(pool))));
  return runner.run(sql, values, timing);
}
