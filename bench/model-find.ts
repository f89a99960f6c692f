/**
 * Model overhead: `User.find(id)` against the bare knex query it wraps, on the same connection.
 * Alternates the two in rounds and prints the median time per call of each.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:model
 *   npm run bench:model            # embedded PostgreSQL in memory
 */
import { Model, openDatabase, prepareDatabase } from '../framework';
import { migrationPaths } from '../config/database';
import { User } from '../app/models/User';

const rounds = Number(process.env.ROUNDS ?? 15);
const callsPerRound = Number(process.env.CALLS ?? 2000);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timeCalls(call: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < callsPerRound; i++) await call();
  return Number(process.hrtime.bigint() - start) / 1000 / callsPerRound;
}

async function main(): Promise<void> {
  const db = await openDatabase({ url: process.env.DATABASE_URL, poolMax: 1 });
  try {
    await prepareDatabase(db.knex, migrationPaths);
    Model.useDatabase(db.knex);
    const id = (await User.first())!.id;
    const bare = () => db.knex('users').where('id', id).first();
    const model = () => User.find(id);
    for (let i = 0; i < 500; i++) await Promise.all([bare(), model()]); // warm up
    const bareTimes: number[] = [];
    const modelTimes: number[] = [];
    for (let round = 0; round < rounds; round++) {
      bareTimes.push(await timeCalls(bare));
      modelTimes.push(await timeCalls(model));
    }
    const b = median(bareTimes);
    const m = median(modelTimes);
    console.log(`database: ${db.description}; ${rounds} rounds x ${callsPerRound} calls, alternating`);
    console.log('| query | median µs/call | min | max |');
    console.log('|---|---|---|---|');
    console.log(`| knex('users').where('id', id).first() | ${b.toFixed(1)} | ${Math.min(...bareTimes).toFixed(1)} | ${Math.max(...bareTimes).toFixed(1)} |`);
    console.log(`| User.find(id) | ${m.toFixed(1)} | ${Math.min(...modelTimes).toFixed(1)} | ${Math.max(...modelTimes).toFixed(1)} |`);
    console.log(`model overhead: ${(m - b).toFixed(1)} µs/call (${(((m - b) / b) * 100).toFixed(1)}%)`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
