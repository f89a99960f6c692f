// Compile-time tests of model attributes, run by `npm run typecheck` (tsc): every line under
// `@ts-expect-error` is a mistake that must stay a type error (tsc fails if it compiles), and the
// correct form sits beside it. The functions are never called; jest only sees the one test below.
import { Post } from '../../../app/models/Post';
import { User } from '../../../app/models/User';
import type { Posts, Users, UsersInsert } from '../../../db/schema';

async function create(body: Record<string, unknown>) {
  await User.create({ name: 'Ann', email: 'ann@example.com', password: 'long enough' });
  // @ts-expect-error a misspelt column
  await User.create({ nmae: 'Ann', email: 'ann@example.com', password: 'long enough' });
  // @ts-expect-error a value of the wrong type
  await User.create({ name: 42, email: 'ann@example.com', password: 'long enough' });
  // @ts-expect-error a required field left out (the password)
  await User.create({ name: 'Ann', email: 'ann@example.com' });
  // @ts-expect-error the hash is derived, never written: the schema would drop it
  await User.create({ name: 'Ann', email: 'ann@example.com', password: 'long enough', password_hash: 'x' });
  // @ts-expect-error the id and timestamps are the database's
  await User.create({ id: 1, name: 'Ann', email: 'ann@example.com', password: 'long enough' });

  await Post.create({ user_id: 1, title: 'Hello' });
  // @ts-expect-error a foreign key is a number
  await Post.create({ user_id: '1', title: 'Hello' });
  // @ts-expect-error a misspelt column
  await Post.create({ user_id: 1, title: 'Hello', publshed: true });

  // Request input (a record with a string index) is the schema's to filter and check at run time.
  await User.create(body);
  const input: Record<string, unknown> = { ...body, user_id: 1 };
  await Post.create(input);
}

async function update(body: Record<string, unknown>) {
  const user = (await User.find(1))!;
  await User.update(1, { name: 'Bo' });
  // @ts-expect-error a misspelt column
  await User.update(1, { nmae: 'Bo' });
  // @ts-expect-error a value of the wrong type
  await User.update(1, { name: null });
  await user.update({ password: 'a new password' });
  // @ts-expect-error a misspelt column
  await user.update({ emial: 'bo@example.com' });
  // @ts-expect-error a value of the wrong type
  await user.update({ email: 7 });
  await user.update(body);
}

function construct() {
  const post = new Post({ title: 'Draft', published: false });
  const published: boolean = post.published;
  // @ts-expect-error a misspelt column
  new Post({ tilte: 'Draft' });
  // @ts-expect-error a value of the wrong type
  new Post({ published: 'yes' });
  return published;
}

async function query() {
  await User.where({ name: 'Ann' });
  // @ts-expect-error a misspelt column
  await User.where({ nmae: 'Ann' });
  // @ts-expect-error a value of the wrong type
  await User.where({ id: 'one' });
  await User.findBy({ email: 'ann@example.com' });
  // @ts-expect-error a misspelt column
  await User.findBy({ mail: 'ann@example.com' });
  await User.orderBy('created_at', 'desc');
  // @ts-expect-error a misspelt column
  await User.orderBy('nmae');

  const emails: string[] = await User.pluck('email');
  const hashes: (string | null)[] = await User.pluck('password_hash');
  // @ts-expect-error a misspelt column
  await User.pluck('emial');
  // @ts-expect-error a nullable column's values include null
  const notNull: string[] = await User.pluck('password_hash');

  const [picked] = await User.select('id', 'name');
  const name: string = picked!.name;
  // @ts-expect-error a column that was not selected
  void picked!.email;
  // @ts-expect-error a misspelt column
  await User.select('id', 'nmae');
  return [emails, hashes, notNull, name];
}

// The generated types: nullable columns are `| null`, columns with a default are optional on insert.
function schemaTypes(row: Users, post: Posts) {
  const hash: string | null = row.password_hash;
  // @ts-expect-error a nullable column may be null
  const sure: string = row.password_hash;
  const created: Date = post.created_at;
  const minimal: UsersInsert = { name: 'Ann', email: 'ann@example.com' };
  // @ts-expect-error a column without a default is required
  const missing: UsersInsert = { name: 'Ann' };
  return [hash, sure, created, minimal, missing];
}

test('the model attribute type tests compile (npm run typecheck checks them)', () => {
  expect([create, update, construct, query, schemaTypes].every((f) => typeof f === 'function')).toBe(true);
});
