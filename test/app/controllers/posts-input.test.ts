// Posts with odd input: bodies that are not what the form sends, and the queries each page runs.
import request from 'supertest';
import { recordQueries } from '../../support/queries';
import { type Agent, ada, adaApi, adaBrowser, countPosts, insertPost, json, problemOf, submitForm, t } from '../../support/posts-kit';

describe('request bodies', () => {
  test('malformed JSON is a 400 problem, and writes nothing', async () => {
    const before = await countPosts();
    const res = await adaApi.post('/posts').set(json).set('Content-Type', 'application/json').send('{"title": "half');
    expect(res.status).toBe(400);
    expect(problemOf(res)).toEqual(expect.objectContaining({ status: 400, title: 'Bad Request', detail: 'The request body is not valid JSON.' }));
    expect(await countPosts()).toBe(before);
  });

  test('a JSON body over 100kb is a 413, and writes nothing', async () => {
    const before = await countPosts();
    const res = await adaApi.post('/posts').set(json).send({ title: 'Too big', body: 'x'.repeat(101 * 1024) });
    expect(res.status).toBe(413);
    expect(problemOf(res)).toEqual(expect.objectContaining({ status: 413, title: 'Payload Too Large' }));
    expect(await countPosts()).toBe(before);
  });

  test('a form body over 100kb is a 413 too', async () => {
    const before = await countPosts();
    const res = await submitForm(adaBrowser, '/posts', { title: 'Too big', body: 'x'.repeat(101 * 1024) });
    expect(res.status).toBe(413);
    expect(await countPosts()).toBe(before);
  });
});

describe('queries', () => {
  async function queriesForList(path: string, agent?: Agent): Promise<{ count: number; status: number; posts: number }> {
    const { result, queries } = await recordQueries(t.db, () => (agent ?? request(t.app)).get(path).set(json));
    return { count: queries.length, status: result.status, posts: result.body.data.length };
  }

  test('the list of posts with authors takes the same few queries however many posts and authors there are', async () => {
    const small = await queriesForList('/posts?per_page=100');
    expect(small.status).toBe(200);
    expect(small.count).toBeLessThanOrEqual(3);
    const signedInSmall = await queriesForList('/posts?per_page=100', adaApi);
    expect(signedInSmall.status).toBe(200);

    for (let i = 0; i < 6; i++) {
      const [user] = await t.knex('users').insert({ name: `many${i}`, email: `many${i}@example.com` }).returning('id');
      await t.knex('posts').insert([
        { user_id: user.id, title: `Post A by many${i}`, published: true },
        { user_id: user.id, title: `Post B by many${i}`, published: true },
      ]);
    }
    const large = await queriesForList('/posts?per_page=100');
    expect(large.status).toBe(200);
    expect(large.posts).toBe(small.posts + 12);
    expect(large.count).toBe(small.count);

    const signedInLarge = await queriesForList('/posts?per_page=100', adaApi);
    expect(signedInLarge.posts).toBe(signedInSmall.posts + 12);
    expect(signedInLarge.count).toBe(signedInSmall.count);

    const html = await recordQueries(t.db, () => request(t.app).get('/posts?per_page=100'));
    expect(html.result.status).toBe(200);
    expect(html.result.text).toContain('by <a href="/users/');
    expect(html.result.text).toContain('>many5</a>');
    expect(html.queries.length).toBe(small.count);
  });

  test('one user’s list is constant too', async () => {
    await insertPost(ada, { title: 'At least one by ada', published: true });
    const before = await queriesForList(`/users/${ada.id}/posts?per_page=100`);
    for (let i = 0; i < 5; i++) await insertPost(ada, { title: `More by ada ${i}`, published: true });
    const after = await queriesForList(`/users/${ada.id}/posts?per_page=100`);
    expect(after.posts).toBe(before.posts + 5);
    expect(after.count).toBe(before.count);
  });
});
