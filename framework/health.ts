import express, { type Router } from 'express';
import type { Database } from './database';

/**
 * `GET /healthz`: the process is up (no database involved), and which process answered. `GET /readyz`: the database answers and
 * `readiness` (pending migrations, say) passes; 503 otherwise, so a load balancer stops sending
 * traffic here until it recovers.
 */
export function healthRoutes(db: Database, readiness?: () => Promise<void>): Router {
  const router = express.Router();
  router.get('/healthz', (_request, response) => {
    response.setHeader('Cache-Control', 'no-store');
    response.json({ status: 'ok', pid: process.pid });
  });
  router.get('/readyz', async (_request, response) => {
    response.setHeader('Cache-Control', 'no-store');
    try {
      await db.knex.raw('select 1');
    } catch {
      response.status(503).json({ status: 'unavailable', detail: 'The database does not answer.' });
      return;
    }
    try {
      await readiness?.();
      response.json({ status: 'ready' });
    } catch (error) {
      response.status(503).json({ status: 'unavailable', detail: error instanceof Error ? error.message : String(error) });
    }
  });
  return router;
}
