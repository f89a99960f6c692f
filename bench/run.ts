/**
 * npm run bench [-- --quick] [--rounds N] [--duration S] [--connections C] [--only json,db]
 *
 * Fills the TechEmpower tables in the PostgreSQL at DATABASE_URL, starts the Trestle benchmark app
 * and the bare-Express baseline (and any peer under bench/peers/<name>/server.js), warms them up,
 * then runs autocannon against them alternately, round after round, and prints per endpoint the
 * requests/s, p50 and p99 latency (median of the rounds, with min–max), the ratio to the baseline,
 * and each server's peak RSS.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import knex from 'knex';
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
const duration = Number(option('duration', quick ? '2' : '8'));
const warmup = quick ? 1 : 3;
const connections = Number(option('connections', '32'));
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

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function start(name: string, script: string, env: Record<string, string>): Promise<Server> {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, script], { cwd: root, env: { ...process.env, ...env, NODE_ENV: 'production', PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
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

function peakRss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmHWM:\s+(\d+) kB/)![1]) / 1024;
}

async function load(port: number, urlPath: string, seconds: number): Promise<Sample> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}${urlPath}`, connections, duration: seconds, pipelining: 1 });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx + result.timeouts };
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('Set DATABASE_URL to a PostgreSQL database, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench');
  const db = knex({ client: 'pg', connection: url });
  await createBenchmarkTables(db);
  await db.destroy();

  // Both servers run compiled, as production does (no on-the-fly TypeScript loader in the way).
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.bench.json'], { cwd: root, stdio: 'inherit' });
  const logFile = path.join(os.tmpdir(), `trestle-bench-${process.pid}.log`);
  const env = { DATABASE_URL: url, POOL_SIZE: '16', LOG_FILE: logFile };
  const servers: Server[] = [await start('trestle', 'tmp/bench-dist/bench/trestle/server.js', env), await start('express', 'tmp/bench-dist/bench/express/server.js', env)];
  const peersDir = path.join(__dirname, 'peers');
  if (flag('peers') && fs.existsSync(peersDir)) {
    for (const peer of fs.readdirSync(peersDir)) {
      const script = path.join(peersDir, peer, 'server.js');
      if (fs.existsSync(script)) servers.push(await start(peer, script, env));
    }
  }

  console.log(`${os.cpus().length} cores · ${connections} connections · ${rounds} rounds × ${duration}s per endpoint and server, alternating · PostgreSQL ${new URL(url).host}`);
  const samples = new Map<string, Sample[]>();
  for (const [name, urlPath] of endpoints) {
    for (const server of servers) await load(server.port, urlPath, warmup);
    for (let round = 0; round < rounds; round++) {
      // Alternate who goes first, so a drift in the machine's state does not favour one side.
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order) {
        const sample = await load(server.port, urlPath, duration);
        const key = `${server.name}:${name}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
      }
    }
    process.stdout.write(`  ${name} done\n`);
  }

  const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
  const lines = ['| endpoint | server | req/s median (min–max) | p50 ms | p99 ms | ratio to express (min–median–max) | p99 ratio | errors |', '|---|---|---|---|---|---|---|---|'];
  const verdicts: string[] = [];
  for (const [name] of endpoints) {
    const base = samples.get(`express:${name}`)!;
    for (const server of servers) {
      const mine = samples.get(`${server.name}:${name}`)!;
      const rps = mine.map((s) => s.rps);
      const ratios = mine.map((s, i) => s.rps / base[i]!.rps);
      const p99Ratio = median(mine.map((s) => s.p99)) / Math.max(median(base.map((s) => s.p99)), 0.001);
      const ratioText = server.name === 'express' ? '1' : `${Math.min(...ratios).toFixed(3)}–**${median(ratios).toFixed(3)}**–${Math.max(...ratios).toFixed(3)}`;
      lines.push(
        `| ${name} | ${server.name} | ${fmt(median(rps))} (${fmt(Math.min(...rps))}–${fmt(Math.max(...rps))}) | ${median(mine.map((s) => s.p50)).toFixed(1)} | ${median(mine.map((s) => s.p99)).toFixed(1)} | ${ratioText} | ${server.name === 'express' ? '1' : p99Ratio.toFixed(2)} | ${mine.reduce((n, s) => n + s.errors, 0)} |`,
      );
      if (server.name === 'trestle') verdicts.push(`${name}: ratio ${median(ratios).toFixed(3)} ${median(ratios) >= 0.95 ? '≥' : '<'} 0.95, p99 ×${p99Ratio.toFixed(2)}`);
    }
  }
  console.log(`\n${lines.join('\n')}\n`);
  const rss = servers.map((s) => ({ name: s.name, mb: peakRss(s.process.pid!) }));
  const baseRss = rss.find((r) => r.name === 'express')!.mb;
  console.log(`peak RSS: ${rss.map((r) => `${r.name} ${r.mb.toFixed(1)} MB${r.name === 'express' ? '' : ` (×${(r.mb / baseRss).toFixed(2)})`}`).join(' · ')}`);
  console.log(verdicts.join('\n'));
  for (const server of servers) server.process.kill('SIGTERM');
  fs.rmSync(logFile, { force: true });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
