import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { QueryEvent } from '../database';
import { currentRequest, ms, type RequestTimings } from '../observe';
import type { SecretFilter } from './filter';
import { appendBounded, RequestRing, type RequestRecord } from './record';
import { repeatedStatements, type SourceFinder } from './statements';

const levelNames: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

type RecordListener = (record: RequestRecord, sequence: number) => void;

/** Fills in a record per request from the hooks the framework already has, and keeps the last ones. */
export class Recorder {
  readonly ring: RequestRing;
  /** Finished records so far: each one's number in the live stream. */
  sequence = 0;
  private readonly live = new WeakMap<RequestTimings, RequestRecord>();
  private readonly sequenceOf = new WeakMap<RequestRecord, number>();
  private readonly listeners = new Set<RecordListener>();

  constructor(
    size: number,
    private readonly secrets: SecretFilter,
    private readonly sources: SourceFinder,
    private readonly logger: Logger,
  ) {
    this.ring = new RequestRing(size);
  }

  /** The record of the request whose code is running, if any. */
  current(): { record: RequestRecord; timings: RequestTimings } | undefined {
    const timings = currentRequest();
    const record = timings && this.live.get(timings);
    return record && timings ? { record, timings } : undefined;
  }

  recordOf(timings: RequestTimings | undefined): RequestRecord | undefined {
    return timings && this.live.get(timings);
  }

  /** Starts the record of a request as it arrives. */
  begin(request: Request, timings: RequestTimings): RequestRecord {
    const record: RequestRecord = {
      id: timings.id,
      time: new Date().toISOString(),
      method: request.method,
      url: request.originalUrl,
      path: request.path,
      status: 0,
      ms: 0,
      split: { controller: undefined, db: 0, view: 0 },
      route: undefined,
      params: {},
      query: {},
      body: undefined,
      userId: undefined,
      queries: [],
      views: [],
      logs: [],
      nPlusOne: [],
      error: undefined,
      dropped: 0,
      done: false,
    };
    this.live.set(timings, record);
    return record;
  }

  /** Completes the record once the response is done (or the client went away), and keeps it. */
  finish(record: RequestRecord, request: Request, response: Response, timings: RequestTimings): void {
    record.status = response.statusCode;
    record.ms = ms(performance.now() - timings.start);
    record.split = { controller: timings.controllerMs >= 0 ? ms(timings.controllerMs) : undefined, db: ms(timings.dbMs), view: ms(timings.viewMs) };
    const route = timings.route;
    if (route) record.route = { name: route.name, path: (request.route as { path?: string } | undefined)?.path, action: `${route.controller.name}#${route.action}` };
    record.params = this.secrets.filter({ ...request.params });
    record.query = this.secrets.filter(request.query);
    record.body = request.body === undefined ? undefined : this.secrets.filter(request.body);
    record.userId = (request as { session?: { userId?: unknown } }).session?.userId;
    record.nPlusOne = repeatedStatements(record.queries);
    record.done = true;
    for (const repeated of record.nPlusOne) this.logger.warn({ reqId: record.id, sql: repeated.shape, count: repeated.count, source: repeated.source }, repeated.hint);
    this.ring.add(record);
    const sequence = ++this.sequence;
    this.sequenceOf.set(record, sequence);
    for (const listener of this.listeners) listener(record, sequence);
  }

  /** A statement, counted into the request it ran for. */
  query(event: QueryEvent): void {
    const current = this.current();
    if (!current) return;
    const { record, timings } = current;
    appendBounded(record, record.queries, {
      sql: event.sql,
      bindings: this.secrets.filterBindings(event.sql, event.bindings),
      at: ms(performance.now() - timings.start),
      ms: ms(event.durationMs),
      rows: event.rowCount,
      source: this.sources.here(),
      error: event.error?.message,
    });
  }

  /** A template or partial starting to render; call the result when it is done. */
  view(name: string, partial: boolean): () => void {
    const current = this.current();
    if (!current) return noop;
    const { record, timings } = current;
    const started = performance.now();
    const entry = { name, partial, at: ms(started - timings.start), ms: 0 };
    appendBounded(record, record.views, entry);
    return () => {
      entry.ms = ms(performance.now() - started);
    };
  }

  /** A line the logger wrote (pino JSON), kept with the request that logged it. */
  logLine(line: string): void {
    const current = this.current();
    if (!current) return;
    try {
      const parsed = JSON.parse(line) as { level?: number; msg?: string };
      appendBounded(current.record, current.record.logs, { level: levelNames[parsed.level ?? 30] ?? String(parsed.level), msg: String(parsed.msg ?? ''), at: ms(performance.now() - current.timings.start) });
    } catch {
      // not one JSON line: nothing to show
    }
  }

  /** An error the error handler answered, on the record of its request. */
  error(timings: RequestTimings | undefined, error: unknown, status: number): void {
    const record = timings && this.live.get(timings);
    if (!record) return;
    const failure = error instanceof Error ? error : new Error(String(error));
    record.error = { name: failure.name, message: failure.message, stack: status >= 500 ? failure.stack : undefined, status };
  }

  /** Records finished after `sequence`, oldest first: what a reconnecting live stream missed. */
  since(sequence: number): Array<{ record: RequestRecord; sequence: number }> {
    return this.ring
      .list()
      .map((record) => ({ record, sequence: this.sequenceOf.get(record) ?? 0 }))
      .filter((entry) => entry.sequence > sequence)
      .reverse();
  }

  subscribe(listener: RecordListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}

const noop = () => undefined;
