import pino, { type Logger } from 'pino';

/** Writes one log line, given as its JSON fields after `pid` (`,"reqId":"…",…`, without the closing brace). */
export type LineWriter = (fields: string) => void;

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
  // The lines of one turn of the event loop go to the stream together, in writes of up to
  // `linesPerWrite`: pino's file stream measures its whole pending buffer on every write, which
  // under load costs more than the line. Waiting lines are what a young collection in the middle
  // of a turn has to copy, and every byte it copies brings V8's next doubling of the young
  // generation closer (see `linesPerWrite`). They wait as three pieces each (the head with the time,
  // the fields, the end), joined once per write, in one array kept at its size: V8 frees an emptied
  // array's storage, to grow it again for the next.
  const pending: string[] = [];
  let waiting = 0; // pieces in `pending`, from the start
  let lines = 0;
  const flush = () => {
    if (lines === 0) return;
    const text = pending.join('');
    // Emptied, not cut: the slots past `waiting` are empty already, and the written pieces must
    // not be kept alive by the array.
    for (let i = 0; i < waiting; i++) pending[i] = '';
    waiting = 0;
    lines = 0;
    stream.write(text);
  };
  // The exit hook is added with the first writer, not when the module loads.
  if (flushOnExit.size === 0) process.once('exit', flushAll);
  flushOnExit.set(stream, flush);
  // The line's head with the time, made once per millisecond, the time converted with `toFixed`:
  // each new number converted with `String` would be kept in V8's number-to-text cache, in the old
  // generation (see `formatMs`).
  let now = 0;
  let head = '';
  return (fields) => {
    if (lines === 0) setImmediate(flush);
    const time = Date.now();
    if (time !== now) {
      now = time;
      head = prefix + time.toFixed(0) + pid;
    }
    pending[waiting++] = head;
    pending[waiting++] = fields;
    pending[waiting++] = '}\n';
    if (++lines >= linesPerWrite) flush();
  };
}

/**
 * The most request lines that wait for one write. Under load a turn answers up to one request per
 * connection (64 in the benchmark), and a turn's lines all waiting made them most of what each
 * young collection copied (on /json, 54 KB a collection against 34 KB with writes of 16; Fastify's
 * server copies 30 KB). V8 doubles the young generation each time the bytes copied since its last
 * growth exceed its size: each doubling to 16 MB adds 12 MB of resident memory. Sixteen lines of
 * about 350 bytes make a 6 KB write, still one system call for many lines.
 */
export const linesPerWrite = 16;

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
