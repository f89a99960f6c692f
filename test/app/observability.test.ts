import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { createLogger } from '../../framework';
import { buildApplication } from '../../config/application';
import { readSettings } from '../../config/settings';
import { useTestApp } from '../support/app';
import { testDatabaseUrl } from '../support/database-url';
import { startScript } from '../support/processes';

const t = useTestApp();

/** The app with a logger whose JSON lines are kept in `lines`. */
function appWithLog(env: Record<string, string> = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const app = buildApplication(readSettings({ NODE_ENV: 'test', ...env }), t.db, logger);
  return { app, lines };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('request ids', () => {
  test('a given X-Request-Id is echoed; a missing or odd one is replaced by a UUID', async () => {
    const given = await request(t.app).get('/').set('X-Request-Id', 'edge-42.abc');
    expect(given.headers['x-request-id']).toBe('edge-42.abc');
    const made = await request(t.app).get('/');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const odd = await request(t.app).get('/').set('X-Request-Id', 'bad id <script>');
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('made ids are random version-4 UUIDs, none repeated, past the 256 drawn from the system at once', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const ids: string[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const pages = await Promise.all(Array.from({ length: 50 }, () => request(t.app).get('/healthz')));
      for (const page of pages) ids.push(page.headers['x-request-id'] as string);
    }
    for (const id of ids) expect(id).toMatch(uuid);
    expect(new Set(ids).size).toBe(300);
    // Every hex digit outside the fixed version and variant bits turns up: the bytes are random, not a counter.
    const digits = new Set(ids.flatMap((id) => [...id.replace(/-/g, '').slice(13)]));
    expect(digits.size).toBe(16);
  });
});

describe('Server-Timing', () => {
  test('splits the time into total, controller, db (with the query count) and view', async () => {
    const res = await request(t.app).get('/index1/');
    const header = res.headers['server-timing'] as string;
    expect(header).toMatch(/^total;dur=[\d.]+, controller;dur=[\d.]+, db;dur=[\d.]+;desc="1 query", view;dur=[\d.]+$/);
    const parts = Object.fromEntries(header.split(', ').map((p) => [p.split(';')[0], Number(p.match(/dur=([\d.]+)/)![1])]));
    expect(parts.total).toBeGreaterThanOrEqual(parts.controller!);
    expect(parts.controller).toBeGreaterThanOrEqual(parts.view!);
    expect(parts.view).toBeGreaterThan(0);
  });

  test('counts every query of the request, and only that request’s', async () => {
    const res = await request(t.app).get('/posts').set('Accept', 'application/json');
    // count, page, authors
    expect(res.headers['server-timing']).toContain('desc="3 queries"');
    const page = await request(t.app).get('/index/');
    expect(page.headers['server-timing']).toContain('desc="0 queries"');
  });

  test('counts them in development too, where static files are looked up on disk before the controller runs', async () => {
    // express.static answers "not here" from a file-system callback, which carries no request context.
    const development = buildApplication(readSettings({ NODE_ENV: 'development' }), t.db, pino({ level: 'silent' }));
    const res = await request(development).get('/index1/');
    expect(res.status).toBe(200);
    expect(res.headers['server-timing']).toContain('desc="1 query"');
  });

  test('keeps the counts apart when requests run at the same time', async () => {
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? request(t.app).get('/index/') : request(t.app).get('/posts').set('Accept', 'application/json'))),
    );
    responses.forEach((res, i) => expect([i, res.headers['server-timing']]).toEqual([i, expect.stringContaining(i % 3 === 0 ? 'desc="0 queries"' : 'desc="3 queries"')]));
  });
});

describe('the request log', () => {
  test('one line per request: id, method, path, route, controller#action, status and the split', async () => {
    const { app, lines } = appWithLog();
    const res = await request(app).get('/index1/?secret=1').set('X-Request-Id', 'trace-1');
    await settle();
    const line = lines.find((l) => l.reqId === 'trace-1')!;
    expect(line).toMatchObject({
      level: 30,
      reqId: 'trace-1',
      method: 'GET',
      path: '/index1/',
      status: 200,
      route: 'pages.index1',
      action: 'PagesController#index1',
      queries: 1,
    });
    expect(line.ms).toEqual({ total: expect.any(Number), controller: expect.any(Number), db: expect.any(Number), view: expect.any(Number) });
    expect(line.msg).toMatch(/^GET \/index1\/ 200 OK in [\d.]+ms \(Views: [\d.]+ms \| DB: [\d.]+ms, 1 query\)$/);
    // The message shows the same durations as the fields, to a tenth of a millisecond.
    const { total, db, view } = line.ms as Record<string, number>;
    expect(line.msg).toBe(`GET /index1/ 200 OK in ${total}ms (Views: ${view}ms | DB: ${db}ms, 1 query)`);
    for (const duration of [total, db, view]) expect(Number(duration!.toFixed(1))).toBe(duration);
    expect(Math.abs((line.time as number) - Date.now())).toBeLessThan(60_000);
    expect(JSON.stringify(line)).not.toContain('secret');
    expect(res.status).toBe(200);
  });

  test('a path with quotes and backslashes is escaped in the line, in its field and in the message', async () => {
    const { app, lines } = appWithLog();
    // Sent raw: an HTTP client library would percent-encode the quotes and turn the backslash around.
    const server = http.createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1', () =>
        socket.write('GET /nowhere/"quoted"\\back HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: escape-1\r\nConnection: close\r\n\r\n'),
      );
      let received = '';
      socket.on('data', (chunk) => (received += chunk)).on('end', () => resolve(received)).on('error', reject);
    });
    server.close();
    expect(answer).toMatch(/^HTTP\/1.1 404 /);
    await settle();
    const line = lines.find((l) => l.reqId === 'escape-1')!;
    expect(line.path).toBe('/nowhere/"quoted"\\back');
    expect(line.msg).toMatch(/^GET \/nowhere\/"quoted"\\back 404 Not Found in [\d.]+ms/);
  });

  test('errors are logged with their status; a 404 has no route', async () => {
    const { app, lines } = appWithLog();
    await request(app).get('/nowhere').set('X-Request-Id', 'trace-404');
    await settle();
    const line = lines.find((l) => l.reqId === 'trace-404')!;
    expect(line).toMatchObject({ status: 404, path: '/nowhere' });
    expect(line.route).toBeUndefined();
  });

  test('health checks are not logged at info', async () => {
    const { app, lines } = appWithLog();
    await request(app).get('/healthz').set('X-Request-Id', 'probe-1');
    await request(app).get('/readyz').set('X-Request-Id', 'probe-2');
    await settle();
    expect(lines.filter((l) => String(l.reqId).startsWith('probe-'))).toEqual([]);
  });

  test('slow queries are logged with their SQL, not their values', async () => {
    const { app, lines } = appWithLog({ SLOW_QUERY_MS: '0' });
    await request(app).get('/users/1').set('X-Request-Id', 'slow-1');
    await settle();
    const slow = lines.filter((l) => l.reqId === 'slow-1' && l.level === 40);
    expect(slow.length).toBeGreaterThan(0);
    expect(slow[0]).toMatchObject({ sql: expect.stringContaining('from "users" where "id" = $1'), params: 1, msg: expect.stringMatching(/^slow query \([\d.]+ms\)$/) });
    expect(JSON.stringify(slow[0])).not.toMatch(/"1"|\[1/);
  });
});

describe('health', () => {
  test('/healthz and /readyz answer 200 while the database is up and migrated', async () => {
    const live = await request(t.app).get('/healthz');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok', pid: process.pid });
    expect(live.headers['cache-control']).toBe('no-store');
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
  });

  test('a query string (load balancers add one) does not hide the probes', async () => {
    const live = await request(t.app).get('/healthz?x=1');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok', pid: process.pid });
    const ready = await request(t.app).get('/readyz?probe=1');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
    expect((await request(t.app).get('/healthzz')).status).toBe(404);
  });

  test('/readyz is 503 while a migration is pending', async () => {
    const last = await t.knex('knex_migrations').orderBy('id', 'desc').first();
    await t.knex('knex_migrations').where({ id: last.id }).delete();
    const res = await request(t.app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.detail).toMatch(/migration\(s\) pending/);
    await t.knex('knex_migrations').insert({ name: last.name, batch: last.batch, migration_time: new Date() });
  });
});

describe('the request log file', () => {
  test('a process that exits right after answering still writes that request\'s line', async () => {
    const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-log-')), 'requests.log');
    const child = startScript('test/support/exit-after-request.ts', [testDatabaseUrl().url, logFile]);
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    const lines = fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ method: 'GET', path: '/last', status: 200, action: 'ExitController#last' })]);
  }, 30000);

  test('is written within the turn after the answers, so no line waits in memory for the thread pool', async () => {
    const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-log-')), 'requests.log');
    const app = buildApplication(readSettings({ NODE_ENV: 'test' }), t.db, createLogger({ level: 'info', destination: logFile }));
    const server = http.createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    try {
      for (let round = 0; round < 3; round++) {
        const ids = Array.from({ length: 10 }, (_, i) => `file-${round}-${i}`);
        await Promise.all(
          ids.map((id) => new Promise((resolve, reject) => http.get({ host: '127.0.0.1', port, path: '/index/', headers: { 'X-Request-Id': id } }, (res) => res.resume().on('end', resolve)).on('error', reject))),
        );
        // One turn for the batched write of the last answers; nothing may still be queued.
        await new Promise((resolve) => setImmediate(resolve));
        const written = fs.readFileSync(logFile, 'utf8');
        for (const id of ids) expect(written).toContain(`"reqId":"${id}"`);
      }
    } finally {
      server.close();
    }
  });
});
