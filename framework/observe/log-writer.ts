import pino, { type Logger } from 'pino';

/** Writes one log line, given as the pieces of its JSON fields after `pid` (`,"reqId":"…"`, …), joined as written. */
export type LineWriter = (fields: readonly string[]) => void;

/**
 * Writes a request's log line straight to the logger's destination, in pino's own JSON format:
 * pino's general path (serializers, hooks, string escaping) costs several times this, on a line
 * written for every request.
 */
export function fastLogWriter(logger: Logger): LineWriter | undefined {
  const stream = (logger as unknown as Record<symbol, LogStream | undefined>)[pino.symbols.streamSym];
  if (!stream || typeof stream.write !== 'function') return undefined;
  const prefix = `{"level":30,"time":`;
  const pid = `,"pid":${process.pid}`;
  // The lines of one turn of the event loop go to the stream as one write: pino's file stream
  // measures its whole pending buffer on every write, which under load costs more than the line.
  // Each line waits as one flat string, joined from its pieces: built by concatenation, a line is a
  // tree of some fifty string nodes, and the lines waiting when a young collection came were most
  // of what it had to copy (on /json, 110 KB a collection, against 13 KB without them).
  const pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const lines = pending.join('');
    pending.length = 0;
    stream.write(lines);
  };
  // The exit hook is added with the first writer, not when the module loads.
  if (flushOnExit.size === 0) process.once('exit', flushAll);
  flushOnExit.set(stream, flush);
  // The time as text, converted once per millisecond and with `toFixed`: each new number converted
  // with `String` would be kept in V8's number-to-text cache, in the old generation (see `formatMs`).
  let now = 0;
  let nowText = '';
  return (fields) => {
    if (pending.length === 0) setImmediate(flush);
    const time = Date.now();
    if (time !== now) {
      now = time;
      nowText = time.toFixed(0);
    }
    pending.push(prefix, nowText, pid, fields.join(''), '}\n');
  };
}

interface LogStream {
  write(chunk: string): unknown;
  flushSync?(): void;
}

/** Each log stream's pending request lines, written when the process exits (a crash included), as pino's stream does. */
const flushOnExit = new Map<LogStream, () => void>();

function flushAll(): void {
  for (const [stream, flush] of flushOnExit) {
    flush();
    try {
      stream.flushSync?.();
    } catch {
      // a stream not open yet has nothing of its own to lose
    }
  }
}

/**
 * Calls `listener` with every line the logger writes (pino's JSON, before any pretty-printing
 * transport), as it is written: a line logged by a request's code arrives while that request's
 * context is current. For development tools; returns false when the logger has no stream to tap.
 */
export function tapLogLines(logger: Logger, listener: (chunk: string) => void): boolean {
  const stream = (logger as unknown as Record<symbol, LogStream | undefined>)[pino.symbols.streamSym];
  if (!stream || typeof stream.write !== 'function') return false;
  const write = stream.write;
  stream.write = function writeAndTell(this: LogStream, chunk: string) {
    listener(chunk);
    return write.call(this, chunk);
  };
  return true;
}
