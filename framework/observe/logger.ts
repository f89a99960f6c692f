import pino, { type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

export type { Logger } from 'pino';

/**
 * A pino logger: JSON lines to `destination` (a file), or to stdout; `pretty` prints readable
 * coloured lines instead (development).
 *
 * A file is written synchronously, as pino's own default is: the request lines of one turn of the
 * event loop already go out as one write (see `fastLogWriter`), and a write to the page cache takes
 * microseconds. Written asynchronously, a line waits in memory for the thread pool; under load it
 * outlived two young-generation collections and was promoted, so the old generation filled with
 * log text (about 300 bytes per request on `/json`) and peak memory rose by 20-30 MB, and a crash
 * could lose what was waiting. Stdout stays asynchronous: it is often a pipe, and a slow reader
 * must not stop the server.
 *
 * Pretty lines are formatted and written in this thread, synchronously, rather than by pino-pretty's
 * worker thread: in development a line must be on the terminal before whatever the process prints
 * next (a start-up failure's reason is the last line, after the migration lines) or before it exits.
 */
export function createLogger(options: { level: string; destination?: string; pretty?: boolean }): Logger {
  if (options.pretty && !options.destination) {
    // The request line's message already says it all; its fields stay in the JSON logs of production.
    const ignore = 'pid,hostname,reqId,method,path,status,route,action,ms,queries';
    const pretty = prettyFactory({ ignore, translateTime: 'HH:MM:ss.l' });
    // A write may hold several lines: the request lines of one turn of the event loop go out together.
    const write = (chunk: string) => {
      for (const line of chunk.split('\n')) if (line !== '') process.stdout.write(pretty(line));
    };
    return pino({ level: options.level }, { write });
  }
  const destination = options.destination
    ? pino.destination({ dest: options.destination, sync: true, mkdir: true })
    : pino.destination({ sync: false });
  return pino({ level: options.level, base: { pid: process.pid } }, destination);
}
