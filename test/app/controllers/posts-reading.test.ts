// Reading posts: the lists (all, and one user's), and one post; drafts only for their author.
import request from 'supertest';
import { ada, adaApi, adaBrowser, bob, bobApi, bobBrowser, countVisible, formBody, insertPost, json, listedPostIds, missingId, parseLinks, postByTitle, postRow, postsNewestFirst, problemOf, t, userId } from '../../support/posts-kit';

describe('GET /posts', () => {
  test('the HTML list shows every published post with a link to it and to its author, newest first', async () => {
    const res = await request(t.app).get('/posts');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<title>Posts · Trestle</title>');
    const rows = await postsNewestFirst();
    expect(res.text).toContain(`${rows.length} posts`);
    const items = [...res.text.matchAll(/<a href="\/posts\/(\d+)">([^<]+)<\/a>[\s\S]*?by <a href="\/users\/(\d+)">(\w+)<\/a>/g)].map((m) => ({
      id: Number(m[1]),
      title: m[2],
      userId: Number(m[3]),
      author: m[4],
    }));
    const users = (await t.knex('users').select('id', 'name')) as { id: number; name: string }[];
    const names = new Map(users.map((u) => [u.id, u.name]));
    expect(items).toEqual(rows.map((r) => ({ id: r.id, title: r.title, userId: r.user_id, author: names.get(r.user_id) })));
    expect(items.map((i) => i.title).sort()).toEqual(['The essence of a web framework', 'Why a URL table']);
    expect(res.text).not.toContain('Draft: MVC and MTV');
  });

  test('others’ drafts are in nobody’s list, in HTML or JSON; your own are in yours', async () => {
    const adaDraft = await insertPost(ada, { title: 'Ada’s secret draft' });
    const bobDraft = await insertPost(bob, { title: 'Bob’s secret draft' });
    for (const path of ['/posts?per_page=100', `/users/${ada.id}/posts`, `/users/${bob.id}/posts`]) {
      const anonymous = await request(t.app).get(path).set(json);
      expect(anonymous.body.data.map((p: { title: string }) => p.title)).not.toEqual(expect.arrayContaining(['Ada’s secret draft']));
      expect(anonymous.body.data.some((p: { published: boolean }) => !p.published)).toBe(false);
      expect((await request(t.app).get(path)).text).not.toContain('secret draft');
      const asBob = await bobApi.get(path).set(json);
      const bobSees = asBob.body.data.map((p: { id: number }) => p.id);
      expect(bobSees).not.toContain(adaDraft.id);
      expect(asBob.body.meta.total).toBe(asBob.body.data.length);
      expect((await bobBrowser.agent.get(path)).text).not.toContain('Ada’s secret draft');
    }
    const mine = await adaApi.get('/posts?per_page=100').set(json);
    expect(mine.body.data.map((p: { id: number }) => p.id)).toContain(adaDraft.id);
    expect(mine.body.data.map((p: { id: number }) => p.id)).not.toContain(bobDraft.id);
    const myList = await adaBrowser.agent.get(`/users/${ada.id}/posts`);
    expect(myList.text).toContain(`<a href="/posts/${adaDraft.id}">Ada’s secret draft</a> <span class="badge">draft</span>`);
    await t.knex('posts').whereIn('id', [adaDraft.id, bobDraft.id]).delete();
  });

  test('"New post" is offered only to a signed-in visitor', async () => {
    const anonymous = await request(t.app).get('/posts');
    expect(anonymous.status).toBe(200);
    expect(anonymous.text).not.toContain('>New post</a>');
    const signedIn = await adaBrowser.agent.get('/posts');
    expect(signedIn.status).toBe(200);
    expect(signedIn.text).toContain('href="/posts/new">New post</a>');
  });

  test('your drafts carry a badge in the list, published posts do not', async () => {
    const draft = await insertPost(ada, { title: 'Badged draft' });
    const res = await adaBrowser.agent.get('/posts');
    const published = await postByTitle('Why a URL table');
    expect(res.text).toContain(`<a href="/posts/${draft.id}">Badged draft</a> <span class="badge">draft</span>`);
    expect(res.text).not.toContain(`<a href="/posts/${published.id}">Why a URL table</a> <span class="badge">`);
    await t.knex('posts').where({ id: draft.id }).delete();
  });

  test('a single page has no pager and no Link header', async () => {
    const res = await request(t.app).get('/posts');
    expect(res.text).not.toContain('class="pagination"');
    const list = await request(t.app).get('/posts').set(json);
    expect(list.headers.link).toBeUndefined();
  });

  test('JSON is { data, meta } with each post’s author embedded as their public view: no email, no password hash', async () => {
    const res = await request(t.app).get('/posts').set(json);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const rows = await postsNewestFirst();
    expect(res.body.meta).toEqual({ page: 1, perPage: 20, total: rows.length, pages: 1 });
    expect(res.body.data.map((p: { id: number }) => p.id)).toEqual(rows.map((r) => r.id));
    const alexId = await userId('alex');
    const essence = res.body.data.find((p: { title: string }) => p.title === 'The essence of a web framework');
    expect(essence).toEqual({
      id: expect.any(Number),
      user_id: alexId,
      title: 'The essence of a web framework',
      body: 'A socket server, a URL table and a template.',
      published: true,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      author: { id: alexId, name: 'alex' },
    });
    for (const post of res.body.data) {
      expect(post.author.id).toBe(post.user_id);
      expect(post.author).not.toHaveProperty('email');
      expect(post.author).not.toHaveProperty('password_hash');
      expect(post.author).not.toHaveProperty('password');
    }
    expect(res.body.data.find((p: { title: string }) => p.title === 'Why a URL table').author.name).toBe('eric');
  });

  test('?per_page=1&page=2 gives the second post, with first/prev/next/last links', async () => {
    const extra = await insertPost(bob, { title: 'A third published post', published: true });
    const rows = await postsNewestFirst();
    const last = rows.length;
    const res = await request(t.app).get('/posts?per_page=1&page=2').set(json);
    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual({ page: 2, perPage: 1, total: rows.length, pages: last });
    expect(res.body.data.map((p: { id: number }) => p.id)).toEqual([rows[1]!.id]);
    expect(parseLinks(res.headers.link)).toEqual({
      first: '/posts?page=1&per_page=1',
      prev: '/posts?page=1&per_page=1',
      next: '/posts?page=3&per_page=1',
      last: `/posts?page=${last}&per_page=1`,
    });
    await t.knex('posts').where({ id: extra.id }).delete();
  });

  test('the first page links only forward, the last only back', async () => {
    const rows = await postsNewestFirst();
    const last = rows.length;
    const first = await request(t.app).get('/posts?per_page=1').set(json);
    expect(first.body.data[0].id).toBe(rows[0]!.id);
    expect(parseLinks(first.headers.link)).toEqual({ next: '/posts?page=2&per_page=1', last: `/posts?page=${last}&per_page=1` });
    const end = await request(t.app).get(`/posts?per_page=1&page=${last}`).set(json);
    expect(end.body.data[0].id).toBe(rows[last - 1]!.id);
    expect(parseLinks(end.headers.link)).toEqual({ first: '/posts?page=1&per_page=1', prev: `/posts?page=${last - 1}&per_page=1` });
  });

  test('a page past the end is empty, not an error', async () => {
    const total = await countVisible();
    const res = await request(t.app).get('/posts?per_page=2&page=9').set(json);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
    expect(res.body.meta).toEqual({ page: 9, perPage: 2, total, pages: Math.ceil(total / 2) });
  });

  test('the HTML pager says "Page 2 of N" and links to the neighbours', async () => {
    const extra = await insertPost(bob, { title: 'A third published post', published: true });
    const rows = await postsNewestFirst();
    const res = await request(t.app).get('/posts?per_page=1&page=2');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<span class="current">Page 2 of ${rows.length}</span>`);
    expect(res.text).toContain('<a href="/posts?page=1&amp;per_page=1" rel="prev">← Previous</a>');
    expect(res.text).toContain('<a href="/posts?page=3&amp;per_page=1" rel="next">Next →</a>');
    expect(listedPostIds(res.text)).toEqual([rows[1]!.id]);
    await t.knex('posts').where({ id: extra.id }).delete();
  });

  test.each([
    ['page=abc', 'page'],
    ['page=0', 'page'],
    ['page=1.5', 'page'],
    ['per_page=1000', 'per_page'],
    ['per_page=0', 'per_page'],
    ['per_page=ten', 'per_page'],
  ])('?%s is a 422 naming the field, not a 500', async (qs, field) => {
    const res = await request(t.app).get(`/posts?${qs}`).set(json);
    expect(res.status).toBe(422);
    const problem = problemOf(res);
    expect(problem).toEqual(expect.objectContaining({ status: 422, title: 'Unprocessable Content', instance: `/posts?${qs}` }));
    const errors = problem.errors as Record<string, string[]>;
    expect(Object.keys(errors)).toEqual([field]);
    expect(errors[field]![0]).toEqual(expect.any(String));
  });

  test('the messages say what is wrong', async () => {
    const abc = problemOf(await request(t.app).get('/posts?page=abc').set(json));
    expect(abc.errors).toEqual({ page: ['must be a number'] });
    const big = problemOf(await request(t.app).get('/posts?per_page=1000').set(json));
    expect(big.errors).toEqual({ per_page: ['must be at most 100'] });
  });

  test('bad paging in a browser is a 422 page that names the field', async () => {
    const res = await request(t.app).get('/posts?page=abc');
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<strong>page</strong> must be a number');
  });
});

describe('GET /users/:userId/posts (public)', () => {
  test('lists only that user’s posts, in HTML, to anyone', async () => {
    const ericId = await userId('eric');
    const rows = await postsNewestFirst({ user_id: ericId });
    const res = await request(t.app).get(`/users/${ericId}/posts`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Posts by eric</h1>');
    expect(res.text).toContain(`${rows.length} post${rows.length === 1 ? '' : 's'}<`);
    expect(listedPostIds(res.text)).toEqual(rows.map((r) => r.id));
    expect(res.text).toContain('>Why a URL table</a>');
    expect(res.text).not.toContain('The essence of a web framework');
    expect(res.text).not.toContain('Draft: MVC and MTV');
    expect(res.text).not.toContain('>New post</a>');
  });

  test('lists only that user’s published posts, in JSON', async () => {
    const alexId = await userId('alex');
    const total = await countVisible({ user_id: alexId });
    const res = await request(t.app).get(`/users/${alexId}/posts`).set(json);
    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual({ page: 1, perPage: 20, total, pages: 1 });
    expect(res.body.data.map((p: { title: string }) => p.title).sort()).toEqual(['The essence of a web framework']);
    for (const post of res.body.data) {
      expect(post.user_id).toBe(alexId);
      expect(post.author.name).toBe('alex');
    }
  });

  test('another user’s list is open to a signed-in user too', async () => {
    const alexId = await userId('alex');
    const res = await bobApi.get(`/users/${alexId}/posts`).set(json);
    expect(res.status).toBe(200);
    expect(res.body.meta.total).toBe(await countVisible({ user_id: alexId }, bob));
  });

  test('paging links keep the nested path', async () => {
    const pages = [await insertPost(ada, { title: 'Page one', published: true }), await insertPost(ada, { title: 'Page two', published: true })];
    const alexId = ada.id;
    const total = await countVisible({ user_id: alexId });
    const res = await request(t.app).get(`/users/${alexId}/posts?per_page=1`).set(json);
    expect(res.body.meta).toEqual({ page: 1, perPage: 1, total, pages: total });
    expect(parseLinks(res.headers.link)).toEqual({
      next: `/users/${alexId}/posts?page=2&per_page=1`,
      last: `/users/${alexId}/posts?page=${total}&per_page=1`,
    });
    await t.knex('posts').whereIn('id', pages.map((p) => p.id)).delete();
  });

  test('an unknown user is a 404, in HTML and JSON', async () => {
    const missing = await missingId('users');
    const html = await request(t.app).get(`/users/${missing}/posts`);
    expect(html.status).toBe(404);
    expect(html.text).toContain('<h1>Page not found</h1>');
    const res = await request(t.app).get(`/users/${missing}/posts`).set(json);
    expect(res.status).toBe(404);
    expect(problemOf(res).status).toBe(404);
    const word = await request(t.app).get('/users/abc/posts').set(json);
    expect(word.status).toBe(404);
  });
});

describe('GET /posts/:id (public)', () => {
  test('shows the post and its author in HTML', async () => {
    const post = await postByTitle('The essence of a web framework');
    const res = await request(t.app).get(`/posts/${post.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<title>The essence of a web framework · Trestle</title>');
    expect(res.text).toContain('<h1>The essence of a web framework</h1>');
    expect(res.text).toContain('<div class="body">A socket server, a URL table and a template.</div>');
    expect(res.text).toContain(`by <a href="/users/${post.user_id}">alex</a>`);
    expect(res.text).not.toContain('<span class="badge">draft</span>');
  });

  test('Edit and Delete are shown to the author only, not to someone else or to an anonymous visitor', async () => {
    const post = await insertPost(ada, { title: 'Whose buttons', published: true });
    const edit = `<a class="button secondary" href="/posts/${post.id}/edit">Edit</a>`;
    const remove = `<form method="post" action="/posts/${post.id}" class="button-to"><input type="hidden" name="_method" value="DELETE"><input type="hidden" name="_csrf" value="${adaBrowser.csrf}"><button type="submit" class="button danger">Delete</button></form>`;

    const mine = await adaBrowser.agent.get(`/posts/${post.id}`);
    expect(mine.status).toBe(200);
    expect(mine.text).toContain(edit);
    expect(mine.text).toContain(remove);

    for (const res of [await bobBrowser.agent.get(`/posts/${post.id}`), await request(t.app).get(`/posts/${post.id}`)]) {
      expect(res.status).toBe(200);
      expect(res.text).toContain('<h1>Whose buttons</h1>');
      expect(res.text).not.toContain(`/posts/${post.id}/edit`);
      expect(res.text).not.toContain('name="_method" value="DELETE"');
      expect(res.text).not.toContain('>Delete</button>');
    }
  });

  test('the Delete button on the author’s page works as it is', async () => {
    const post = await insertPost(ada, { title: 'Deleted by its button' });
    const page = await adaBrowser.agent.get(`/posts/${post.id}`);
    const form = page.text.match(/<form method="post" action="([^"]+)" class="button-to"><input type="hidden" name="_method" value="(\w+)"><input type="hidden" name="_csrf" value="([^"]+)">/);
    expect(form).not.toBeNull();
    const res = await adaBrowser.agent.post(form![1]!).type('form').send(formBody({ _method: form![2]!, _csrf: form![3]! }));
    expect(res.status).toBe(303);
    expect(await postRow(post.id)).toBeUndefined();
  });

  test('a draft is marked as such for its author', async () => {
    const draft = await insertPost(ada, { title: 'Marked draft' });
    const res = await adaBrowser.agent.get(`/posts/${draft.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<span class="badge">draft</span>');
    expect((await adaApi.get(`/posts/${draft.id}`).set(json)).body).toMatchObject({ id: draft.id, published: false });
  });

  test('a draft is a 404 to everyone but its author, exactly like a missing post, in HTML and JSON', async () => {
    const draft = await postByTitle('Draft: MVC and MTV');
    const missing = await missingId('posts');
    for (const client of [request(t.app), bobBrowser.agent, adaBrowser.agent]) {
      const html = await client.get(`/posts/${draft.id}`);
      expect(html.status).toBe(404);
      expect(html.text).toContain('<h1>Page not found</h1>');
      expect(html.text).not.toContain('MVC and MTV');
    }
    for (const client of [request(t.app), bobApi, adaApi]) {
      const res = await client.get(`/posts/${draft.id}`).set(json);
      expect(res.status).toBe(404);
      const gone = problemOf(await client.get(`/posts/${missing}`).set(json));
      expect(problemOf(res)).toEqual({ ...gone, detail: `Post ${draft.id} does not exist.`, instance: `/posts/${draft.id}` });
    }
  });

  test('JSON has the post with its author', async () => {
    const post = await postByTitle('Why a URL table');
    const res = await request(t.app).get(`/posts/${post.id}`).set(json);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({
      id: post.id,
      user_id: post.user_id,
      title: 'Why a URL table',
      body: 'One place to read every page of the app.',
      published: true,
      created_at: post.created_at.toISOString(),
      updated_at: post.updated_at.toISOString(),
      author: { id: post.user_id, name: 'eric' },
    });
    expect(res.body.author).not.toHaveProperty('password_hash');
  });

  test('an unknown id is a 404 in HTML and JSON', async () => {
    const missing = await missingId('posts');
    const html = await request(t.app).get(`/posts/${missing}`);
    expect(html.status).toBe(404);
    expect(html.text).toContain('<h1>Page not found</h1>');
    const res = await request(t.app).get(`/posts/${missing}`).set(json);
    expect(res.status).toBe(404);
    expect(problemOf(res)).toEqual(expect.objectContaining({ status: 404, title: 'Not Found', instance: `/posts/${missing}` }));
  });

  test.each(['abc', '0', '-1', '1.5', '1e3'])('/posts/%s is a 404, not a 500', async (id) => {
    const res = await request(t.app).get(`/posts/${id}`).set(json);
    expect(res.status).toBe(404);
    expect(problemOf(res).status).toBe(404);
  });

  test('an id too large for the column is a 404 too (it cannot exist)', async () => {
    const res = await request(t.app).get('/posts/99999999999').set(json);
    expect(res.status).toBe(404);
  });

  test('a title is escaped on the page', async () => {
    const post = await insertPost(ada, { title: '<script>alert(1)</script>', body: '<b>bold</b>', published: true });
    const res = await request(t.app).get(`/posts/${post.id}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<script>alert(1)</script>');
    expect(res.text).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(res.text).toContain('&lt;b&gt;bold&lt;/b&gt;');
    const list = await request(t.app).get('/posts');
    expect(list.text).not.toContain('<script>alert(1)</script>');
    await t.knex('posts').where({ id: post.id }).delete();
  });
});
