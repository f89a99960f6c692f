/** One SQL statement a request ran. */
export interface StatementRecord {
  sql: string;
  bindings: unknown[];
  /** Milliseconds since the request started, when the statement finished. */
  at: number;
  ms: number;
  rows: number | undefined;
  /** The line of application code that issued it (`app/controllers/PostsController.ts:42`), if found. */
  source: string | undefined;
  error: string | undefined;
}

/** One template or partial a request rendered. */
export interface ViewRecord {
  name: string;
  partial: boolean;
  /** Milliseconds since the request started, when it began. */
  at: number;
  ms: number;
}

/** The same statement shape run again and again in one request: eager-load instead. */
export interface RepeatedStatement {
  shape: string;
  count: number;
  source: string | undefined;
  hint: string;
}

export interface LogRecord {
  level: string;
  msg: string;
  at: number;
}

/** Everything the inspector keeps about one request. */
export interface RequestRecord {
  id: string;
  /** When it arrived (ISO 8601). */
  time: string;
  method: string;
  url: string;
  path: string;
  status: number;
  /** Total milliseconds, and where they went. */
  ms: number;
  split: { controller: number | undefined; db: number; view: number };
  route: { name: string | undefined; path: string | undefined; action: string } | undefined;
  params: unknown;
  query: unknown;
  body: unknown;
  userId: unknown;
  queries: StatementRecord[];
  views: ViewRecord[];
  logs: LogRecord[];
  nPlusOne: RepeatedStatement[];
  error: { name: string; message: string; stack: string | undefined; status: number } | undefined;
  /** Statements, views or log lines left out past each list's bound. */
  dropped: number;
  /** False while the response is still being written. */
  done: boolean;
}

/** Longest list of statements, views or log lines kept for one request: a runaway loop stays bounded. */
export const perRequestLimit = 500;

/** Adds `item` to one of a record's lists, unless the list is full. */
export function appendBounded<T>(record: RequestRecord, list: T[], item: T): void {
  if (list.length < perRequestLimit) list.push(item);
  else record.dropped++;
}

/** The last `size` requests, newest last: a fixed array written round, so memory stays bounded however many requests come. */
export class RequestRing {
  private readonly slots: Array<RequestRecord | undefined>;
  private next = 0;

  constructor(readonly size: number) {
    this.slots = new Array(size).fill(undefined);
  }

  add(record: RequestRecord): void {
    this.slots[this.next] = record;
    this.next = (this.next + 1) % this.size;
  }

  /** Newest first. */
  list(): RequestRecord[] {
    const records: RequestRecord[] = [];
    for (let i = 1; i <= this.size; i++) {
      const record = this.slots[(this.next - i + this.size) % this.size];
      if (record) records.push(record);
    }
    return records;
  }

  /** The newest record with this id (a client may send the same `X-Request-Id` twice). */
  find(id: string): RequestRecord | undefined {
    return this.list().find((record) => record.id === id);
  }
}

/** The one-line summary the list page and its live updates show. */
export function summaryOf(record: RequestRecord) {
  return {
    id: record.id,
    time: record.time,
    method: record.method,
    path: record.path,
    status: record.status,
    ms: record.ms,
    action: record.route?.action,
    queries: record.queries.length,
    nPlusOne: record.nPlusOne.length,
    error: record.error?.message,
  };
}
