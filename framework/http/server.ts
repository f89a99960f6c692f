import cluster from 'node:cluster';
import http from 'node:http';
import net, { type Socket } from 'node:net';
import type { RequestListener } from 'node:http';
import type { Logger } from 'pino';

export interface ServeOptions {
  port: number;
  host?: string;
  logger: Logger;
  /** Milliseconds the whole shutdown may take, closing included; past it, it gives up (default 10 s). */
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
  /** What `onClose` is still waiting for, for the log line when a shutdown overruns its deadline. */
  closeWaitsFor?: () => string[];
}

/** How a shutdown ended: `clean` unless it overran its deadline or closing failed. */
export interface ShutdownOutcome {
  clean: boolean;
  /** What it was still waiting for at the deadline (empty when it finished in time). */
  waitingFor: string[];
}

/**
 * A connection as Node's HTTP server keeps it: `_httpMessage` is the response in progress on it,
 * set when its request arrives and back to null once the response has finished; absent before the
 * first request. Read here rather than tracked with a listener on every request and response:
 * those cost each request two more listener calls, and holding a finished response until the
 * connection's next request kept its whole graph alive through young collections.
 */
type ServedSocket = Socket & { _httpMessage?: http.ServerResponse | null };

function closeAfterResponse(_request: http.IncomingMessage, response: http.ServerResponse): void {
  response.setHeader('Connection', 'close');
}

/** The classes Node's HTTP server makes each request and response from. */
export type HttpClasses = Pick<http.ServerOptions, 'IncomingMessage' | 'ServerResponse'>;

export interface RunningServer {
  server: http.Server;
  port: number;
  /** Stops accepting, lets requests in flight finish, closes idle connections, then `onClose`; resolves when done or at the deadline. */
  shutdown(reason?: string): Promise<ShutdownOutcome>;
}

/**
 * Serves a request handler over HTTP with deliberate timeouts and a graceful shutdown: on
 * `shutdown()` the listener closes (new connections are refused), idle keep-alive connections are
 * closed at once, busy ones after their response, and whatever is left at the deadline is destroyed.
 */
export function serve(handler: RequestListener & { httpClasses?: HttpClasses }, options: ServeOptions): Promise<RunningServer> {
  // A Trestle app's own request and response classes, when it has them (see `createApp`).
  const server = http.createServer({ maxHeaderSize: options.maxHeaderSize ?? 16 * 1024, ...handler.httpClasses });
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
  server.on('request', handler);

  const timeout = options.shutdownTimeout ?? 10_000;
  // A connection accepted just before the listener closed has its request on the way (or already
  // in the kernel's buffer): it gets this long to arrive and be answered. Closing it at once would
  // make the kernel answer the unread data with a reset.
  const firstRequestGrace = Math.min(1000, timeout / 2);

  /** What the open connections are: requests in flight by method and path, the others counted. */
  const describeConnections = () => {
    const left = sockets();
    const inFlight = left.map((socket) => socket._httpMessage).filter((response) => response && !response.writableFinished);
    const requests = inFlight.map((response) => `${response!.req.method} ${response!.req.url}`);
    return [`${left.length} open connection(s)${requests.length ? ` (in flight: ${requests.join(', ')})` : ''}`];
  };

  let closing: Promise<ShutdownOutcome> | undefined;
  const shutdown = (reason = 'shutdown') => {
    closing ??= new Promise<ShutdownOutcome>((resolve) => {
      // After a shutdown begins, every response closes its connection once sent.
      server.prependListener('request', closeAfterResponse);
      let step: 'connections' | 'close' = 'connections';
      for (const socket of sockets()) {
        const response = socket._httpMessage;
        if (response && !response.headersSent) response.setHeader('Connection', 'close');
      }
      options.logger.info(`${reason}: finishing requests in flight, then closing`);
      // One deadline for the whole shutdown, the close step included: a stuck step must not keep
      // the process up forever. Past it, say what was left, cut the connections, report failure.
      const deadline = setTimeout(() => {
        const waitingFor = step === 'connections' ? describeConnections() : [`the close step (${options.closeWaitsFor?.().join(', ') || 'onClose'})`];
        options.logger.error(`shutdown did not finish within ${timeout} ms; still waiting for: ${waitingFor.join('; ')}`);
        for (const socket of sockets()) socket.destroy();
        resolve({ clean: false, waitingFor });
      }, timeout);
      stopListeningWhenQuiet(async () => {
        step = 'close';
        let clean = true;
        try {
          await options.onClose?.();
        } catch (error) {
          clean = false;
          options.logger.error({ err: error }, 'error while closing');
        }
        // In a cluster, the primary may have handed this worker a connection just before it
        // stopped listening. The worker answers such a hand-off "not accepted" (and the primary
        // passes the connection to another worker) only while it still runs: exiting at once can
        // leave the connection stuck in the primary, never answered. A short stay lets it through.
        if (cluster.isWorker) await new Promise((settle) => setTimeout(settle, 250));
        clearTimeout(deadline);
        resolve({ clean, waitingFor: [] });
      });
      // Keep-alive connections between requests would hold the close open: they go now. Busy ones
      // close after their response; those still waiting for their first request, after the grace.
      closeIdle(false);
      setTimeout(() => closeIdle(true), firstRequestGrace).unref();
    });
    return closing;
  };

  /**
   * Closes the listener once a turn of the event loop has accepted no connection. Connections the
   * kernel has completed but Node not yet accepted are reset when the listener closes; letting the
   * loop accept what is queued first leaves only the ones that arrive in that last turn.
   */
  const stopListeningWhenQuiet = (onClosed: () => void) => {
    let seen = opened;
    let turns = 0;
    const check = () => {
      // Two turns at least (the first may run before the loop has polled), twenty at most.
      if ((opened !== seen || turns < 2) && turns < 20) {
        seen = opened;
        turns++;
        return void setImmediate(check);
      }
      // net.Server's close, not http.Server's: Node's also closes every connection without a
      // request in progress, including one accepted a moment ago whose request is still unread,
      // and that client then gets a reset instead of an answer. Idle ones are closed below instead.
      net.Server.prototype.close.call(server, onClosed);
    };
    check();
  };

  /** Closes connections with no request in progress; those that never had one only when `includeNew`. */
  const closeIdle = (includeNew: boolean) => {
    for (const socket of sockets()) {
      const response = socket._httpMessage;
      if (response === undefined ? includeNew : response === null || response.writableFinished) socket.destroy();
    }
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
