/**
 * npm run bench [-- --quick] [--rounds N] [--duration S] [--connections C] [--only json,db]
 *                [--load wrk|autocannon] [--no-install] [--threads T] [--peers] [--out FILE]
 *
 * Fills the TechEmpower tables in the PostgreSQL at DATABASE_URL, starts the Trestle benchmark app,
 * the strict bare-Express baseline and Fastify (and, with --peers, every other server under
 * bench/peers/<name>/), and loads them with wrk (autocannon when wrk is missing and cannot be
 * installed) in interleaved rounds: each round runs every server on the endpoint before the next.
 * Prints per endpoint req/s, p50/p99, each server's CPU per request, the ratios to strict Express
 * and to Fastify, each server's peak RSS, and whether Trestle meets its targets (never failing the
 * run).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { chooseLoadGenerator, type Sample } from './load';
import { resultsTable, targetsTable, type Measurements } from './report';
import { createBenchmarkTables } from './schema';

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const quick = flag('quick');
const rounds = Number(option('rounds', quick ? '3' : '5'));
const duration = Number(option('duration', quick ? '1' : '8'));
// A quick run's queries and updates answer a few hundred requests a second: 1 s is too few to rank them.
const durationOf = (endpoint: string) => (quick && !args.includes('--duration') && (endpoint === 'queries' || endpoint === 'updates') ? 2 : duration);
const warmup = quick ? 1 : 3;
const connections = Number(option('connections', '64'));
const endpoints: Array<[string, string]> = [
  ['json', '/json'],
  ['plaintext', '/plaintext'],
  ['db', '/db'],
  ['queries', '/queries?queries=20'],
  ['fortunes', '/fortunes'],
  ['updates', '/updates?queries=20'],
].filter(([name]) => option('only', '') === '' || option('only', '').split(',').includes(name)) as Array<[string, string]>;

interface Server {
  name: string;
  process: ChildProcess;
  port: number;
}

function start(name: string, script: string, env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, [script], { cwd: root, env: { ...process.env, ...env, NODE_ENV: 'production', PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/listening (\d+)/);
      if (match) resolve({ name, process: child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

/** Starts a new peak for `pid` (Linux: writing 5 to clear_refs resets VmHWM to the current RSS). */
function resetPeakRss(pid: number): void {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not allowed here: the peak then runs from the process's start, which only overstates it.
  }
}

/** Clock ticks a second, the unit of a process's CPU time in /proc (100 almost everywhere). */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds `pid` has used, user and system (Linux); undefined where /proc cannot tell. */
function cpuSeconds(pid: number): number | undefined {
  try {
    // The fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

function peakRss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmHWM:\s+(\d+) kB/)![1]) / 1024;
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('Set DATABASE_URL to a PostgreSQL database, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench');
  const load = chooseLoadGenerator({ connections, threads: Number(option('threads', '1')), prefer: option('load', 'auto'), install: !flag('no-install') });
  const db = knex({ client: 'pg', connection: url });
  await createBenchmarkTables(db);
  const postgresVersion = (await db.raw('SHOW server_version')).rows[0].server_version.split(' ')[0];
  await db.destroy();

  // Every server runs compiled, as production does (no on-the-fly TypeScript loader in the way).
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.bench.json'], { cwd: root, stdio: 'inherit' });
  const compiled = (script: string) => path.join(root, 'tmp', 'bench-dist', 'bench', script);
  const logFile = path.join(os.tmpdir(), `trestle-bench-${process.pid}.log`);
  // The same pool size for every server.
  const env = { DATABASE_URL: url, POOL_SIZE: '16', LOG_FILE: logFile };
  const servers: Server[] = [
    await start('trestle', compiled('trestle/server.js'), env),
    await start('express', compiled('express/server.js'), env),
    await start('fastify', compiled('peers/fastify/server.js'), env),
  ];
  const peersDir = path.join(__dirname, 'peers');
  if (flag('peers')) {
    for (const peer of fs.readdirSync(peersDir).filter((name) => name !== 'fastify')) {
      const script = path.join(peersDir, peer, 'server.js');
      if (fs.existsSync(script)) servers.push(await start(peer, script, env));
    }
  }

  const heading = `${load.description} · ${connections} connections · ${os.cpus().length} cores · ${rounds} round${rounds === 1 ? '' : 's'} × ${duration} s${quick && !args.includes('--duration') ? ' (2 s on queries and updates)' : ''} per endpoint and server, interleaved (warm-up ${warmup} s) · Node ${process.version} · PostgreSQL ${postgresVersion} at ${new URL(url).host} · pool 16 · ${new Date().toISOString().slice(0, 10)}`;
  console.log(heading);
  const measurements: Measurements = { endpoints: endpoints.map(([name]) => name), servers: servers.map((s) => s.name), samples: new Map(), peakRss: new Map() };
  for (const [name, urlPath] of endpoints) {
    for (const server of servers) resetPeakRss(server.process.pid!);
    for (const server of servers) await load.run(`http://127.0.0.1:${server.port}${urlPath}`, warmup);
    for (let round = 0; round < rounds; round++) {
      // Each round starts with the next server, so a drift in the machine's state favours none.
      const order = servers.map((_, i) => servers[(i + round) % servers.length]!);
      for (const server of order) {
        const seconds = durationOf(name);
        const cpuBefore = cpuSeconds(server.process.pid!);
        const measured = await load.run(`http://127.0.0.1:${server.port}${urlPath}`, seconds);
        const cpuAfter = cpuSeconds(server.process.pid!);
        // The server's own CPU per answer: steadier than req/s when the machine's load comes and goes.
        const answered = measured.rps * seconds;
        const sample: Sample = cpuBefore === undefined || cpuAfter === undefined || answered === 0 ? measured : { ...measured, cpuMicros: ((cpuAfter - cpuBefore) * 1e6) / answered };
        const key = `${server.name}:${name}`;
        measurements.samples.set(key, [...(measurements.samples.get(key) ?? []), sample] as Sample[]);
      }
    }
    for (const server of servers) measurements.peakRss.set(`${server.name}:${name}`, peakRss(server.process.pid!));
    process.stdout.write(`  ${name} done\n`);
  }

  const report = `${heading}\n\n${resultsTable(measurements)}\n\nTargets for Trestle (median of the per-round ratios; p99 and peak RSS against Fastify's on the same endpoint):\n\n${targetsTable(measurements)}\n`;
  console.log(`\n${report}`);
  if (option('out', '')) fs.writeFileSync(option('out', ''), report);
  for (const server of servers) server.process.kill('SIGTERM');
  fs.rmSync(logFile, { force: true });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
