import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDatabaseUrl } from '../support/database-url';
import { openTestDatabase } from '../support/app';
import { exited, projectRoot, startScript, productionEnv } from '../support/processes';
import { call, freePort } from '../support/loopback';

// Two app processes on one PostgreSQL behind nginx (config/nginx/trestle.conf), all on loopback.
const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));
const postgres = process.env.TEST_DATABASE_URL ? testDatabaseUrl().url : undefined;
if (postgres && !nginx && process.env.REQUIRE_NGINX === '1') throw new Error('nginx is required (REQUIRE_NGINX=1) but not installed: apt-get install nginx-light');
const suite = postgres && nginx ? describe : describe.skip;

suite('two instances behind nginx on one PostgreSQL', () => {
  const instances: ReturnType<typeof startScript>[] = [];
  const ports: number[] = [];
  let proxy: ChildProcess;
  let proxyPort: number;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-nginx-'));

  beforeAll(async () => {
    // A clean database: no sign-in failures left by earlier files from this same address.
    await (await openTestDatabase()).close();
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const instance = startScript('server.ts', [], productionEnv({
        DATABASE_URL: postgres!,
        TRUST_PROXY: '1',
        PORT: String(port),
        WEB_CONCURRENCY: '1',
        LOG_LEVEL: 'warn',
      }));
      instances.push(instance);
      ports.push(port);
    }
    for (const port of ports) {
      for (let i = 0; i < 150; i++) {
        const up = await call(port, 'GET', '/readyz').catch(() => undefined);
        if (up?.status === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    proxyPort = await freePort();
    const site = fs
      .readFileSync(path.join(projectRoot, 'config', 'nginx', 'trestle.conf'), 'utf8')
      .replace('127.0.0.1:3001', `127.0.0.1:${ports[0]}`)
      .replace('127.0.0.1:3002', `127.0.0.1:${ports[1]}`)
      .replace('listen 8080;', `listen 127.0.0.1:${proxyPort};`);
    fs.writeFileSync(path.join(dir, 'trestle.conf'), site);
    fs.writeFileSync(
      path.join(dir, 'nginx.conf'),
      `worker_processes 1;
${process.getuid?.() === 0 ? 'user root;' : ''}
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/trestle.conf;
}
`,
    );
    execFileSync(nginx!, ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'pipe' });
    proxy = spawn(nginx!, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
    for (let i = 0; i < 50; i++) {
      if ((await call(proxyPort, 'GET', '/healthz').catch(() => undefined))?.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 90000);

  afterAll(async () => {
    proxy?.kill('SIGTERM');
    for (const instance of instances) instance.kill('SIGTERM');
    await Promise.all(instances.map((i) => exited(i)));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('nginx spreads requests over both instances', async () => {
    const pids = new Set<number>();
    for (let i = 0; i < 10; i++) pids.add(JSON.parse((await call(proxyPort, 'GET', '/healthz')).body).pid);
    expect(pids.size).toBe(2);
    const page = await call(proxyPort, 'GET', '/index1/');
    expect(page.status).toBe(200);
    expect(page.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/); // nginx's $request_id, passed through
  });

  test('a session made on one instance is honoured by the other', async () => {
    const email = `roaming${Date.now()}@example.com`;
    const signup = await call(ports[0]!, 'POST', '/users', { body: { name: 'Roaming', email, password: 'roaming password' }, https: true });
    expect(signup.status).toBe(201);
    const login = await call(ports[0]!, 'POST', '/login/', { body: { email, password: 'roaming password' }, https: true });
    expect(login.status).toBe(200);
    const cookie = (login.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
    expect(login.headers['set-cookie']![0]).toContain('Secure');
    const id = JSON.parse(login.body).id;
    const onOther = await call(ports[1]!, 'PATCH', `/users/${id}`, { body: { name: 'Roamed' }, cookie, https: true });
    expect(onOther.status).toBe(200);
    expect(JSON.parse(onOther.body).name).toBe('Roamed');
    const signedOut = await call(ports[1]!, 'POST', '/logout', { body: {}, cookie, https: true });
    expect(signedOut.status).toBe(204);
    expect((await call(ports[0]!, 'PATCH', `/users/${id}`, { body: { name: 'x' }, cookie, https: true })).status).toBe(401);
  });

  test('the sign-in limit counted on one instance holds on the other', async () => {
    const email = `target${Date.now()}@example.com`;
    for (let i = 0; i < 5; i++) {
      expect((await call(ports[i % 2]!, 'POST', '/login/', { body: { email, password: `guess ${i}` } })).status).toBe(401);
    }
    const blocked = await call(ports[1]!, 'POST', '/login/', { body: { email, password: 'guess 6' } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    const viaProxy = await call(proxyPort, 'POST', '/login/', { body: { email, password: 'guess 7' } });
    expect(viaProxy.status).toBe(429);
  });
});
