import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

export interface ClusterOptions {
  workers: number;
  logger: Logger;
  /** How long a worker may take to drain at shutdown before it is killed (ms). */
  shutdownTimeout: number;
}

/**
 * The primary process of `WEB_CONCURRENCY` workers sharing one port (node:cluster). A worker that
 * dies is replaced; SIGTERM/SIGINT drain every worker and exit 0 (1 if one did not stop cleanly); SIGHUP replaces the workers one
 * at a time (a rolling restart: a new worker listens before an old one is asked to drain).
 * Call only in the primary; each worker runs the server itself.
 */
export function runCluster(options: ClusterOptions): void {
  const { logger } = options;
  let stopping = false;
  let restarting = false;
  const retiring = new Set<Worker>();
  const recentDeaths: number[] = [];

  const fork = () => cluster.fork();
  const waitListening = (worker: Worker) => new Promise<void>((resolve) => worker.once('listening', () => resolve()));

  /** Asks a worker to drain and waits for it; resolves false if it had to be killed or exited non-zero. */
  const retire = async (worker: Worker): Promise<boolean> => {
    retiring.add(worker);
    const exit = new Promise<boolean>((resolve) => worker.once('exit', (code, signal) => resolve(code === 0 && !signal)));
    worker.process.kill('SIGTERM');
    // A worker bounds its own shutdown by the same deadline; this is for one that cannot.
    const killer = setTimeout(() => {
      logger.error(`worker ${worker.process.pid} still running ${options.shutdownTimeout + 2000} ms after SIGTERM: killed`);
      worker.process.kill('SIGKILL');
    }, options.shutdownTimeout + 2000);
    const clean = worker.isDead() ? worker.process.exitCode === 0 : await exit;
    clearTimeout(killer);
    if (!clean) logger.error(`worker ${worker.process.pid} did not shut down cleanly (${worker.process.signalCode ?? `exit ${worker.process.exitCode}`})`);
    return clean;
  };

  cluster.on('exit', (worker, code, signal) => {
    if (stopping || retiring.delete(worker)) return;
    const now = Date.now();
    recentDeaths.push(now);
    while (recentDeaths.length && now - recentDeaths[0]! > 60_000) recentDeaths.shift();
    // A worker that keeps dying at start would fork-loop: slow down after a few.
    const delay = recentDeaths.length > 5 ? 5000 : 0;
    logger.error(`worker ${worker.process.pid} died (${signal ?? `exit ${code}`}); starting a replacement${delay ? ` in ${delay / 1000}s` : ''}`);
    setTimeout(fork, delay);
  });

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: draining ${Object.keys(cluster.workers ?? {}).length} workers`);
    const outcomes = await Promise.all(Object.values(cluster.workers ?? {}).map((w) => (w ? retire(w) : true)));
    const failed = outcomes.filter((clean) => !clean).length;
    if (failed) logger.error(`all workers stopped; ${failed} did not shut down cleanly`);
    else logger.info('all workers stopped');
    logger.flush();
    process.exit(failed ? 1 : 0);
  };

  const rollingRestart = async () => {
    if (restarting || stopping) return;
    restarting = true;
    const old = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    logger.info(`SIGHUP: rolling restart of ${old.length} workers`);
    for (const worker of old) {
      const replacement = fork();
      await waitListening(replacement);
      await retire(worker);
    }
    restarting = false;
    logger.info('rolling restart done');
  };

  let announced = false;
  cluster.on('listening', (_worker, address) => {
    if (announced) return;
    announced = true;
    logger.info(`listening on http://localhost:${address.port} with ${options.workers} workers`);
  });

  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGHUP', () => void rollingRestart());
  logger.info(`primary ${process.pid}: starting ${options.workers} workers`);
  for (let i = 0; i < options.workers; i++) fork();
}
