import type { Request, Response } from 'express';
import type { Database } from './database';

/**
 * `GET /healthz`: the process is up (no database involved), and which process answered.
 * `GET /readyz`: the database answers and `readiness` (pending migrations, say) passes; 503
 * otherwise, so a load balancer stops sending traffic here until it recovers.
 */
export function healthChecks(db: Database, readiness?: () => Promise<void>) {
  const answer = (response: Response, status: number, body: object) => {
    response.status(status).setHeader('Cache-Control', 'no-store');
    response.json(body);
  };
  const ready = async (response: Response) => {
    try {
      await db.knex.raw('select 1');
    } catch {
      return answer(response, 503, { status: 'unavailable', detail: 'The database does not answer.' });
    }
    try {
      await readiness?.();
      answer(response, 200, { status: 'ready' });
    } catch (error) {
      answer(response, 503, { status: 'unavailable', detail: error instanceof Error ? error.message : String(error) });
    }
  };
  return {
    matches(request: Request): boolean {
      const url = request.url;
      return (url === '/healthz' || url === '/readyz') && (request.method === 'GET' || request.method === 'HEAD');
    },
    answer(request: Request, response: Response): void {
      if (request.url === '/healthz') answer(response, 200, { status: 'ok', pid: process.pid });
      else void ready(response);
    },
  };
}
