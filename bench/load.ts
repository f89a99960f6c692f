/**
 * The load generators: wrk when it is installed (a C program, so the load costs the two shared
 * cores far less than a Node one), autocannon otherwise. Each run answers the same `Sample`.
 */
import { execFile, spawnSync } from 'node:child_process';
import autocannon from 'autocannon';

/** One run against one server: requests per second, latency percentiles in ms, failed requests. */
export interface Sample {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** The server's CPU time (user and system) per answer, in µs, when the bench could read it. */
  cpuMicros?: number;
}

export interface LoadGenerator {
  /** What measured, for the table's heading: `wrk 4.1.0 (1 thread)` or `autocannon 8.0.0`. */
  readonly description: string;
  run(url: string, seconds: number): Promise<Sample>;
}

export interface LoadOptions {
  connections: number;
  /** wrk's threads; its one thread keeps up with these servers and leaves the most CPU to them. */
  threads: number;
  /** `wrk`, `autocannon`, or `auto`: wrk when installed, autocannon otherwise. */
  prefer: string;
  /** Whether a missing wrk may be installed with apt-get first. */
  install: boolean;
}

function wrkVersion(): string | undefined {
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (probe.error) return undefined;
  return `${probe.stdout}${probe.stderr}`.match(/^wrk (\S+)/)?.[1]?.replace(/^debian\//, '') ?? 'unknown version';
}

/** Installs Debian's wrk when running as root with apt-get; says why not otherwise. */
function installWrk(): void {
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version']).error) {
    console.log('wrk is not installed, and installing it needs root and apt-get');
    return;
  }
  console.log('wrk is not installed: apt-get install -y wrk');
  const install = () => spawnSync('apt-get', ['install', '-y', '-q', 'wrk'], { stdio: 'inherit', timeout: 180_000 }).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', timeout: 180_000 });
    install();
  }
}

const timeUnits: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** wrk's "12.34ms" (or us, s, m) in milliseconds. */
function milliseconds(text: string): number {
  const match = text.match(/^([\d.]+)(us|ms|s|m|h)$/);
  if (!match) throw new Error(`wrk: unreadable latency ${text}`);
  return Number(match[1]) * timeUnits[match[2]!]!;
}

/** Reads wrk's report (run with --latency): Requests/sec, the 50 % and 99 % lines, its error counts. */
export function parseWrkReport(report: string): Sample {
  const percentile = (p: number) => {
    const match = report.match(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm'));
    if (!match) throw new Error(`wrk: no ${p}% latency in\n${report}`);
    return milliseconds(match[1]!);
  };
  const rps = report.match(/^Requests\/sec:\s+([\d.]+)/m);
  if (!rps) throw new Error(`wrk: no Requests/sec in\n${report}`);
  const socketErrors = report.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const non2xx = Number(report.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((n, count) => n + Number(count), 0) : 0);
  return { rps: Number(rps[1]), p50: percentile(50), p99: percentile(99), errors };
}

function wrk(version: string, options: LoadOptions): LoadGenerator {
  const threads = Math.min(options.threads, options.connections);
  return {
    description: `wrk ${version} (${threads} thread${threads === 1 ? '' : 's'})`,
    run: (url, seconds) =>
      new Promise((resolve, reject) => {
        const args = ['-t', String(threads), '-c', String(options.connections), '-d', `${Math.max(1, Math.round(seconds))}s`, '--timeout', '5s', '--latency', url];
        execFile('wrk', args, { encoding: 'utf8' }, (error, stdout, stderr) => {
          if (error) return reject(new Error(`wrk ${args.join(' ')}: ${stderr || error.message}`));
          try {
            resolve(parseWrkReport(stdout));
          } catch (parseError) {
            reject(parseError);
          }
        });
      }),
  };
}

function autocannonGenerator(options: LoadOptions): LoadGenerator {
  const version = (require('autocannon/package.json') as { version: string }).version;
  return {
    description: `autocannon ${version} (in Node, on the same cores as the servers)`,
    async run(url, seconds) {
      const result = await autocannon({ url, connections: options.connections, duration: seconds, pipelining: 1 });
      return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx + result.timeouts };
    },
  };
}

/** The load generator to use: wrk when it is (or can be) installed, unless autocannon is asked for. */
export function chooseLoadGenerator(options: LoadOptions): LoadGenerator {
  if (options.prefer === 'autocannon') return autocannonGenerator(options);
  let version = wrkVersion();
  if (!version && options.install) {
    installWrk();
    version = wrkVersion();
  }
  if (version) return wrk(version, options);
  if (options.prefer === 'wrk') throw new Error('--load wrk: wrk is not installed and could not be');
  console.log('wrk is missing: autocannon measures instead, in Node on the same cores as the servers');
  return autocannonGenerator(options);
}
