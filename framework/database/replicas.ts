import type { Knex } from 'knex';
import pg from 'pg';
import { PromiseContext } from '../support';
import { withoutStatementNames } from './connection-pool';
import { sendUnnamedStatements } from './prepared-statements';

/** Where the reads of the code running now may go: set per request (see `readYourWrites`) or by `onPrimary`. */
const readRole = new PromiseContext<'replica' | 'primary'>();

/** Runs `work` with all its reads on the primary: for a read that must see the latest writes. */
export function onPrimary<T>(work: () => T): T {
  return readRole.run('primary', work);
}

/**
 * Runs `work` (the rest of a request) with its reads outside transactions allowed to go to a
 * replica. Code outside any such scope (start-up, background work, the session and CSRF lookups
 * that run before the request's own code) reads from the primary.
 */
export function readingFromReplicas<T>(work: () => T): T {
  return readRole.run('replica', work);
}

let requestReadsFromReplicas: (() => boolean) | undefined;

/** Registers how to tell whether the request running now reads from replicas (see `readYourWrites`). */
export function decideReplicaReadsBy(check: () => boolean): void {
  requestReadsFromReplicas = check;
}

/** True when the code running now may read from a replica: `onPrimary` and `readingFromReplicas` first, then the request's rule. */
export function replicaReadsAllowed(): boolean {
  const role = readRole.get();
  if (role !== undefined) return role === 'replica';
  return requestReadsFromReplicas !== undefined && requestReadsFromReplicas();
}

/** One replica's state, as `/readyz` reports it. */
export interface ReplicaState {
  readonly replica: string;
  readonly state: 'up' | 'down';
  readonly detail?: string;
}

/** A read-only replica: its pool, and until when it is left alone after failing. */
export interface Replica {
  readonly pool: pg.Pool;
  readonly description: string;
  downUntil: number;
  lastError?: string;
}

/** How long a replica that failed is skipped before it is tried again. */
const retryReplicaAfterMs = 5000;

/** Read-only replicas, used round robin; one that fails is skipped for a while, and with none left reads go to the primary. */
export class ReplicaSet {
  private next = 0;

  constructor(readonly replicas: readonly Replica[]) {}

  /** The next replica not known to be down, or undefined (then the primary serves the read). */
  pick(): Replica | undefined {
    const count = this.replicas.length;
    const now = Date.now();
    for (let tried = 0; tried < count; tried++) {
      const replica = this.replicas[this.next++ % count]!;
      if (replica.downUntil <= now) return replica;
    }
    return undefined;
  }

  /** Notes that `replica` failed to connect or dropped the connection: it is skipped for a while. */
  markDown(replica: Replica, error: Error): void {
    replica.downUntil = Date.now() + retryReplicaAfterMs;
    replica.lastError = error.message.split('\n')[0];
  }

  /** Asks every replica `SELECT 1`, and whether it is replaying (a standby); never throws. */
  async states(): Promise<ReplicaState[]> {
    return Promise.all(
      this.replicas.map(async (replica): Promise<ReplicaState> => {
        try {
          await replica.pool.query('select 1');
          replica.downUntil = 0;
          return { replica: replica.description, state: 'up' };
        } catch (error) {
          this.markDown(replica, error as Error);
          return { replica: replica.description, state: 'down', detail: replica.lastError };
        }
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.pool.end()));
  }
}

/**
 * Opens a pool per replica URL. Unlike the primary's pool it does not wait for a refused
 * connection to come back: a replica that is down is skipped at once and the read goes to the primary.
 */
export function openReplicas(urls: readonly string[], size: Pick<pg.PoolConfig, 'max' | 'idleTimeoutMillis'>, preparedStatements: boolean, describe: (url: string) => string, warn: (message: string) => void): ReplicaSet {
  return new ReplicaSet(
    urls.map((url) => {
      const pool = new pg.Pool({ connectionString: url, ...size, connectionTimeoutMillis: 1000, Client: preparedStatements ? pg.Client : withoutStatementNames(pg.Client) });
      if (!preparedStatements) sendUnnamedStatements(pool);
      pool.on('connect', (client) => client.on('error', () => undefined));
      pool.on('error', (error) => warn(`database: idle replica connection lost (${describe(url)}): ${error.message}`));
      return { pool, description: describe(url), downUntil: 0 };
    }),
  );
}

/**
 * A failure of the replica rather than of the statement: no connection, a connection dropped, a
 * server shutting down, or a read cancelled by replay. The read is then run on the primary.
 */
export function replicaFailed(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === undefined || /^E[A-Z]+$/.test(code) || code.startsWith('08') || code.startsWith('57') || code === '40001';
}

type RunnerClass = new (client: unknown, builder: unknown) => KnexRunner;
interface KnexRunner {
  client: { transacting?: boolean };
  builder: { _connection?: unknown; _method?: string; _single?: { lock?: unknown } };
  connection: unknown;
  ensureConnection(callback: unknown, parameters: unknown): Promise<unknown>;
  query(query: Record<string, unknown>): Promise<unknown>;
}

const readMethods = new Set(['select', 'first', 'pluck']);

/** Marks a knex query object that ran on a replica (read back by the query listeners). */
export const onReplicaKey = '__trestleReplica';

/**
 * Sends knex's reads to `replicas`: a builder's `select`, `first` or `pluck` that is not in a
 * transaction, not locking rows, and runs where replica reads are allowed. Everything else (writes,
 * raw SQL, transactions) keeps knex's own connection from the primary.
 */
export function routeReadsToReplicas(instance: Knex, replicas: ReplicaSet): void {
  // knex's runner is internal; it is the one place that knows the query before taking a connection.
  const Runner = require('knex/lib/execution/runner') as RunnerClass;
  class ReplicaRunner extends Runner {
    override async ensureConnection(callback: unknown, parameters: unknown): Promise<unknown> {
      const builder = this.builder;
      if (builder._connection || this.client.transacting || !readMethods.has(builder._method ?? '') || builder._single?.lock || !replicaReadsAllowed()) {
        return super.ensureConnection(callback, parameters);
      }
      const replica = replicas.pick();
      if (!replica) return super.ensureConnection(callback, parameters);
      let connection: pg.PoolClient;
      try {
        connection = await replica.pool.connect();
      } catch (error) {
        replicas.markDown(replica, error as Error);
        return super.ensureConnection(callback, parameters);
      }
      this.connection = connection;
      try {
        const result = await (callback as (runner: unknown, parameters: unknown) => Promise<unknown>)(this, parameters);
        connection.release();
        return result;
      } catch (error) {
        connection.release(replicaFailed(error) ? (error as Error) : undefined);
        if (!replicaFailed(error)) throw error;
        replicas.markDown(replica, error as Error);
        this.connection = undefined;
        return super.ensureConnection(callback, parameters);
      }
    }

    override query(query: Record<string, unknown>): Promise<unknown> {
      if (this.connection && replicaConnections.has(this.connection)) query[onReplicaKey] = true;
      else delete query[onReplicaKey];
      return super.query(query);
    }
  }
  const replicaConnections = new WeakSet<object>();
  for (const replica of replicas.replicas) replica.pool.on('connect', (client) => replicaConnections.add(client));
  (instance.client as { runner: (builder: unknown) => unknown }).runner = function (this: unknown, builder: unknown) {
    return new ReplicaRunner(this, builder);
  };
}
