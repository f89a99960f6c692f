import cluster from 'node:cluster';
import http from 'node:http';
import type { Socket } from 'node:net';
import type { RequestListener } from 'node:http';
import type { Logger } from 'pino';

export interface ServeOptions {
  port: number;
  host?: string;
  logger: Logger;
  /** Milliseconds a shutdown waits for requests in flight before closing what is left (default 10 s). */
  shutdownTimeout?: number;
  /** Cut off clients that have not sent their headers within this many ms (default 20 s). */
  headersTimeout?: number;
  /** Cut off requests not fully received within this many ms (default 30 s). */
  requestTimeout?: number;
  /** Keep idle connections open this long for the next request (default 5 s). */
  keepAliveTimeout?: number;
  /** Largest request header block in bytes (default 16 KiB). */
  maxHeaderSize?: number;
  /** Called once the server has stopped, before the process exits (close the database here). */
  onClose?: () => Promise<void>;
}

const latestResponse = Symbol('trestle.latestResponse');
type ServedSocket = Socket & { [latestResponse]?: http.ServerResponse };

/** The classes Node's HTTP server makes each request and response from. */
export type HttpClasses = Pick<http.ServerOptions, 'IncomingMessage' | 'ServerResponse'>;

export interface RunningServer {
  server: http.Server;
  port: number;
  /** Stops accepting, lets requests in flight finish, closes idle connections; resolves when all is closed. */
  shutdown(reason?: string): Promise<void>;
}

/**
 * Serves a request handler over HTTP with deliberate timeouts and a graceful shutdown: on
 * `shutdown()` the listener closes (new connections are refused), idle keep-alive connections are
 * closed at once, busy ones after their response, and whatever is left at the deadline is destroyed.
 */
export function serve(handler: RequestListener & { httpClasses?: HttpClasses }, options: ServeOptions): Promise<RunningServer> {
  // A Trestle app's own request and response classes, when it has them (see `createApp`).
  const server = http.createServer({ maxHeaderSize: options.maxHeaderSize ?? 16 * 1024, ...handler.httpClasses }, handler);
  server.headersTimeout = options.headersTimeout ?? 20_000;
  server.requestTimeout = options.requestTimeout ?? 30_000;
  server.keepAliveTimeout = options.keepAliveTimeout ?? 5_000;
  // Checked every second (Node's default is 30 s), so slow-header clients go within the timeout.
  (server as http.Server & { connectionsCheckingInterval?: number }).connectionsCheckingInterval = 1000;

  // Open connections by a running number, in a plain object rather than a Set: for clients that
  // open a connection per request, a long-lived Set with an entry in and out each time makes V8
  // promote its tables and the sockets they reach (2.3 KB per request measured).
  const open: Record<number, ServedSocket> = Object.create(null);
  let opened = 0;
  server.on('connection', (socket) => {
    const id = opened++;
    open[id] = socket;
    socket.once('close', () => delete open[id]);
  });
  const sockets = () => Object.values(open);
  let stopping = false;
  server.on('request', (request, response) => {
    // After a shutdown begins, every response closes its connection once sent.
    if (stopping) response.setHeader('Connection', 'close');
    // The connection remembers its latest response, for a shutdown to find those in flight. Not a
    // Set of responses: a long-lived Set with an entry in and out per request makes V8 promote its
    // tables to the old generation, with the responses in them and all they reach (4.4 KB per
    // request measured), and the old generation then grows fourfold between full collections.
    (request.socket as ServedSocket)[latestResponse] = response;
  });

  let closing: Promise<void> | undefined;
  const shutdown = (reason = 'shutdown') => {
    closing ??= new Promise<void>((resolve) => {
      stopping = true;
      for (const socket of sockets()) {
        const response = socket[latestResponse];
        if (response && !response.headersSent) response.setHeader('Connection', 'close');
      }
      options.logger.info(`${reason}: finishing requests in flight, then closing`);
      const deadline = setTimeout(() => {
        const left = sockets();
        options.logger.warn(`${left.length} connection(s) still open after ${options.shutdownTimeout ?? 10_000} ms: closing them`);
        for (const socket of left) socket.destroy();
      }, options.shutdownTimeout ?? 10_000);
      deadline.unref();
      server.close(async () => {
        clearTimeout(deadline);
        try {
          await options.onClose?.();
        } catch (error) {
          options.logger.error({ err: error }, 'error while closing');
        }
        // In a cluster, the primary may have handed this worker a connection just before it
        // stopped listening. The worker answers such a hand-off "not accepted" (and the primary
        // passes the connection to another worker) only while it still runs: exiting at once can
        // leave the connection stuck in the primary, never answered. A short stay lets it through.
        if (cluster.isWorker) await new Promise((settle) => setTimeout(settle, 250));
        resolve();
      });
      // Idle keep-alive connections would hold close() open; busy ones close after their response.
      server.closeIdleConnections();
    });
    return closing;
  };

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : options.port, shutdown });
    });
  });
}
