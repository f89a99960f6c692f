import net from 'node:net';
import http from 'node:http';
import path from 'node:path';
import v8 from 'node:v8';
import pino from 'pino';
import { Controller, createApp, defineRoutes, RouteTable, serve, type Database, type RunningServer } from '../../framework';
import appRoutes from '../../config/routes';
import { openTestDatabase } from '../support/app';
import { httpGet } from '../support/processes';

// Every /slow request waits here until the test calls release().
const waiting: Array<() => void> = [];
const released = () => new Promise<void>((resolve) => waiting.push(resolve));
const release = () => {
  for (const resume of waiting.splice(0)) resume();
};

class SlowController extends Controller {
  async slow() {
    await released();
    this.json({ finished: true });
  }
}

class EchoController extends Controller {
  async echo() {
    this.json({ received: this.body });
  }
}

const probes = defineRoutes((r) => {
  r.get('/slow', SlowController, 'slow');
  r.post('/echo', EchoController, 'echo');
});
const routes = new RouteTable([...probes.routes, ...appRoutes.routes]);
const logger = pino({ level: 'silent' });
let db: Database;

beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

function app() {
  return createApp({ routes, viewsDir: path.join(__dirname, '..', '..', 'views'), db, config: { env: 'production' }, logger });
}

// V8's own answer to whether an object keeps fast (shaped) properties; the flag only enables the syntax.
v8.setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('object', 'return %HasFastProperties(object)') as (object: object) => boolean;

const get = (port: number, urlPath: string, agent?: http.Agent) => httpGet(port, urlPath, agent);

describe('serving an app', () => {
  test('requests and responses are born with the app\'s prototypes, and parse and answer as usual', async () => {
    const application = app();
    const running = await serve(application, { port: 0, host: '127.0.0.1', logger });
    // Runs before the app's own listener, so it sees the objects as Node's server made them.
    const born: boolean[] = [];
    // Each class extends Node's own (so V8 sizes its instances as Node's) and inherits the app's
    // `request` or `response`: a class of its own, not the app's object as a function's prototype.
    running.server.prependListener('request', (req, res) => {
      const prototype = Object.getPrototypeOf(res);
      const bornOf = (object: object, own: object, Base: abstract new (...args: never[]) => object) =>
        object instanceof Base && Object.getPrototypeOf(object) !== own && Object.getPrototypeOf(Object.getPrototypeOf(object)) === own;
      born.push(bornOf(req, application.request, http.IncomingMessage) && bornOf(res, application.response, http.ServerResponse));
      // The app keeps the prototype it was born with: Express's swap is skipped.
      // ...and, answered, is still an object with fast properties (a dictionary-mode response makes every access a hash lookup).
      res.once('finish', () => born.push(Object.getPrototypeOf(res) === prototype && hasFastProperties(res) && hasFastProperties(req)));
    });
    const agent = new http.Agent({ keepAlive: true });
    try {
      const page = await get(running.port, '/index/', agent);
      expect(page.status).toBe(200);
      expect(page.headers['content-security-policy']).toContain("default-src 'self'");
      const echoed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const sent = http.request({ host: '127.0.0.1', port: running.port, path: '/echo', method: 'POST', agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        sent.on('error', reject).end(JSON.stringify({ greeting: 'hello' }));
      });
      expect(echoed).toEqual({ status: 200, body: JSON.stringify({ received: { greeting: 'hello' } }) });
      expect((await get(running.port, '/nowhere', agent)).status).toBe(404);
      expect(born).toEqual([true, true, true, true, true, true]);
    } finally {
      agent.destroy();
      await running.shutdown('test');
    }
  });
});

describe('graceful shutdown', () => {
  test('a request in flight completes, new connections are refused, and the database closes last', async () => {
    let closed = false;
    const running: RunningServer = await serve(app(), { port: 0, host: '127.0.0.1', logger, onClose: async () => void (closed = true) });
    const inFlight = get(running.port, '/slow');
    await new Promise((r) => setTimeout(r, 100));
    const stopped = running.shutdown('test');
    await new Promise((r) => setTimeout(r, 50));
    await expect(get(running.port, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(closed).toBe(false);
    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ finished: true });
    expect(response.headers.connection).toBe('close');
    await stopped;
    expect(closed).toBe(true);
  });

  test('every connection with a request in flight closes after its response; an idle one closes at once', async () => {
    const running = await serve(app(), { port: 0, host: '127.0.0.1', logger });
    const idleAgent = new http.Agent({ keepAlive: true });
    const agent = new http.Agent({ keepAlive: true });
    try {
      const idle = await get(running.port, '/healthz', idleAgent);
      expect(idle.headers.connection).toBe('keep-alive');
      const first = get(running.port, '/slow', agent);
      const second = get(running.port, '/slow', agent);
      while (waiting.length < 2) await new Promise((r) => setTimeout(r, 10));
      const stopped = running.shutdown('test');
      release();
      const answers = await Promise.all([first, second]);
      expect(answers.map((a) => [a.status, a.headers.connection])).toEqual([
        [200, 'close'],
        [200, 'close'],
      ]);
      // Resolves only once every connection has closed, the idle one included.
      await stopped;
    } finally {
      agent.destroy();
      idleAgent.destroy();
    }
  });

  test('a connection opened before the shutdown whose first request comes during it is answered, with Connection: close', async () => {
    const running = await serve(app(), { port: 0, host: '127.0.0.1', logger });
    const socket = net.connect(running.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    const stopped = running.shutdown('test');
    // Within the grace a new connection gets for its first request.
    await new Promise((r) => setTimeout(r, 50));
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).toMatch(/\r\nConnection: close\r\n/i);
    await stopped;
  });

  test('idle keep-alive connections do not hold the shutdown open', async () => {
    const running = await serve(app(), { port: 0, host: '127.0.0.1', logger });
    const agent = new http.Agent({ keepAlive: true });
    expect((await get(running.port, '/healthz', agent)).status).toBe(200);
    const started = Date.now();
    await running.shutdown();
    expect(Date.now() - started).toBeLessThan(1000);
    agent.destroy();
  });

  test('a request still running at the deadline is cut off, and the shutdown still ends', async () => {
    const running = await serve(app(), { port: 0, host: '127.0.0.1', logger, shutdownTimeout: 300 });
    const inFlight = get(running.port, '/slow').catch((error: NodeJS.ErrnoException) => error.code);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await running.shutdown();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await inFlight).toBe('ECONNRESET');
    release();
  });
});

describe('server limits', () => {
  test('a client that never finishes its headers is cut off with 408', async () => {
    const running = await serve(app(), { port: 0, host: '127.0.0.1', logger, headersTimeout: 1000, requestTimeout: 2000 });
    const socket = net.connect(running.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const started = Date.now();
    await new Promise((resolve) => socket.on('close', resolve));
    expect(Date.now() - started).toBeLessThan(4000);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    await running.shutdown();
  });

  test('headers over 16 KiB are a 431 and a URL over 8 KiB a 414', async () => {
    const running = await serve(app(), { port: 0, host: '127.0.0.1', logger });
    const big = await new Promise<number>((resolve, reject) =>
      http.get({ host: '127.0.0.1', port: running.port, path: '/healthz', headers: { 'x-big': 'a'.repeat(20 * 1024) } }, (res) => resolve(res.statusCode!)).on('error', reject),
    );
    expect(big).toBe(431);
    const long = await get(running.port, `/index/?q=${'a'.repeat(9000)}`);
    expect(long.status).toBe(414);
    await running.shutdown();
  });
});
