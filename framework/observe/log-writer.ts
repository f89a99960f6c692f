import fs from 'node:fs';
import pino, { type Logger } from 'pino';

/**
 * Writes request log lines straight to the logger's destination, in pino's own JSON format:
 * pino's general path (serializers, hooks, string escaping) costs several times this, on a line
 * written for every request. A line is given as its JSON fields after `pid` (`,"reqId":"…",…`,
 * without the closing brace): as one string (`text`), or appended piece by piece into the buffer
 * (`start`, then `ascii`, `bytes`, `tenths`, `integer`, and `end`), which makes no string at all.
 *
 * The lines of one turn of the event loop are encoded, as they come, into one buffer outside V8's
 * heap, and go to the destination together when the turn ends (or when the buffer is full): one
 * write a turn. Kept as strings until then, waiting lines were what each young collection in the
 * middle of a turn had to copy, which brings V8's next doubling of the young generation (12 MB of
 * resident memory) closer; as bytes, they cost a collection nothing. To pino's synchronous file
 * stream (`createLogger` with a destination) the bytes go as it would write them, with
 * `fs.writeSync` on its file; to any other stream (stdout, a tap) as one string a turn.
 */
export class LineWriter {
  private readonly buffer = Buffer.allocUnsafeSlow(logBufferBytes);
  private used = 0;
  private readonly pid = `,"pid":${process.pid}`;
  // The line's head with the time, made once per millisecond, the time converted with `toFixed`:
  // each new number converted with `String` would be kept in V8's number-to-text cache, in the old
  // generation (see `formatMs`).
  private now = 0;
  private head = '';
  private headBytes: Uint8Array = new Uint8Array(0);
  private readonly flushLater = () => this.flush();

  constructor(private readonly stream: LogStream) {
    // The exit hook is added with the first writer, not when the module loads.
    if (flushOnExit.size === 0) process.once('exit', flushAll);
    flushOnExit.set(stream, this.flushLater);
  }

  /** Writes one line given as its fields, a string (any text: it is written as UTF-8). */
  text(fields: string): void {
    // The most bytes the line can take: a UTF-16 unit is at most 3 bytes of UTF-8.
    if (!this.start(3 * fields.length)) return void this.stream.write(`${this.head}${fields}}\n`);
    this.utf8(fields);
    this.end();
  }

  /**
   * Starts a line whose fields will take at most `most` bytes, written with the methods below and
   * closed by `end()`. Returns false, having written nothing, when such a line could never fit the
   * buffer: write it with `text`.
   */
  start(most: number): boolean {
    if (this.used === 0) setImmediate(this.flushLater);
    const time = Date.now();
    if (time !== this.now) {
      this.now = time;
      this.head = `{"level":30,"time":${time.toFixed(0)}${this.pid}`;
      this.headBytes = Buffer.from(this.head, 'latin1');
    }
    const room = this.headBytes.length + most + 2;
    if (this.used + room > this.buffer.length) {
      this.flush();
      if (room > this.buffer.length) return false;
    }
    this.bytes(this.headBytes);
    return true;
  }

  /**
   * Appends text expected to be ASCII (an id, a count's words), a byte per character; should a
   * character past ASCII come, the rest is written as UTF-8 (the line's `most` must allow for it).
   */
  ascii(text: string): void {
    const buffer = this.buffer;
    let used = this.used;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) {
        used += buffer.write(text.slice(i), used, 'utf8');
        break;
      }
      buffer[used++] = code;
    }
    this.used = used;
  }

  /** Appends any text, as UTF-8 (up to 3 bytes a character). */
  utf8(text: string): void {
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  /** Appends bytes already encoded (the parts of a line fixed by its route). */
  bytes(bytes: Uint8Array): void {
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Appends a whole number of tenths as `formatMs` writes it: `78` as `7.8`, `120` as `12`, `-5` as `-0.5`. */
  tenths(tenths: number): void {
    if (tenths < 0) {
      this.buffer[this.used++] = minus;
      tenths = -tenths;
    }
    const tenth = tenths % 10;
    this.integer((tenths - tenth) / 10);
    if (tenth !== 0) {
      this.buffer[this.used++] = dot;
      this.buffer[this.used++] = zero + tenth;
    }
  }

  /** Appends a whole number that is not negative. */
  integer(value: number): void {
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.trunc(rest / 10)) digits++;
    let at = this.used + digits;
    this.used = at;
    do {
      const digit = value % 10;
      this.buffer[--at] = zero + digit;
      value = (value - digit) / 10;
    } while (value > 0);
  }

  /** Closes the line started with `start`. */
  end(): void {
    this.buffer[this.used++] = closingBrace;
    this.buffer[this.used++] = newline;
  }

  /** Writes the lines waiting in the buffer. */
  flush(): void {
    if (this.used === 0) return;
    const length = this.used;
    this.used = 0;
    writeOut(this.stream, this.buffer, length);
  }
}

/** The request line writer for `logger`'s destination, if it has one to write to. */
export function fastLogWriter(logger: Logger): LineWriter | undefined {
  const stream = streamOf(logger);
  return stream ? new LineWriter(stream) : undefined;
}

const minus = 0x2d;
const dot = 0x2e;
const zero = 0x30;
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
