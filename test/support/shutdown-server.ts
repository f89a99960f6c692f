/**
 * A minimal process on `serve()`: answers every request at once with 200, and on SIGTERM shuts
 * down as server.ts does (exit 0 when clean). Starts in a fraction of the real server's time, for
 * tests that start and stop many processes. Prints `listening on port <n>`, and `accepted <port>`
 * for each connection it accepts (the client's port), written at once so none is lost at exit.
 */
import fs from 'node:fs';
import { createLogger, serve } from '../../framework';

async function main(): Promise<void> {
  const logger = createLogger({ level: 'info' });
  const running = await serve((_request, response) => response.end('ok'), {
    port: 0,
    host: '127.0.0.1',
    logger,
    shutdownTimeout: Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 5000),
  });
  running.server.on('connection', (socket) => fs.writeSync(1, `accepted ${socket.remotePort}\n`));
  logger.info(`listening on port ${running.port}`);
  process.once('SIGTERM', () =>
    void running.shutdown('SIGTERM').then(({ clean }) => {
      logger.flush();
      process.exit(clean ? 0 : 1);
    }),
  );
}

void main();
