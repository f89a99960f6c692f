import fs from 'node:fs';
import path from 'node:path';

/** A running embedded PostgreSQL (PGlite) reachable over TCP on 127.0.0.1. */
export interface EmbeddedPostgres {
  readonly host: string;
  readonly port: number;
  /** Where the data lives, or undefined when it is in memory. */
  readonly dataDir: string | undefined;
  stop(): Promise<void>;
}

/**
 * Starts PGlite and serves it on a free loopback port, so the same `pg` client as production can
 * reach it. PGlite has one session: it accepts one connection, and the pool must be of size one.
 * A data directory belongs to one process at a time; a lock file says which.
 */
export async function startEmbeddedPostgres(options: { dataDir?: string; port?: number } = {}): Promise<EmbeddedPostgres> {
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : undefined;
  let releaseLock = () => {};
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true });
    releaseLock = acquireLock(dataDir);
  }
  try {
    // Loaded only when an embedded database is started: a server on PostgreSQL never carries PGlite.
    const { PGlite } = require('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
    const { PGLiteSocketServer } = require('@electric-sql/pglite-socket') as typeof import('@electric-sql/pglite-socket');
    const db = await PGlite.create(dataDir ? { dataDir } : {});
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: options.port ?? 0, maxConnections: 1 });
    await server.start();
    const port = Number(server.getServerConn().split(':').pop());
    return {
      host: '127.0.0.1',
      port,
      dataDir,
      async stop() {
        await server.stop();
        await db.close();
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

function acquireLock(dataDir: string): () => void {
  const lockFile = path.join(path.dirname(dataDir), `.${path.basename(dataDir)}.lock`);
  try {
    const owner = Number(fs.readFileSync(lockFile, 'utf8'));
    if (owner && owner !== process.pid && isAlive(owner)) {
      throw new Error(
        `The embedded database at ${dataDir} is in use by process ${owner}. Only one process can own it: stop that process, or set DATABASE_URL to use PostgreSQL.`,
      );
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.writeFileSync(lockFile, String(process.pid));
  return () => fs.rmSync(lockFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
