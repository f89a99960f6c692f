import fs from 'node:fs';
import pino, { type Logger } from 'pino';

/** Writes one log line, given as its JSON fields after `pid` (`,"reqId":"…",…`, without the closing brace). */
export type LineWriter = (fields: string) => void;

/**
 * Writes a request's log line straight to the logger's destination, in pino's own JSON format:
 * pino's general path (serializers, hooks, string escaping) costs several times this, on a line
 * written for every request.
 *
 * The lines of one turn of the event loop are encoded, as they come, into one buffer outside V8's
 * heap, and go to the destination together when the turn ends (or when the buffer is full): one
 * write a turn. Kept as strings until then, waiting lines were what each young collection in the
 * middle of a turn had to copy, which brings V8's next doubling of the young generation (12 MB of
 * resident memory) closer; as bytes, they cost a collection nothing. To pino's synchronous file
 * stream (`createLogger` with a destination) the bytes go as it would write them, with
 * `fs.writeSync` on its file; to any other stream (stdout, a tap) as one string a turn.
 */
export function fastLogWriter(logger: Logger): LineWriter | undefined {
  const stream = streamOf(logger);
  if (!stream) return undefined;
  const prefix = `{"level":30,"time":`;
  const pid = `,"pid":${process.pid}`;
  const buffer = Buffer.allocUnsafeSlow(logBufferBytes);
  let used = 0;
  const flush = () => {
    if (used === 0) return;
    const length = used;
    used = 0;
    writeOut(stream, buffer, length);
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
    if (used === 0) setImmediate(flush);
    const time = Date.now();
    if (time !== now) {
      now = time;
      head = prefix + time.toFixed(0) + pid;
    }
    // The most bytes the line can take: the head is ASCII, and a UTF-16 unit is at most 3 bytes of UTF-8.
    const most = head.length + 3 * fields.length + 2;
    if (used + most > buffer.length) {
      flush();
      if (most > buffer.length) return void stream.write(`${head}${fields}}\n`);
    }
    used += buffer.write(head, used, 'latin1');
    used += buffer.write(fields, used, 'utf8');
    buffer[used++] = closingBrace;
    buffer[used++] = newline;
  };
}

const closingBrace = 0x7d;
const newline = 0x0a;

/**
 * The bytes of request lines that wait for one write, allocated once per writer: a turn under load
 * answers up to one request per connection, and 64 lines of about 350 bytes take 22 KB.
 */
export const logBufferBytes = 64 * 1024;

/**
 * Writes `length` bytes of `buffer` to `stream`: straight to its file when it is pino's own
 * synchronous file stream and not tapped (`tapLogLines`), as its `write` would, without making the
 * bytes a string and measuring them again; otherwise, or if the file refuses, as a string through
 * `write`, so the stream handles it (and its errors) as it handles any line.
 */
function writeOut(stream: LogStream, buffer: Buffer, length: number): void {
  let written = 0;
  if (stream.sync === true && !tappedStreams.has(stream) && typeof stream.fd === 'number' && stream.fd >= 0) {
    try {
      while (written < length) written += fs.writeSync(stream.fd, buffer, written, length - written);
      return;
    } catch {
      // what is left goes through the stream, which reports the failure its own way
    }
  }
  stream.write(buffer.toString('utf8', written, length));
}

/** The stream a pino logger writes its lines to (its destination), if it has one with a `write`. */
function streamOf(logger: Logger): LogStream | undefined {
  const stream = (logger as unknown as Record<symbol, LogStream | undefined>)[pino.symbols.streamSym];
  return stream && typeof stream.write === 'function' ? stream : undefined;
}

interface LogStream {
  write(chunk: string): unknown;
  flushSync?(): void;
  /** pino's file stream (sonic-boom): its file, and whether it writes synchronously. */
  fd?: number;
  sync?: boolean;
}

/** Streams whose every write a listener sees (`tapLogLines`): request lines go to them through `write`. */
const tappedStreams = new WeakSet<LogStream>();

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
  const stream = streamOf(logger);
  if (!stream) return false;
  const write = stream.write;
  tappedStreams.add(stream);
  stream.write = function writeAndTell(this: LogStream, chunk: string) {
    listener(chunk);
    return write.call(this, chunk);
  };
  return true;
}
