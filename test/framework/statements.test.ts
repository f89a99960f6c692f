import { Model, type Database } from '../../framework';
import { openTestDatabase } from '../support/app';
import { recordQueries } from '../support/queries';

// find, all and update by id run as prepared statements on the pool; these check what a user of
// the model layer would notice: the same answers as the builder, through schema changes and errors.
interface GadgetRow {
  id: number;
  name: string;
  colour?: string;
}

class Gadget extends Model<GadgetRow> {
  static override table = 'gadgets';
  static override timestamps = false;
}

let db: Database;

beforeAll(async () => {
  db = await openTestDatabase({ seed: false });
  Model.useDatabase(db.knex);
  await db.knex.schema.createTable('gadgets', (table) => {
    table.increments('id');
    table.string('name').notNullable().unique();
  });
  await db.knex('gadgets').insert([{ name: 'lever' }, { name: 'pulley' }]);
});
afterAll(() => db.close());

test('find, all and update answer model instances, each in one statement', async () => {
  const { result, queries } = await recordQueries(db, async () => [await Gadget.find(1), await Gadget.all(), await Gadget.update(2, { name: 'winch' })] as const);
  const [found, all, updated] = result;
  expect(found).toBeInstanceOf(Gadget);
  expect(found).toEqual(expect.objectContaining({ id: 1, name: 'lever' }));
  expect(all.map((g) => g.name)).toEqual(['lever', 'pulley']);
  expect(updated).toBeInstanceOf(Gadget);
  expect(updated.name).toBe('winch');
  expect(queries.map((q) => q.sql)).toEqual([
    'select * from "gadgets" where "id" = $1 limit 1',
    'select * from "gadgets" order by "id" asc',
    'update "gadgets" set "name" = $1 where "id" = $2 returning *',
  ]);
});

test('a column added while statements are prepared shows up, with no error', async () => {
  await Gadget.find(1); // prepared on this connection with the old columns
  await db.knex.schema.alterTable('gadgets', (table) => table.string('colour').defaultTo('grey'));
  expect(await Gadget.find(1)).toEqual(expect.objectContaining({ id: 1, name: 'lever', colour: 'grey' }));
  expect((await Gadget.all()).map((g) => g.colour)).toEqual(['grey', 'grey']);
  expect(await Gadget.update(1, { colour: 'red' })).toEqual(expect.objectContaining({ id: 1, colour: 'red' }));
  expect(await Gadget.find(1)).toEqual(expect.objectContaining({ colour: 'red' }));
});

test('a failing statement leaves the pool usable, and its error is the 422 a user sees', async () => {
  await expect(Gadget.update(1, { name: 'winch' })).rejects.toMatchObject({ status: 422, errors: { name: ['has already been taken'] } });
  expect((await db.knex('gadgets').where({ id: 1 }).first()).name).toBe('lever');
  expect((await Gadget.find(2))?.name).toBe('winch');
});

test('inside a transaction, find and update read and write through it', async () => {
  await expect(
    Gadget.transaction(async () => {
      await Gadget.update(2, { name: 'crane' });
      expect((await Gadget.find(2))?.name).toBe('crane');
      throw new Error('roll back');
    }),
  ).rejects.toThrow('roll back');
  expect((await Gadget.find(2))?.name).toBe('winch');
});
