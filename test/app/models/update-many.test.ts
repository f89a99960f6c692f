import { Model, ValidationFailed } from '../../../framework';
import { Post } from '../../../app/models/Post';
import { User } from '../../../app/models/User';
import { useTestApp } from '../../support/app';
import { recordQueries } from '../../support/queries';

const t = useTestApp();

/** `count` drafts by alex, straight into the table (no model code involved), oldest first. */
async function drafts(count: number, prefix: string): Promise<number[]> {
  const alex = await t.knex('users').where({ email: 'alex@example.com' }).first();
  const rows = Array.from({ length: count }, (_, i) => ({ user_id: alex.id, title: `${prefix} ${i}`, body: '', published: false }));
  const inserted = (await t.knex('posts').insert(rows).returning('id')) as Array<{ id: number }>;
  return inserted.map((row) => row.id);
}

const titlesOf = async (ids: number[]) => (await t.knex('posts').whereIn('id', ids).orderBy('id').select('title')).map((row: { title: string }) => row.title);

describe('Model.updateMany', () => {
  test('updates many records in one statement, moves updated_at, and says how many it updated', async () => {
    const ids = await drafts(3, 'bulk');
    const before = await t.knex('posts').whereIn('id', ids).orderBy('id');
    await new Promise((r) => setTimeout(r, 5));
    const { result, queries } = await recordQueries(t.db, () =>
      Post.updateMany([
        { id: ids[0], title: 'first, renamed', published: true },
        { id: ids[1], title: 'second, renamed', published: false },
        { id: ids[2], title: 'third, renamed', published: true },
      ]),
    );
    expect(result).toBe(3);
    expect(queries).toHaveLength(1);
    expect(queries[0]!.sql).toBe(
      'update "posts" set "title" = case "id" when $1 then $2 when $4 then $5 when $7 then $8 else "title" end, ' +
        '"published" = case "id" when $1 then $3 when $4 then $6 when $7 then $9 else "published" end, "updated_at" = $10 ' +
        'where "id" in ($1, $4, $7) returning "id"',
    );
    const after = await t.knex('posts').whereIn('id', ids).orderBy('id');
    expect(after.map((row: { title: string; published: boolean }) => [row.title, row.published])).toEqual([
      ['first, renamed', true],
      ['second, renamed', false],
      ['third, renamed', true],
    ]);
    for (let i = 0; i < 3; i++) expect(after[i].updated_at.getTime()).toBeGreaterThan(before[i].updated_at.getTime());
    // The fields no row set are left as they were.
    expect(after.map((row: { body: string }) => row.body)).toEqual(['', '', '']);
  });

  test('the last row for an id wins; ids that name no record are skipped; rows setting other fields go in a statement of their own', async () => {
    const ids = await drafts(3, 'mixed');
    const { result, queries } = await recordQueries(t.db, () =>
      Post.updateMany([
        { id: ids[0], title: 'not this one' },
        { id: ids[1], body: 'a body' },
        { id: ids[0], title: 'this one' },
        { id: 987654, title: 'nobody' },
        { id: 'abc' as never, title: 'no id at all' },
        { id: -4, title: 'negative' },
        { id: 3000000000, title: 'past the integer key' },
        { title: 'no id' },
      ]),
    );
    expect(result).toBe(2);
    // The body's row first (the title's moved behind it when given again); the id past the
    // integer key fails the title's statement, which goes again without it.
    expect(queries.map((q) => [q.sql.replace(/ else .*/, ''), q.error?.message])).toEqual([
      ['update "posts" set "body" = case "id" when $1 then $2', undefined],
      ['update "posts" set "title" = case "id" when $1 then $2 when $3 then $4 when $5 then $6', 'value "3000000000" is out of range for type integer'],
      ['update "posts" set "title" = case "id" when $1 then $2 when $3 then $4', undefined],
    ]);
    expect(await titlesOf(ids)).toEqual(['this one', 'mixed 1', 'mixed 2']);
    expect((await t.knex('posts').where({ id: ids[1] }).first()).body).toBe('a body');
    expect(await Post.updateMany([])).toBe(0);
  });

  test('a field given as undefined is left as it is; SQL given as a value is run', async () => {
    // A model without a schema takes any column, SQL values (knex's `raw`) among them.
    class PostRow extends Model<{ id: number; title: string; body: string }> {
      static override table = 'posts';
    }
    const ids = await drafts(2, 'as given');
    expect(await PostRow.updateMany([{ id: ids[0], title: undefined, body: 'only the body' }, { id: ids[1], title: t.knex.raw("upper('made by sql')") as never }])).toBe(2);
    const rows = await t.knex('posts').whereIn('id', ids).orderBy('id');
    expect(rows.map((row: { title: string; body: string }) => [row.title, row.body])).toEqual([
      ['as given 0', 'only the body'],
      ['MADE BY SQL', ''],
    ]);
  });

  test('each row is validated before anything is written, and beforeSave runs for each', async () => {
    const ids = await drafts(2, 'checked');
    const error = await Post.updateMany([{ id: ids[0], title: 'fine' }, { id: ids[1], title: '   ' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationFailed);
    expect((error as ValidationFailed).errors).toEqual({ title: ["can't be blank"] });
    expect(await titlesOf(ids)).toEqual(['checked 0', 'checked 1']);

    const [ivo, uma] = [await User.create({ name: 'Ivo', email: 'ivo@example.com', password: 'first password' }), await User.create({ name: 'Uma', email: 'uma@example.com', password: 'first password' })];
    expect(await User.updateMany([{ id: ivo.id, password: 'ivo second password' } as never, { id: uma.id, password: 'uma second password' } as never])).toBe(2);
    expect((await User.authenticate('ivo@example.com', 'ivo second password'))?.id).toBe(ivo.id);
    expect((await User.authenticate('uma@example.com', 'uma second password'))?.id).toBe(uma.id);
    expect(await User.authenticate('ivo@example.com', 'first password')).toBeUndefined();
  });

  test('a taken email is a 422 on email, and no row of the statement is written', async () => {
    const [jo, kim] = [await User.create({ name: 'Jo', email: 'jo@example.com', password: 'long enough' }), await User.create({ name: 'Kim', email: 'kim@example.com', password: 'long enough' })];
    const error = await User.updateMany([{ id: jo.id, name: 'Joanna' }, { id: kim.id, name: 'Kim', email: 'alex@example.com' }]).catch((e: unknown) => e);
    // Two sets of fields, two statements: the first went through, the second was refused whole.
    expect(error).toMatchObject({ status: 422, errors: { email: ['has already been taken'] } });
    expect((await t.knex('users').where({ id: kim.id }).first()).email).toBe('kim@example.com');
    const both = await User.updateMany([{ id: jo.id, email: 'shared@example.com' }, { id: kim.id, email: 'shared@example.com' }]).catch((e: unknown) => e);
    expect(both).toMatchObject({ status: 422, errors: { email: ['has already been taken'] } });
    expect((await t.knex('users').whereIn('id', [jo.id, kim.id]).orderBy('id')).map((row: { email: string }) => row.email)).toEqual(['jo@example.com', 'kim@example.com']);
  });

  test('inside a transaction it is part of it, and rolled back with it', async () => {
    const ids = await drafts(2, 'in a transaction');
    await expect(
      Model.transaction(async () => {
        expect(await Post.updateMany(ids.map((id) => ({ id, title: 'rolled back' })))).toBe(2);
        expect((await Post.where({ title: 'rolled back' })).map((post) => post.id).sort()).toEqual(ids); // the transaction sees its own writes
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await titlesOf(ids)).toEqual(['in a transaction 0', 'in a transaction 1']);
    await Model.transaction(async () => Post.updateMany(ids.map((id) => ({ id, title: 'kept' }))));
    expect(await titlesOf(ids)).toEqual(['kept', 'kept']);
  });

  test('more rows than are kept prepared, and more than one statement holds, are all updated', async () => {
    const ids = await drafts(1234, 'many');
    const { result, queries } = await recordQueries(t.db, () => Post.updateMany(ids.map((id, i) => ({ id, title: `renamed ${i}` }))));
    expect(result).toBe(1234);
    expect(queries).toHaveLength(2); // 1,000 rows, then 234
    const titles = await titlesOf(ids);
    expect(titles[0]).toBe('renamed 0');
    expect(titles[1233]).toBe('renamed 1233');
    expect(titles.filter((title, i) => title !== `renamed ${i}`)).toEqual([]);
    await t.knex('posts').whereIn('id', ids).delete();
  });
});
