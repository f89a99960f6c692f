import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { testDatabaseUrl } from '../support/database-url';
import { openTestDatabase } from '../support/app';
import { exited, projectRoot, startScript, productionEnv } from '../support/processes';
import { call, cookiesOf, freePort, waitUntilReady } from '../support/loopback';

// Two app processes on one PostgreSQL through PgBouncer in transaction pooling mode
// (config/pgbouncer/pgbouncer.ini), with prepared statements off as PgBouncer 1.18 needs; all on loopback.
const pgbouncer = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => fs.existsSync(p));
const postgres = process.env.TEST_DATABASE_URL ? testDatabaseUrl().url : undefined;
if (postgres && !pgbouncer && process.env.REQUIRE_PGBOUNCER === '1') throw new Error('pgbouncer is required (REQUIRE_PGBOUNCER=1) but not installed: apt-get install pgbouncer');
const skipReason = !postgres ? 'needs TEST_DATABASE_URL (a real PostgreSQL)' : !pgbouncer ? 'pgbouncer is not installed (apt-get install pgbouncer)' : undefined;
const suite = skipReason ? describe.skip : describe;
if (skipReason) test.skip(`PgBouncer deploy test skipped: ${skipReason}`, () => undefined);

/** The sample configuration, pointed at this test's PostgreSQL and port, with trust auth and two server connections. */
function bouncerConfig(dir: string, port: number): string {
  const server = new URL(postgres!);
  const sample = fs.readFileSync(path.join(projectRoot, 'config', 'pgbouncer', 'pgbouncer.ini'), 'utf8');
  fs.writeFileSync(path.join(dir, 'userlist.txt'), `"${server.username || 'postgres'}" ""\n`);
  return sample
    .replace(/^\* = .*$/m, `* = host=${server.hostname} port=${server.port || 5432}`)
    .replace(/^listen_port = .*$/m, `listen_port = ${port}`)
    .replace(/^auth_type = .*$/m, 'auth_type = trust')
    .replace(/^auth_file = .*$/m, `auth_file = ${dir}/userlist.txt`)
    // Two server connections for ten app connections: every transaction may land on another one.
    .replace(/^default_pool_size = .*$/m, 'default_pool_size = 2')
    .replace('[pgbouncer]', `[pgbouncer]\nadmin_users = ${server.username || 'postgres'}\nlogfile = ${dir}/pgbouncer.log`);
}

suite('two instances through PgBouncer in transaction mode', () => {
  const instances: ReturnType<typeof startScript>[] = [];
  const ports: number[] = [];
  let bouncer: ChildProcess | undefined;
  let bouncerPort = 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-pgbouncer-'));
  const viaBouncer = () => {
    const url = new URL(postgres!);
    url.hostname = '127.0.0.1';
    url.port = String(bouncerPort);
    return url.toString();
  };

  beforeAll(async () => {
    await (await openTestDatabase()).close();
    bouncerPort = await freePort();
    fs.writeFileSync(path.join(dir, 'pgbouncer.ini'), bouncerConfig(dir, bouncerPort));
    // PgBouncer refuses to run as root: as root, it drops to the postgres user (-u).
    fs.chmodSync(dir, 0o777);
    const asRoot = process.getuid?.() === 0;
    bouncer = spawn(pgbouncer!, [...(asRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
    for (let i = 0; i < 50; i++) {
      const client = new pg.Client({ connectionString: viaBouncer() });
      const up = await client.connect().then(() => true, () => false);
      await client.end().catch(() => undefined);
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      instances.push(
        startScript('server.ts', [], productionEnv({
          DATABASE_URL: viaBouncer(),
          DATABASE_PREPARED_STATEMENTS: process.env.PGBOUNCER_TEST_PREPARED ?? 'false',
          DATABASE_POOL_MAX: '5',
          TRUST_PROXY: '1',
          PORT: String(port),
          WEB_CONCURRENCY: '1',
          LOG_LEVEL: 'warn',
        })),
      );
      ports.push(port);
    }
    for (const port of ports) await waitUntilReady(port);
  }, 90000);

  afterAll(async () => {
    for (const instance of instances) instance.kill('SIGTERM');
    await Promise.all(instances.map((i) => exited(i)));
    if (bouncer && bouncer.exitCode === null) {
      bouncer.kill('SIGTERM');
      await exited(bouncer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('sign-up, sign-in and writes on one instance are seen by the other, under concurrent reads', async () => {
    const email = `pooled${Date.now()}@example.com`;
    expect((await call(ports[0]!, 'POST', '/users', { body: { name: 'Pooled', email, password: 'pooled password' }, https: true })).status).toBe(201);
    const login = await call(ports[1]!, 'POST', '/login/', { body: { email, password: 'pooled password' }, https: true });
    expect(login.status).toBe(200);
    const cookie = cookiesOf(login);
    const id = JSON.parse(login.body).id;
    const post = await call(ports[0]!, 'POST', '/posts', { body: { title: 'Through the pooler', body: 'Shared server connections.', published: true }, cookie, https: true });
    expect(post.status).toBe(201);
    const postId = JSON.parse(post.body).id;
    // Many reads at once from both instances (the model's prepared-statement path, `find` by id):
    // with named statements, PgBouncer 1.18 hands them to server connections that never prepared them.
    const reads = await Promise.all(
      Array.from({ length: 40 }, (_, i) => call(ports[i % 2]!, 'GET', i % 4 < 2 ? `/posts/${postId}` : `/users/${id}`)),
    );
    expect(reads.map((r) => r.status)).toEqual(reads.map(() => 200));
    expect(JSON.parse(reads[0]!.body).title).toBe('Through the pooler');
    const renamed = await call(ports[1]!, 'PATCH', `/users/${id}`, { body: { name: 'Pooled Again' }, cookie, https: true });
    expect(renamed.status).toBe(200);
    expect(JSON.parse((await call(ports[0]!, 'GET', `/users/${id}`)).body).name).toBe('Pooled Again');
    expect((await call(ports[0]!, 'POST', '/logout', { body: {}, cookie, https: true })).status).toBe(204);
  });

  test('the sign-in limit counted through the pooler holds on both instances', async () => {
    const email = `bounced${Date.now()}@example.com`;
    for (let i = 0; i < 5; i++) {
      const attempt = await call(ports[i % 2]!, 'POST', '/login/', { body: { email, password: `guess ${i}` } });
      if (attempt.status !== 401) console.log(attempt.body, instances.map((i) => i.output()).join('\n'));
      expect(attempt.status).toBe(401);
    }
    const blocked = await call(ports[1]!, 'POST', '/login/', { body: { email, password: 'guess 6' } });
    if (blocked.status !== 429) console.log(instances.map((i) => i.output()).join('\n'));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  test('the statements went through PgBouncer', async () => {
    const admin = new pg.Client({ connectionString: viaBouncer().replace(/\/[^/]*$/, '/pgbouncer') });
    await admin.connect();
    try {
      const database = new URL(postgres!).pathname.slice(1);
      const { rows } = await admin.query('SHOW STATS');
      const ours = rows.find((row: { database: string }) => row.database === database);
      expect(Number(ours?.total_xact_count)).toBeGreaterThan(50);
    } finally {
      await admin.end();
    }
  });
});
