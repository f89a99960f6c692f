import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * A pino logger: JSON lines to stdout, or to `destination` (a file), written asynchronously;
 * `pretty` prints readable coloured lines instead (development).
 */
export function createLogger(options: { level: string; destination?: string; pretty?: boolean }): Logger {
  if (options.pretty && !options.destination) {
    // The request line's message already says it all; its fields stay in the JSON logs of production.
    const ignore = 'pid,hostname,reqId,method,path,status,route,action,ms,queries';
    return pino({ level: options.level, transport: { target: 'pino-pretty', options: { ignore, translateTime: 'HH:MM:ss.l' } } });
  }
  const destination = options.destination
    ? pino.destination({ dest: options.destination, sync: false, mkdir: true })
    : pino.destination({ sync: false });
  return pino({ level: options.level, base: { pid: process.pid } }, destination);
}
