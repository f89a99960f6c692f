import { NotFound, ValidationFailed } from '../../../framework';
import { User } from '../../../app/models/User';
import { useTestApp } from '../../support/app';
import { recordQueries } from '../../support/queries';

const t = useTestApp();

describe('User', () => {
  test('all() reads the seeded users as User instances', async () => {
    const users = await User.all();
    expect(users.map((u) => u.name)).toEqual(['alex', 'eric']);
    expect(users[0]).toBeInstanceOf(User);
    expect(users[0]!.created_at).toBeInstanceOf(Date);
  });

  test('create() validates, stores and returns the row', async () => {
    const user = await User.create({ name: '  Dora ', email: 'DORA@Example.com', password: 'long enough' });
    expect(user).toBeInstanceOf(User);
    expect(user).toMatchObject({ name: 'Dora', email: 'dora@example.com' });
    const row = await t.knex('users').where({ id: user.id }).first();
    expect(row).toMatchObject({ name: 'Dora', email: 'dora@example.com' });
  });

  test('create() drops fields outside the schema (mass assignment)', async () => {
    const user = await User.create({ name: 'Eve', email: 'eve@example.com', password: 'long enough', id: 999, created_at: new Date(0), password_hash: 'planted' } as never);
    expect(user.id).not.toBe(999);
    expect(user.created_at.getTime()).toBeGreaterThan(0);
    expect(user.password_hash).toMatch(/^scrypt\$12\$8\$1\$/);
  });

  test('create() with invalid input throws ValidationFailed with per-field messages and writes nothing', async () => {
    const before = await User.count();
    await expect(User.create({ name: '', email: 'not-an-email', password: 'short' })).rejects.toMatchObject({
      status: 422,
      errors: { name: ["can't be blank"], email: ['is not a valid email address'], password: ['is too short (at least 8 characters)'] },
    });
    expect(await User.count()).toBe(before);
  });

  test('a taken email is a ValidationFailed on email, not a crash', async () => {
    const error = await User.create({ name: 'Alex again', email: 'alex@example.com', password: 'long enough' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationFailed);
    expect((error as ValidationFailed).errors).toEqual({ email: ['has already been taken'] });
  });

  test('find, findBy, findOrFail and where', async () => {
    const alex = await User.findBy({ email: 'alex@example.com' });
    expect(alex?.name).toBe('alex');
    expect((await User.find(alex!.id))?.email).toBe('alex@example.com');
    expect(await User.find(987654)).toBeUndefined();
    expect(await User.find('abc')).toBeUndefined();
    await expect(User.findOrFail(987654)).rejects.toBeInstanceOf(NotFound);
    const named = await User.where({ name: 'eric' });
    expect(named.map((u) => u.email)).toEqual(['eric@example.com']);
    expect(named[0]).toBeInstanceOf(User);
  });

  test('update() changes the row and moves updated_at', async () => {
    const user = await User.create({ name: 'Fay', email: 'fay@example.com', password: 'long enough' });
    await new Promise((r) => setTimeout(r, 5));
    const updated = await User.update(user.id, { name: 'Faye' });
    expect(updated.name).toBe('Faye');
    expect(updated.updated_at.getTime()).toBeGreaterThan(user.updated_at.getTime());
    expect((await t.knex('users').where({ id: user.id }).first()).name).toBe('Faye');
    await user.update({ email: 'faye@example.com' });
    expect(user.email).toBe('faye@example.com');
    await expect(User.update(user.id, { email: 'nope' })).rejects.toBeInstanceOf(ValidationFailed);
    await expect(User.update(987654, { name: 'x' })).rejects.toBeInstanceOf(NotFound);
  });

  test('update() is one prepared statement per set of columns; a duplicate email is still a 422', async () => {
    const user = await User.create({ name: 'Ida', email: 'ida@example.com', password: 'long enough' });
    const { result, queries } = await recordQueries(t.db, () => User.update(user.id, { name: 'Idana' }));
    expect(result).toBeInstanceOf(User);
    expect(result.name).toBe('Idana');
    expect(queries.map((q) => q.sql)).toEqual(['update "users" set "name" = $1, "updated_at" = $2 where "id" = $3 returning *']);
    await expect(User.update(user.id, { email: 'alex@example.com' })).rejects.toMatchObject({ status: 422, errors: { email: ['has already been taken'] } });
    expect((await t.knex('users').where({ id: user.id }).first()).email).toBe('ida@example.com');
    await expect(User.update('99999999999999999', { name: 'x' })).rejects.toBeInstanceOf(NotFound);
  });

  test('delete() removes the row', async () => {
    const user = await User.create({ name: 'Gil', email: 'gil@example.com', password: 'long enough' });
    expect(await User.delete(user.id)).toBe(true);
    expect(await t.knex('users').where({ id: user.id }).first()).toBeUndefined();
    expect(await User.delete(user.id)).toBe(false);
    const other = await User.create({ name: 'Hal', email: 'hal@example.com', password: 'long enough' });
    expect(await other.delete()).toBe(true);
    expect(await User.find(other.id)).toBeUndefined();
  });

  test('toJSON() is the public view: id and name, never the email or the password hash', async () => {
    const alex = await User.findBy({ email: 'alex@example.com' });
    expect(alex!.password_hash).toMatch(/^scrypt\$17\$/);
    expect(JSON.parse(JSON.stringify(alex))).toEqual({ id: alex!.id, name: 'alex' });
    expect(JSON.parse(JSON.stringify(alex!.ownView()))).toEqual({ id: alex!.id, name: 'alex', email: 'alex@example.com', created_at: expect.any(String), updated_at: expect.any(String) });
  });

  test('withPublicCounts() counts published posts only', async () => {
    const alex = (await User.withPublicCounts().where('users.email', 'alex@example.com').first())!;
    const published = await t.knex('posts').where({ user_id: alex.id, published: true }).count({ n: '*' }).first();
    const drafts = await t.knex('posts').where({ user_id: alex.id, published: false }).count({ n: '*' }).first();
    expect(Number(drafts!.n)).toBeGreaterThan(0);
    expect(alex.posts_count).toBe(Number(published!.n));
    expect(JSON.parse(JSON.stringify(alex))).toEqual({ id: alex.id, name: 'alex', posts_count: alex.posts_count });
  });

  test('the password is stored only as an scrypt hash, and authenticate() checks it', async () => {
    const user = await User.create({ name: 'Ivy', email: 'ivy@example.com', password: 'correct horse' });
    const row = await t.knex('users').where({ id: user.id }).first();
    expect(row.password).toBeUndefined();
    expect(row.password_hash).toMatch(/^scrypt\$12\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(row.password_hash).not.toContain('correct horse');
    expect((await User.authenticate('IVY@example.com ', 'correct horse'))?.id).toBe(user.id);
    expect(await User.authenticate('ivy@example.com', 'correct horsE')).toBeUndefined();
    expect(await User.authenticate('nobody@example.com', 'correct horse')).toBeUndefined();
    expect(await User.authenticate('ivy@example.com', undefined)).toBeUndefined();
  });

  test('passwords: 8 to 128 characters, a longer one refused rather than cut', async () => {
    const long = 'x'.repeat(129);
    await expect(User.create({ name: 'Jo', email: 'jo@example.com', password: long })).rejects.toMatchObject({ errors: { password: ['is too long (at most 128 characters)'] } });
    const max = 'y'.repeat(128);
    const user = await User.create({ name: 'Jo', email: 'jo@example.com', password: max });
    expect(await User.authenticate('jo@example.com', max)).toBeDefined();
    expect(await User.authenticate('jo@example.com', max.slice(0, 127))).toBeUndefined();
    await user.update({ password: 'a new password' });
    expect(await User.authenticate('jo@example.com', 'a new password')).toBeDefined();
    await user.update({ name: 'Joe' });
    expect(await User.authenticate('jo@example.com', 'a new password')).toBeDefined();
  });

  test('the seeded development passwords work', async () => {
    expect((await User.authenticate('alex@example.com', 'alex-dev-password'))?.name).toBe('alex');
  });

  test('first, count, exists, orderBy and limit', async () => {
    expect((await User.first())?.name).toBe('alex');
    expect((await User.first({ name: 'eric' }))?.email).toBe('eric@example.com');
    expect(await User.first({ name: 'nobody' })).toBeUndefined();
    expect(await User.count({ name: 'eric' })).toBe(1);
    expect(await User.exists({ email: 'eric@example.com' })).toBe(true);
    expect(await User.exists({ email: 'nobody@example.com' })).toBe(false);
    expect((await User.orderBy('name', 'desc').limit(1)).map((u) => u.name)).toEqual(['eric']);
    expect((await User.limit(1)).map((u) => u.name)).toEqual(['alex']);
  });

  test('query() is the knex builder, and its rows are User instances', async () => {
    const users = await User.query().where('email', 'like', '%@example.com').whereNot({ name: 'eric' }).orderBy('id');
    expect(users[0]).toBeInstanceOf(User);
    expect(users.map((u) => u.name)).toContain('alex');
    const counted = await User.query().count({ n: '*' });
    expect(Number((counted[0] as unknown as { n: string }).n)).toBeGreaterThanOrEqual(2);
  });

  test('paginate returns one page and the totals', async () => {
    for (let i = 0; i < 5; i++) await User.create({ name: `page${i}`, email: `page${i}@example.com`, password: 'long enough' });
    const total = await User.count();
    const page = await User.paginate(2, 2);
    expect(page).toMatchObject({ page: 2, perPage: 2, total, pages: Math.ceil(total / 2) });
    expect(page.data).toHaveLength(2);
    expect(page.data[0]).toBeInstanceOf(User);
    const all = await User.all();
    expect(page.data.map((u) => u.id)).toEqual(all.slice(2, 4).map((u) => u.id));
    const filtered = await User.paginate(1, 10, User.query().where('name', 'like', 'page%').orderBy('name', 'desc'));
    expect(filtered.total).toBe(5);
    expect(filtered.data.map((u) => u.name)).toEqual(['page4', 'page3', 'page2', 'page1', 'page0']);
    const beyond = await User.paginate(99, 2);
    expect(beyond.data).toEqual([]);
    expect((await User.paginate(-3, 5000)).perPage).toBe(100);
  });

  test('every statement reaches the query hook with its SQL, values and duration', async () => {
    const { queries } = await recordQueries(t.db, async () => {
      await User.find(1);
      await User.where({ name: 'eric' });
    });
    expect(queries).toHaveLength(2);
    expect(queries[0]).toEqual({ sql: 'select * from "users" where "id" = $1 limit 1', bindings: [1], durationMs: expect.any(Number), error: undefined, rowCount: 1, onReplica: false });
    expect(queries[1]!.bindings).toEqual(['eric']);
    expect(queries.every((q) => q.durationMs >= 0 && q.durationMs < 5000)).toBe(true);
  });

  test('a failing statement reaches the hook with its error', async () => {
    const { queries } = await recordQueries(t.db, () => t.knex.raw('select * from no_such_table').catch(() => undefined));
    expect(queries).toHaveLength(1);
    expect(queries[0]!.error?.message).toMatch(/no_such_table/);
  });
});
