import type { Request, Response } from 'express';
import type { Database } from '../database';

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
      // A replica that is down leaves the app ready: its reads go to the primary meanwhile.
      const replicas = await db.replicaStates();
      answer(response, 200, replicas.length > 0 ? { status: 'ready', replicas } : { status: 'ready' });
    } catch (error) {
      answer(response, 503, { status: 'unavailable', detail: error instanceof Error ? error.message : String(error) });
    }
  };
  return {
    matches(request: Request): boolean {
      return probeAt(request.url) !== undefined && (request.method === 'GET' || request.method === 'HEAD');
    },
    answer(request: Request, response: Response): void {
      if (probeAt(request.url) === 'healthz') answer(response, 200, { status: 'ok', pid: process.pid });
      else void ready(response);
    },
  };
}

/**
 * Which probe `url` asks for, ignoring a query string (load balancers add one, `/healthz?x=1`).
 * Checked on every request, so it compares in place rather than parsing the URL.
 */
function probeAt(url: string): 'healthz' | 'readyz' | undefined {
  if (isPath(url, '/healthz')) return 'healthz';
  if (isPath(url, '/readyz')) return 'readyz';
  return undefined;
}

function isPath(url: string, path: string): boolean {
  return url.startsWith(path) && (url.length === path.length || url.charCodeAt(path.length) === 63 /* ? */);
}
