import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';
import { exited, startScript } from '../support/processes';
import { call, cookiesOf, freePort, waitUntilReady, type Reply } from '../support/loopback';

// A real streaming replica on loopback: a primary and a replica cluster of their own (Debian's
// pg_createcluster, pg_basebackup -R), on free ports, made and dropped here; the shared server on
// 5432 is not touched. Run in the PostgreSQL pass (TEST_DATABASE_URL), as the other deploy tests.
const version = fs.existsSync('/usr/lib/postgresql') ? fs.readdirSync('/usr/lib/postgresql').sort().pop() : undefined;
const skipReason = !process.env.TEST_DATABASE_URL
  ? 'runs in the PostgreSQL pass (TEST_DATABASE_URL)'
  : !fs.existsSync('/usr/bin/pg_createcluster') || !version
    ? "needs Debian's PostgreSQL server packages (pg_createcluster, pg_basebackup)"
    : process.getuid?.() !== 0
      ? 'pg_createcluster needs root to make a cluster'
      : undefined;
if (skipReason && process.env.REQUIRE_REPLICA === '1') throw new Error(`the replica test cannot run: ${skipReason}`);
const suite = skipReason ? describe.skip : describe;
if (skipReason) test.skip(`replica test skipped: ${skipReason}`, () => undefined);

const tag = `trestle_${process.pid}`;
const primaryName = `${tag}_primary`;
const replicaName = `${tag}_replica`;
const run = (command: string, args: string[]) => execFileSync(command, args, { stdio: 'pipe', timeout: 60000 }).toString();

async function sql(port: number, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

const servedBy = (reply: Reply) => String(reply.headers['server-timing'] ?? '').match(/db;[^,]*desc="([^"]*)"/)?.[1];

suite('reads on a streaming replica', () => {
  let primaryPort = 0;
  let replicaPort = 0;
  let app: ReturnType<typeof startScript> | undefined;
  let appPort = 0;

  beforeAll(async () => {
    primaryPort = await freePort();
    replicaPort = await freePort();
    run('pg_createcluster', [version!, primaryName, '-p', String(primaryPort), '-o', 'listen_addresses=localhost', '--start', '--', '--auth=trust']);
    run('pg_createcluster', [version!, replicaName, '-p', String(replicaPort), '-o', 'listen_addresses=localhost', '-o', 'hot_standby_feedback=on', '--', '--auth=trust']);
    const replicaData = `/var/lib/postgresql/${version}/${replicaName}`;
    // Emptied, not removed: the folder is the postgres user's, in a parent it cannot write to.
    for (const entry of fs.readdirSync(replicaData)) fs.rmSync(`${replicaData}/${entry}`, { recursive: true, force: true });
    run('runuser', ['-u', 'postgres', '--', `/usr/lib/postgresql/${version}/bin/pg_basebackup`, '-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replicaData, '-R', '-X', 'stream']);
    run('pg_ctlcluster', [version!, replicaName, 'start']);
    appPort = await freePort();
    app = startScript('server.ts', [], {
      NODE_ENV: 'production',
      DATABASE_URL: `postgres://postgres@127.0.0.1:${primaryPort}/postgres`,
      DATABASE_REPLICA_URLS: `postgres://postgres@127.0.0.1:${replicaPort}/postgres`,
      DATABASE_PRIMARY_AFTER_WRITE_MS: '3000',
      SESSION_SECRET: 'replica-secret-'.repeat(4),
      TRUST_PROXY: '1',
      SERVER_TIMING: 'true',
      PORT: String(appPort),
      HOST: '127.0.0.1',
      WEB_CONCURRENCY: '1',
      AUTO_MIGRATE: 'true',
      LOG_LEVEL: 'warn',
    });
    await waitUntilReady(appPort);
  }, 120000);

  afterAll(async () => {
    if (app && app.exitCode === null) {
      app.kill('SIGTERM');
      await exited(app);
    }
    for (const name of [replicaName, primaryName]) {
      try {
        run('pg_dropcluster', ['--stop', version!, name]);
      } catch {
        // not made (the set-up failed before it)
      }
    }
  }, 60000);

  test('a writer reads its write from the primary while the replica lags; others read the replica; a stopped replica moves reads to the primary', async () => {
    const email = `writer${Date.now()}@example.com`;
    expect((await call(appPort, 'POST', '/users', { body: { name: 'Writer', email, password: 'writer password' }, https: true })).status).toBe(201);
    const login = await call(appPort, 'POST', '/login/', { body: { email, password: 'writer password' }, https: true });
    expect(login.status).toBe(200);
    const session = cookiesOf(login).split('; ').filter((c) => !c.startsWith('trestle.primary='));

    // The replica stops replaying: it serves what it has, and nothing newer.
    await sql(replicaPort, 'SELECT pg_wal_replay_pause()');
    const created = await call(appPort, 'POST', '/posts', { body: { title: 'Fresh', body: 'Written on the primary.', published: true }, cookie: session.join('; '), https: true });
    expect(created.status).toBe(201);
    const location = created.headers.location!;
    const writerCookie = [...session, ...cookiesOf(created).split('; ')].join('; ');
    expect(writerCookie).toMatch(/trestle\.primary=\d+/);

    // The writer, redirected to its post, sees it: read from the primary.
    const own = await call(appPort, 'GET', location, { cookie: writerCookie, https: true });
    expect(own.status).toBe(200);
    expect(JSON.parse(own.body).title).toBe('Fresh');
    expect(servedBy(own)).not.toMatch(/replica/);

    // Another client reads the lagging replica: no such post there yet.
    const other = await call(appPort, 'GET', location);
    expect(other.status).toBe(404);
    expect(servedBy(other)).toMatch(/\(replica\)/);

    // Replay resumes; the replica catches up and serves the post (by id, and in the list built by knex).
    await sql(replicaPort, 'SELECT pg_wal_replay_resume()');
    let caughtUp: Reply | undefined;
    for (let i = 0; i < 50 && caughtUp?.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      caughtUp = await call(appPort, 'GET', location);
    }
    expect(caughtUp!.status).toBe(200);
    expect(servedBy(caughtUp!)).toMatch(/\(replica\)/);
    const list = await call(appPort, 'GET', '/posts');
    expect(list.status).toBe(200);
    expect(servedBy(list)).toMatch(/replica/);
    const ready = await call(appPort, 'GET', '/readyz');
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'ready', replicas: [{ state: 'up' }] });

    // The replica stops: reads go to the primary, without an error.
    run('pg_ctlcluster', [version!, replicaName, 'stop', '-m', 'fast']);
    for (let i = 0; i < 3; i++) {
      const fallback = await call(appPort, 'GET', location);
      expect(fallback.status).toBe(200);
      expect(servedBy(fallback)).not.toMatch(/replica/);
    }
    const degraded = await call(appPort, 'GET', '/readyz');
    expect(degraded.status).toBe(200);
    expect(JSON.parse(degraded.body)).toMatchObject({ status: 'ready', replicas: [{ state: 'down' }] });
    expect(app!.output()).not.toMatch(/request failed/);
  }, 60000);
});
