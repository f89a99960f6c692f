import type { Knex } from 'knex';

/** TechEmpower's fortunes: the 12 standard messages (the benchmark adds a 13th at request time). */
export const fortunes = [
  'fortune: No such file or directory',
  "A computer scientist is someone who fixes things that aren't broken.",
  'After enough decimal places, nobody gives a damn.',
  'A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1',
  'A computer program does what you tell it to do, not what you want it to do.',
  'Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen',
  'Any program that runs right is obsolete.',
  'A list is only as strong as its weakest link. — Donald Knuth',
  'Feature: A bug with seniority.',
  'Computers make very fast, very accurate mistakes.',
  '<script>alert("This should not be displayed in a browser alert box.");</script>',
  'フレームワークのベンチマーク',
];

/** Creates the `world` (10,000 rows of id and randomNumber) and `fortune` tables when they are missing. */
export async function createBenchmarkTables(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable('world'))) {
    await knex.schema.createTable('world', (table) => {
      table.integer('id').primary();
      table.integer('randomNumber').notNullable().defaultTo(0);
    });
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: i + 1, randomNumber: 1 + Math.floor(Math.random() * 10_000) }));
    for (let i = 0; i < rows.length; i += 1000) await knex('world').insert(rows.slice(i, i + 1000));
  }
  if (!(await knex.schema.hasTable('fortune'))) {
    await knex.schema.createTable('fortune', (table) => {
      table.integer('id').primary();
      table.string('message', 2048).notNullable();
    });
    await knex('fortune').insert(fortunes.map((message, i) => ({ id: i + 1, message })));
  }
}

/** 1 to 500, as TechEmpower asks: anything not a number counts as 1. */
export function queryCount(raw: unknown): number {
  const n = Number.parseInt(typeof raw === 'string' ? raw : '', 10);
  return Number.isNaN(n) ? 1 : Math.min(Math.max(n, 1), 500);
}

/** A random id of the world table. */
export function randomWorldId(): number {
  return 1 + Math.floor(Math.random() * 10_000);
}

/**
 * The statements of the hand-written servers (strict Express, Fastify), as named prepared
 * statements: PostgreSQL parses and plans each once per connection, as TechEmpower's entries do.
 */
export const statements = {
  worldById: { name: 'world_by_id', text: 'SELECT id, "randomNumber" FROM world WHERE id = $1' },
  allFortunes: { name: 'all_fortunes', text: 'SELECT id, message FROM fortune' },
};

const worldUpdates = new Map<number, { name: string; text: string }>();

/**
 * The writes of `/updates` as one named prepared statement (one per number of rows, as
 * TechEmpower's batching entries keep them): `UPDATE world SET "randomNumber" = CASE id WHEN $1
 * THEN $2 … ELSE "randomNumber" END WHERE id IN ($1, …)`. An id read twice is written once, with its
 * last value, as updating row by row in order would leave it.
 */
export function updateWorlds(worlds: ReadonlyArray<{ id: number; randomNumber: number }>): { name: string; text: string; values: number[] } {
  const last = new Map<number, number>();
  for (const world of worlds) last.set(world.id, world.randomNumber);
  const rows = last.size;
  let statement = worldUpdates.get(rows);
  if (!statement) {
    let cases = '';
    const ids: string[] = [];
    for (let i = 0; i < rows; i++) {
      cases += ` WHEN $${2 * i + 1} THEN $${2 * i + 2}`;
      ids.push(`$${2 * i + 1}`);
    }
    statement = { name: `update_worlds_${rows}`, text: `UPDATE world SET "randomNumber" = CASE id${cases} ELSE "randomNumber" END WHERE id IN (${ids.join(', ')})` };
    worldUpdates.set(rows, statement);
  }
  const values: number[] = [];
  for (const [id, randomNumber] of last) values.push(id, randomNumber);
  return { ...statement, values };
}

/** The fortune every Fortunes response adds at request time. */
export const additionalFortune = 'Additional fortune added at request time.';

/** Sorts fortunes by message, as TechEmpower asks (by code point, not by locale). */
export function byMessage(a: { message: string }, b: { message: string }): number {
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}
