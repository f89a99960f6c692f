import { Conflict, Model, ValidationFailed } from '../../../framework';
import { Post } from '../../../app/models/Post';
import { User } from '../../../app/models/User';
import { useTestApp } from '../../support/app';
import { recordQueries } from '../../support/queries';

const t = useTestApp();

async function alex() {
  return (await User.findBy({ email: 'alex@example.com' }))!;
}

describe('Post and its relation to User', () => {
  test('seeded posts belong to their users', async () => {
    const posts = await Post.all();
    expect(posts).toHaveLength(3);
    expect(posts.every((p) => p instanceof Post)).toBe(true);
  });

  test('with("author") loads every author in one more query, not one per post', async () => {
    const { result: posts, queries } = await recordQueries(t.db, () => Post.query().with('author').orderBy('id'));
    expect(queries).toHaveLength(2);
    expect(queries[1]!.sql).toMatch(/from "users" where "id" in \(\$1, \$2\)/);
    expect(posts.map((p) => p.author?.name)).toEqual(['alex', 'alex', 'eric']);
    expect(posts[0]!.author).toBeInstanceOf(User);
  });

  test('hasMany eager loading groups children by parent, two queries for any number of users', async () => {
    for (let i = 0; i < 5; i++) await User.create({ name: `writer${i}`, email: `writer${i}@example.com`, password: 'long enough' });
    const { result: users, queries } = await recordQueries(t.db, () => User.with('posts').orderBy('id'));
    expect(queries).toHaveLength(2);
    expect(users.length).toBeGreaterThanOrEqual(7);
    const byName = Object.fromEntries(users.map((u) => [u.name, (u.posts ?? []).map((p) => p.title)]));
    expect(byName.alex).toEqual(['The essence of a web framework', 'Draft: MVC and MTV']);
    expect(byName.eric).toEqual(['Why a URL table']);
    expect(byName.writer0).toEqual([]);
  });

  test('nested eager loading: users.posts.author in three queries', async () => {
    const { result: users, queries } = await recordQueries(t.db, () => User.query().where({ name: 'alex' }).with('posts.author'));
    expect(queries).toHaveLength(3);
    expect(users[0]!.posts![0]!.author!.name).toBe('alex');
  });

  test('first() with eager loading and load() on records in hand', async () => {
    const post = await Post.query().with('author').where({ title: 'Why a URL table' }).first();
    expect(post?.author?.name).toBe('eric');
    const users = await User.where({ name: 'eric' });
    const { queries } = await recordQueries(t.db, () => User.load(users, 'posts'));
    expect(queries).toHaveLength(1);
    expect(users[0]!.posts!.map((p) => p.title)).toEqual(['Why a URL table']);
  });

  test('related() queries one record’s relation lazily', async () => {
    const user = await alex();
    const posts = await user.related('posts').orderBy('id');
    expect(posts.map((p: Post) => p.title)).toEqual(['The essence of a web framework', 'Draft: MVC and MTV']);
  });

  test('an unknown relation is a clear error', async () => {
    expect(() => Post.query().with('comments')).toThrow('Post has no relation "comments" (it has: author).');
  });

  test('with() keeps its knex meaning for common table expressions', async () => {
    const rows = await Post.query()
      .with('recent', (qb) => qb.select('id').from('posts').where('published', true))
      .whereIn('id', (qb) => qb.select('id').from('recent'))
      .orderBy('id');
    expect(rows.map((p) => p.published)).toEqual([true, true]);
  });

  test('a named scope is a static method returning a query', async () => {
    const published = await Post.published();
    expect(published.map((p) => p.title).sort()).toEqual(['The essence of a web framework', 'Why a URL table']);
  });

  test('create coerces form values; a missing user is a 422 on user_id', async () => {
    const user = await alex();
    const post = await Post.create({ user_id: String(user.id), title: 'From a form', published: 'true' } as never);
    expect(post).toMatchObject({ user_id: user.id, title: 'From a form', body: '', published: true });
    const error = await Post.create({ user_id: 999999, title: 'Orphan' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationFailed);
    expect((error as ValidationFailed).errors).toEqual({ user_id: ['does not refer to an existing record'] });
  });

  test('deleting a user who has posts is a Conflict, and nothing is deleted', async () => {
    const user = await alex();
    const error = await User.delete(user.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Conflict);
    expect((error as Conflict).status).toBe(409);
    expect(await User.find(user.id)).toBeDefined();
  });

  test('a NUL byte is a validation message on its field, before PostgreSQL sees it', async () => {
    const user = await alex();
    const { result, queries } = await recordQueries(t.db, () => Post.create({ user_id: user.id, title: 'a\u0000b' }).catch((e: unknown) => e));
    expect(result).toBeInstanceOf(ValidationFailed);
    expect((result as ValidationFailed).errors).toEqual({ title: ['contains a NUL byte, which cannot be stored'] });
    expect(queries).toHaveLength(0);
  });

  test('transaction: everything inside rolls back when the callback throws', async () => {
    const before = await Post.count();
    await expect(
      Model.transaction(async () => {
        const user = await User.create({ name: 'Tx', email: 'tx@example.com', password: 'long enough' });
        await Post.create({ user_id: user.id, title: 'inside' });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await Post.count()).toBe(before);
    expect(await User.exists({ email: 'tx@example.com' })).toBe(false);
  });

  test('transaction: commits on success, and model calls inside run on the transaction', async () => {
    await Model.transaction(async (trx) => {
      expect(Model.db).toBe(trx);
      const user = await User.create({ name: 'Committed', email: 'committed@example.com', password: 'long enough' });
      await Post.create({ user_id: user.id, title: 'kept' });
    });
    expect(Model.db.isTransaction).toBeFalsy();
    expect(await User.exists({ email: 'committed@example.com' })).toBe(true);
    expect(await Post.exists({ title: 'kept' })).toBe(true);
  });

  test('find inside a transaction reads through it (and sees its own uncommitted rows)', async () => {
    await Model.transaction(async () => {
      const user = await User.create({ name: 'Inside', email: 'inside@example.com', password: 'long enough' });
      expect((await User.find(user.id))?.name).toBe('Inside');
      throw new Error('roll back');
    }).catch(() => undefined);
    expect(await User.exists({ email: 'inside@example.com' })).toBe(false);
  });

  test('nested transactions use a savepoint', async () => {
    await Model.transaction(async () => {
      await User.create({ name: 'Outer', email: 'outer@example.com', password: 'long enough' });
      await Model.transaction(async () => {
        await User.create({ name: 'Inner', email: 'inner@example.com', password: 'long enough' });
        throw new Error('inner fails');
      }).catch(() => undefined);
    });
    expect(await User.exists({ email: 'outer@example.com' })).toBe(true);
    expect(await User.exists({ email: 'inner@example.com' })).toBe(false);
  });
});
