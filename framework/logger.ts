import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** A pino logger: JSON lines to stdout (or a file); quiet in tests unless LOG_LEVEL says otherwise. */
export function createLogger(options: { level: string; destination?: string }): Logger {
  const destination = options.destination ? pino.destination({ dest: options.destination, sync: false, mkdir: true }) : pino.destination({ sync: false });
  return pino({ level: options.level, base: { pid: process.pid } }, destination);
}
