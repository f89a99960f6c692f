/** The bench's table and its targets, as Markdown (so a run pastes into bench/README.md as it is). */
import type { Sample } from './load';

export interface Measurements {
  endpoints: string[];
  servers: string[];
  /** Per `server:endpoint`, one sample per round, in round order. */
  samples: Map<string, Sample[]>;
  /** Per `server:endpoint`, the server's peak RSS in MB while that endpoint was measured. */
  peakRss: Map<string, number>;
}

/** The targets for Trestle, per endpoint: throughput ratios are medians of the per-round ratios. */
const targets = {
  express: 1.0,
  fastify: (endpoint: string) => (endpoint === 'json' || endpoint === 'plaintext' ? 0.8 : 1.0),
  p99: 1.2,
  rss: 1.1,
};

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const count = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
const ms = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(2));

/** Round i of `mine` over round i of `theirs`: the two ran back to back, so they share the machine's state. */
function roundRatios(mine: Sample[], theirs: Sample[]): number[] {
  return mine.map((sample, i) => sample.rps / theirs[i]!.rps);
}

function ratioCell(ratios: number[] | undefined): string {
  if (!ratios) return '–';
  return `${Math.min(...ratios).toFixed(2)}–**${median(ratios).toFixed(2)}**–${Math.max(...ratios).toFixed(2)}`;
}

/** The server's CPU per answer over the rounds (µs), or – where it could not be read. */
function cpuCell(samples: Sample[]): string {
  const cpu = samples.map((s) => s.cpuMicros).filter((value): value is number => value !== undefined);
  if (cpu.length === 0) return '–';
  return `${median(cpu).toFixed(0)} (${Math.min(...cpu).toFixed(0)}–${Math.max(...cpu).toFixed(0)})`;
}

/** Per endpoint and server: req/s, latency, CPU per answer, both ratios, peak RSS, errors. */
export function resultsTable(m: Measurements): string {
  const lines = [
    '| endpoint | server | req/s median (min–max) | p50 ms | p99 ms | CPU µs/req median (min–max) | × strict Express (min–**median**–max) | × Fastify (min–**median**–max) | peak RSS MB | errors |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const endpoint of m.endpoints) {
    const express = m.samples.get(`express:${endpoint}`);
    const fastify = m.samples.get(`fastify:${endpoint}`);
    for (const server of m.servers) {
      const mine = m.samples.get(`${server}:${endpoint}`)!;
      const rps = mine.map((s) => s.rps);
      const toExpress = express && server !== 'express' ? roundRatios(mine, express) : undefined;
      const toFastify = fastify && server !== 'fastify' ? roundRatios(mine, fastify) : undefined;
      const rss = m.peakRss.get(`${server}:${endpoint}`);
      lines.push(
        `| ${endpoint} | ${server} | ${count(median(rps))} (${count(Math.min(...rps))}–${count(Math.max(...rps))}) | ${ms(median(mine.map((s) => s.p50)))} | ${ms(median(mine.map((s) => s.p99)))} | ${cpuCell(mine)} | ${ratioCell(toExpress)} | ${ratioCell(toFastify)} | ${rss === undefined ? '–' : rss.toFixed(0)} | ${mine.reduce((n, s) => n + s.errors, 0)} |`,
      );
    }
  }
  return lines.join('\n');
}

/** Trestle against each target, per endpoint: met or not (a report, never a failure). */
export function targetsTable(m: Measurements): string {
  const verdict = (value: number, limit: number, atLeast: boolean) => {
    const met = atLeast ? value >= limit : value <= limit;
    return { met, text: `${value.toFixed(2)} ${met ? 'met' : '**not met**'}` };
  };
  const lines = [
    '| endpoint | req/s ≥ 1.0× strict Express | req/s ≥ target × Fastify | p99 ≤ 1.2× Fastify\'s | peak RSS ≤ 1.1× Fastify\'s |',
    '|---|---|---|---|---|',
  ];
  let met = 0;
  let total = 0;
  for (const endpoint of m.endpoints) {
    const trestle = m.samples.get(`trestle:${endpoint}`);
    const express = m.samples.get(`express:${endpoint}`);
    const fastify = m.samples.get(`fastify:${endpoint}`);
    if (!trestle || !express || !fastify) continue;
    const fastifyTarget = targets.fastify(endpoint);
    const cells = [
      verdict(median(roundRatios(trestle, express)), targets.express, true),
      verdict(median(roundRatios(trestle, fastify)), fastifyTarget, true),
      verdict(median(trestle.map((s) => s.p99)) / Math.max(median(fastify.map((s) => s.p99)), 0.001), targets.p99, false),
      verdict(m.peakRss.get(`trestle:${endpoint}`)! / m.peakRss.get(`fastify:${endpoint}`)!, targets.rss, false),
    ];
    met += cells.filter((c) => c.met).length;
    total += cells.length;
    cells[1]!.text = `${cells[1]!.text} (target ${fastifyTarget.toFixed(1)})`;
    lines.push(`| ${endpoint} | ${cells.map((c) => c.text).join(' | ')} |`);
  }
  return total === 0 ? 'Targets: not judged (Trestle, strict Express and Fastify must all run).' : `${lines.join('\n')}\n\nTrestle meets ${met} of ${total} targets.`;
}
