/**
 * Serves one request whose action exits the process as soon as it has answered: the request's log
 * line is then still waiting for the event loop's next turn. Usage: <database url> <log file>.
 */
import http from 'node:http';
import path from 'node:path';
import type { EventEmitter } from 'node:events';
import pino from 'pino';
import { Controller, createApp, createLogger, defineRoutes, openDatabase } from '../../framework';

class ExitController extends Controller {
  async last() {
    this.json({ last: true });
    process.exit(0);
  }
}

async function main(): Promise<void> {
  const [url, logFile] = process.argv.slice(2);
  const db = await openDatabase({ url: url!, poolMax: 1 });
  const routes = defineRoutes((r) => r.get('/last', ExitController, 'last'));
  const logger = createLogger({ level: 'info', destination: logFile });
  const app = createApp({ routes, viewsDir: path.join(__dirname, '..', '..', 'views'), db, config: { env: 'production' }, logger });
  // The log file must be open before the request: a stream still opening cannot be flushed at exit.
  const stream = (logger as unknown as Record<symbol, EventEmitter>)[pino.symbols.streamSym]!;
  await new Promise((resolve) => stream.once('ready', resolve));
  const server = http.createServer(app).listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    http.get({ host: '127.0.0.1', port, path: '/last' }).on('error', () => undefined);
  });
}

void main();
