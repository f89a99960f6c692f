import { EventEmitter, once } from 'node:events';
import { Readable } from 'node:stream';
import { Model } from '../../../framework';
import { Post } from '../../../app/models/Post';
import { User } from '../../../app/models/User';
import { useTestApp } from '../../support/app';

// What runs inside Model.transaction, by the documented rule: everything reached through `await`
// and `.then` from its body; a plain timer or event callback started inside is outside it. Each
// case rolls the transaction back and looks in the table: a row that survives was written outside.

const t = useTestApp();
let author: User;

beforeAll(async () => {
  author = await User.create({ name: 'tx', email: 'tx@example.com', password: 'long enough' });
});

class Rollback extends Error {}

/** Runs `body` in a transaction that is then rolled back; resolves once it has. */
async function rolledBack(body: () => Promise<void>): Promise<void> {
  await expect(
    Model.transaction(async () => {
      await body();
      throw new Rollback();
    }),
  ).rejects.toBeInstanceOf(Rollback);
}

const titled = async (title: string) => (await t.knex('posts').where({ title }).first()) !== undefined;
const write = (title: string) => Post.create({ user_id: author.id, title, body: '', published: false });

test('after awaiting a timer, the write is inside the transaction', async () => {
  await rolledBack(async () => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    await write('after a timer');
  });
  expect(await titled('after a timer')).toBe(false);
});

test("after awaiting an event emitter's event, the write is inside the transaction", async () => {
  const emitter = new EventEmitter();
  await rolledBack(async () => {
    // Listening before the timer is set: on a loaded machine BEGIN can take longer than the timer.
    const ready = once(emitter, 'ready');
    setTimeout(() => emitter.emit('ready'), 10);
    await ready;
    await write('after an event');
  });
  expect(await titled('after an event')).toBe(false);
});

test('after reading a stream to its end, the write is inside the transaction', async () => {
  await rolledBack(async () => {
    const chunks: string[] = [];
    for await (const chunk of Readable.from(['a', 'b', 'c'])) chunks.push(String(chunk));
    await write(`after a stream: ${chunks.join('')}`);
  });
  expect(await titled('after a stream: abc')).toBe(false);
});

test("a write in an event emitter's own callback is outside the transaction, and survives its rollback", async () => {
  const emitter = new EventEmitter();
  let written: Promise<unknown> | undefined;
  // Started inside, run later from a timer: by the rule, not part of the transaction.
  emitter.on('go', () => (written = write('in an event callback')));
  await rolledBack(async () => {
    setTimeout(() => emitter.emit('go'), 5);
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
  await written;
  expect(await titled('in an event callback')).toBe(true);
});

test('a write in a stream\'s data callback is outside the transaction, and survives its rollback', async () => {
  let written: Promise<unknown> | undefined;
  await rolledBack(async () => {
    const stream = Readable.from(['x']);
    stream.on('data', () => (written = write('in a data callback')));
    await once(stream, 'end');
  });
  await written;
  expect(await titled('in a data callback')).toBe(true);
});

test('inside the body, the model layer reports the transaction it uses', async () => {
  await rolledBack(async () => {
    expect(Model.db.isTransaction).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(Model.db.isTransaction).toBe(true);
  });
  expect(Model.db.isTransaction).toBeFalsy();
});
