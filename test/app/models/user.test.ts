import { NotFound, ValidationFailed } from '../../../framework';
import { User } from '../../../app/models/User';
import { useTestApp } from '../../support/app';

const t = useTestApp();

describe('User', () => {
  test('all() reads the seeded users as User instances', async () => {
    const users = await User.all();
    expect(users.map((u) => u.name)).toEqual(['alex', 'eric']);
    expect(users[0]).toBeInstanceOf(User);
    expect(users[0]!.created_at).toBeInstanceOf(Date);
  });

  test('create() validates, stores and returns the row', async () => {
    const user = await User.create({ name: '  Dora ', email: 'DORA@Example.com' });
    expect(user).toBeInstanceOf(User);
    expect(user).toMatchObject({ name: 'Dora', email: 'dora@example.com' });
    const row = await t.knex('users').where({ id: user.id }).first();
    expect(row).toMatchObject({ name: 'Dora', email: 'dora@example.com' });
  });

  test('create() drops fields outside the schema (mass assignment)', async () => {
    const user = await User.create({ name: 'Eve', email: 'eve@example.com', id: 999, created_at: new Date(0) } as never);
    expect(user.id).not.toBe(999);
    expect(user.created_at.getTime()).toBeGreaterThan(0);
  });

  test('create() with invalid input throws ValidationFailed with per-field messages and writes nothing', async () => {
    const before = await User.count();
    await expect(User.create({ name: '', email: 'not-an-email' })).rejects.toMatchObject({
      status: 422,
      errors: { name: ["can't be blank"], email: ['is not a valid email address'] },
    });
    expect(await User.count()).toBe(before);
  });

  test('a taken email is a ValidationFailed on email, not a crash', async () => {
    const error = await User.create({ name: 'Alex again', email: 'alex@example.com' }).catch((e: unknown) => e);
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
    const user = await User.create({ name: 'Fay', email: 'fay@example.com' });
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

  test('delete() removes the row', async () => {
    const user = await User.create({ name: 'Gil', email: 'gil@example.com' });
    expect(await User.delete(user.id)).toBe(true);
    expect(await t.knex('users').where({ id: user.id }).first()).toBeUndefined();
    expect(await User.delete(user.id)).toBe(false);
    const other = await User.create({ name: 'Hal', email: 'hal@example.com' });
    expect(await other.delete()).toBe(true);
    expect(await User.find(other.id)).toBeUndefined();
  });

  test('toJSON() is the row', async () => {
    const alex = await User.findBy({ email: 'alex@example.com' });
    expect(JSON.parse(JSON.stringify(alex))).toEqual({ id: alex!.id, name: 'alex', email: 'alex@example.com', created_at: expect.any(String), updated_at: expect.any(String) });
  });
});
