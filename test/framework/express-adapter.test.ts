import http from 'node:http';
import express from 'express';
import request from 'supertest';

// framework/http/express-adapter.ts leans on these behaviours of Express 5 itself (not of Trestle).
// If an Express upgrade changes one, this file fails first and says which.

describe('the Express behaviour the adapter relies on', () => {
  test('an app called as a handler, served or mounted, goes through app.handle(req, res, next)', async () => {
    const app = express() as express.Express & { handle: (req: express.Request, res: express.Response, next?: express.NextFunction) => void };
    const seen: Array<'served' | 'mounted'> = [];
    const original = app.handle.bind(app);
    app.handle = (req, res, next) => {
      seen.push(next ? 'mounted' : 'served');
      if (next) return next();
      res.end('handled');
      return undefined;
    };
    expect(typeof original).toBe('function');
    expect((await request(app).get('/')).text).toBe('handled');
    const outer = express();
    outer.use('/inner', app);
    outer.use((_req, res) => void res.end('outer'));
    expect((await request(outer).get('/inner/x')).text).toBe('outer');
    expect(seen).toEqual(['served', 'mounted']);
  });

  test('app.use registers on app.router, a Router with a stack, made on first use', () => {
    const app = express();
    const router = app.router as unknown as { stack: unknown[]; handle: unknown };
    expect(router.stack).toHaveLength(0);
    app.use((_req, _res, next) => next());
    expect(router.stack).toHaveLength(1);
    expect(typeof router.handle).toBe('function');
  });

  test('app.get, app.post and app.all register their routes through app.route(path)', () => {
    const app = express();
    const paths: string[] = [];
    const route = app.route.bind(app);
    (app as unknown as { route: (path: string) => unknown }).route = (path: string) => {
      paths.push(path);
      return route(path);
    };
    app.get('/a', (_req, res) => void res.end());
    app.post('/b', (_req, res) => void res.end());
    app.all('/c', (_req, res) => void res.end());
    expect(paths).toEqual(['/a', '/b', '/c']);
  });

  test('app.request and app.response are the prototypes Express gives each request and response', async () => {
    const app = express();
    app.use((req, res) => {
      res.json({ request: Object.getPrototypeOf(req) === app.request, response: Object.getPrototypeOf(res) === app.response });
    });
    expect((await request(app).get('/')).body).toEqual({ request: true, response: true });
    // …and they descend from Node's own classes, so the classes built on them are real ones.
    expect(http.IncomingMessage.prototype.isPrototypeOf(app.request)).toBe(true);
    expect(http.ServerResponse.prototype.isPrototypeOf(app.response)).toBe(true);
  });
});
