import type { Sample } from '../../bench/load';
import { resultsTable, targetsTable, type Measurements } from '../../bench/report';

// The bench's report, from samples as the load generators return them: the table a run prints.
const sample = (rps: number, cpuMicros?: number): Sample => ({ rps, p50: 2, p99: 5, errors: 0, ...(cpuMicros === undefined ? {} : { cpuMicros }) });

function measurements(trestleCpu: Array<number | undefined>): Measurements {
  return {
    endpoints: ['db'],
    servers: ['trestle', 'express', 'fastify'],
    samples: new Map([
      ['trestle:db', [sample(9000, trestleCpu[0]), sample(8000, trestleCpu[1]), sample(10000, trestleCpu[2])]],
      ['express:db', [sample(4500, 250), sample(4000, 260), sample(5000, 240)]],
      ['fastify:db', [sample(9000, 100), sample(10000, 110), sample(8000, 90)]],
    ]),
    peakRss: new Map([
      ['trestle:db', 100],
      ['express:db', 130],
      ['fastify:db', 104],
    ]),
  };
}

const rowOf = (table: string, server: string) => table.split('\n').find((line) => line.startsWith(`| db | ${server} |`))!.split(' | ');

test("each server's CPU per answer: median of the rounds, then min–max", () => {
  const table = resultsTable(measurements([80, 95.4, 70]));
  expect(table.split('\n')[0]).toContain('| CPU µs/req median (min–max) |');
  expect(rowOf(table, 'trestle')[5]).toBe('80 (70–95)');
  expect(rowOf(table, 'express')[5]).toBe('250 (240–260)');
  // Ratios are per round, the two servers back to back: 9000/9000, 8000/10000, 10000/8000.
  expect(rowOf(table, 'trestle')[7]).toBe('0.80–**1.00**–1.25');
});

test('a CPU time the bench could not read is a dash, and the rounds that have one still count', () => {
  expect(rowOf(resultsTable(measurements([undefined, undefined, undefined])), 'trestle')[5]).toBe('–');
  expect(rowOf(resultsTable(measurements([undefined, 120, undefined])), 'trestle')[5]).toBe('120 (120–120)');
});

test('the targets are judged on throughput, latency and memory, not on CPU', () => {
  const targets = targetsTable(measurements([80, 95, 70]));
  expect(targets).toContain('| db | 2.00 met | 1.00 met (target 1.0) | 1.00 met | 0.96 met |');
  expect(targets).toContain('Trestle meets 4 of 4 targets.');
});
