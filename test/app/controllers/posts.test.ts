import request from 'supertest';
import { useTestApp } from '../../support/app';
import { recordQueries } from '../../support/queries';
import type { PostRow } from '../../../app/models/Post';

const t = useTestApp();

async function userId(name: string): Promise<number> {
  const row = await t.knex('users').where({ name }).first('id');
  if (!row) throw new Error(`no user ${name}`);
  return row.id as number;
}

async function postByTitle(title: string): Promise<PostRow> {
  const row = (await t.knex('posts').where({ title }).first()) as PostRow | undefined;
  if (!row) throw new Error(`no post ${title}`);
  return row;
}

async function postRow(id: number): Promise<PostRow | undefined> {
  return (await t.knex('posts').where({ id }).first()) as PostRow | undefined;
}

async function countPosts(): Promise<number> {
  const row = await t.knex('posts').count({ n: '*' }).first();
  return Number(row!.n);
}

/** The posts in the order the list shows them: newest first. */
async function postsNewestFirst(): Promise<PostRow[]> {
  return (await t.knex('posts').orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])) as PostRow[];
}

/** Inserts a post straight into the table (no HTTP), for tests that change or delete one. */
async function insertPost(attrs: Partial<PostRow> & { title: string }): Promise<PostRow> {
  const [row] = (await t.knex('posts')
    .insert({ user_id: attrs.user_id ?? (await userId('alex')), body: '', published: false, ...attrs })
    .returning('*')) as PostRow[];
  return row!;
}

/** `Link: <a>; rel="next", …` as `{ next: 'a', … }`. */
function parseLinks(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(',')) {
    const m = part.trim().match(/^<([^>]+)>;\s*rel="([a-z]+)"$/);
    if (m) out[m[2]!] = m[1]!;
  }
  return out;
}

/** The `value` of `<input … name="…">` (the text input, not a hidden field of the same name). */
function inputValue(html: string, id: string): string | undefined {
  const tag = html.match(new RegExp(`<input[^>]* id="${id}"[^>]*>`))?.[0];
  if (!tag) return undefined;
  return tag.match(/ value="([^"]*)"/)?.[1] ?? '';
}

function textareaValue(html: string, id: string): string | undefined {
  return html.match(new RegExp(`<textarea[^>]* id="${id}"[^>]*>([\\s\\S]*?)</textarea>`))?.[1];
}

function isChecked(html: string, id: string): boolean {
  const tag = html.match(new RegExp(`<input[^>]* id="${id}"[^>]*>`))?.[0];
  if (!tag) throw new Error(`no input #${id}`);
  return / checked(?=[\s>])/.test(tag);
}

function flashNotice(html: string): string | undefined {
  return html.match(/<p class="flash notice" role="status">([^<]*)<\/p>/)?.[1];
}

function problemOf(res: request.Response): Record<string, unknown> {
  expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  return JSON.parse(res.text) as Record<string, unknown>;
}

describe('GET /posts', () => {
  test('the HTML list shows every post with a link to it and to its author, newest first', async () => {
    const res = await request(t.app).get('/posts');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<title>Posts · Trestle</title>');
    expect(res.text).toContain('3 posts');
    const items = [...res.text.matchAll(/<a href="\/posts\/(\d+)">([^<]+)<\/a>[\s\S]*?by <a href="\/users\/(\d+)">(\w+)<\/a>/g)].map((m) => ({
      id: Number(m[1]),
      title: m[2],
      userId: Number(m[3]),
      author: m[4],
    }));
    const rows = await postsNewestFirst();
    const names = new Map([
      [await userId('alex'), 'alex'],
      [await userId('eric'), 'eric'],
    ]);
    expect(items).toEqual(rows.map((r) => ({ id: r.id, title: r.title, userId: r.user_id, author: names.get(r.user_id) })));
    expect(items.map((i) => i.title).sort()).toEqual(['Draft: MVC and MTV', 'The essence of a web framework', 'Why a URL table']);
    expect(res.text).toContain('href="/posts/new">New post</a>');
  });

  test('drafts carry a badge in the list, published posts do not', async () => {
    const res = await request(t.app).get('/posts');
    const draft = await postByTitle('Draft: MVC and MTV');
    const published = await postByTitle('Why a URL table');
    expect(res.text).toContain(`<a href="/posts/${draft.id}">Draft: MVC and MTV</a> <span class="badge">draft</span>`);
    expect(res.text).not.toContain(`<a href="/posts/${published.id}">Why a URL table</a> <span class="badge">`);
  });

  test('a single page has no pager and no Link header', async () => {
    const res = await request(t.app).get('/posts');
    expect(res.text).not.toContain('class="pagination"');
    const json = await request(t.app).get('/posts').set('Accept', 'application/json');
    expect(json.headers.link).toBeUndefined();
  });

  test('JSON is { data, meta } with each post’s author embedded', async () => {
    const res = await request(t.app).get('/posts').set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body.meta).toEqual({ page: 1, perPage: 20, total: 3, pages: 1 });
    const rows = await postsNewestFirst();
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
      author: expect.objectContaining({ id: alexId, name: 'alex', email: 'alex@example.com' }),
    });
    for (const post of res.body.data) expect(post.author.id).toBe(post.user_id);
    expect(res.body.data.find((p: { title: string }) => p.title === 'Why a URL table').author.name).toBe('eric');
  });

  test('?per_page=1&page=2 gives the second post, with first/prev/next/last links', async () => {
    const rows = await postsNewestFirst();
    const res = await request(t.app).get('/posts?per_page=1&page=2').set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual({ page: 2, perPage: 1, total: 3, pages: 3 });
    expect(res.body.data.map((p: { id: number }) => p.id)).toEqual([rows[1]!.id]);
    expect(parseLinks(res.headers.link)).toEqual({
      first: '/posts?page=1&per_page=1',
      prev: '/posts?page=1&per_page=1',
      next: '/posts?page=3&per_page=1',
      last: '/posts?page=3&per_page=1',
    });
  });

  test('the first page links only forward, the last only back', async () => {
    const rows = await postsNewestFirst();
    const first = await request(t.app).get('/posts?per_page=1').set('Accept', 'application/json');
    expect(first.body.data[0].id).toBe(rows[0]!.id);
    expect(parseLinks(first.headers.link)).toEqual({ next: '/posts?page=2&per_page=1', last: '/posts?page=3&per_page=1' });
    const last = await request(t.app).get('/posts?per_page=1&page=3').set('Accept', 'application/json');
    expect(last.body.data[0].id).toBe(rows[2]!.id);
    expect(parseLinks(last.headers.link)).toEqual({ first: '/posts?page=1&per_page=1', prev: '/posts?page=2&per_page=1' });
  });

  test('a page past the end is empty, not an error', async () => {
    const res = await request(t.app).get('/posts?per_page=2&page=9').set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
    expect(res.body.meta).toEqual({ page: 9, perPage: 2, total: 3, pages: 2 });
  });

  test('the HTML pager says "Page 2 of 3" and links to the neighbours', async () => {
    const rows = await postsNewestFirst();
    const res = await request(t.app).get('/posts?per_page=1&page=2');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<span class="current">Page 2 of 3</span>');
    expect(res.text).toContain('<a href="/posts?page=1&amp;per_page=1" rel="prev">← Previous</a>');
    expect(res.text).toContain('<a href="/posts?page=3&amp;per_page=1" rel="next">Next →</a>');
    expect(res.text).toContain(`<a href="/posts/${rows[1]!.id}">`);
    expect(res.text).not.toContain(`<a href="/posts/${rows[0]!.id}">`);
    expect(res.text).not.toContain(`<a href="/posts/${rows[2]!.id}">`);
  });

  test.each([
    ['page=abc', 'page'],
    ['page=0', 'page'],
    ['page=1.5', 'page'],
    ['per_page=1000', 'per_page'],
    ['per_page=0', 'per_page'],
    ['per_page=ten', 'per_page'],
  ])('?%s is a 422 naming the field, not a 500', async (qs, field) => {
    const res = await request(t.app).get(`/posts?${qs}`).set('Accept', 'application/json');
    expect(res.status).toBe(422);
    const problem = problemOf(res);
    expect(problem).toEqual(expect.objectContaining({ status: 422, title: 'Unprocessable Content', instance: `/posts?${qs}` }));
    const errors = problem.errors as Record<string, string[]>;
    expect(Object.keys(errors)).toEqual([field]);
    expect(errors[field]![0]).toEqual(expect.any(String));
  });

  test('the messages say what is wrong', async () => {
    const abc = problemOf(await request(t.app).get('/posts?page=abc').set('Accept', 'application/json'));
    expect(abc.errors).toEqual({ page: ['must be a number'] });
    const big = problemOf(await request(t.app).get('/posts?per_page=1000').set('Accept', 'application/json'));
    expect(big.errors).toEqual({ per_page: ['must be at most 100'] });
  });

  test('bad paging in a browser is a 422 page that names the field', async () => {
    const res = await request(t.app).get('/posts?page=abc');
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<strong>page</strong> must be a number');
  });
});

describe('GET /users/:userId/posts', () => {
  test('lists only that user’s posts, in HTML', async () => {
    const ericId = await userId('eric');
    const res = await request(t.app).get(`/users/${ericId}/posts`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Posts by eric</h1>');
    expect(res.text).toContain('1 post<');
    const why = await postByTitle('Why a URL table');
    expect(res.text).toContain(`<a href="/posts/${why.id}">Why a URL table</a>`);
    expect(res.text).not.toContain('The essence of a web framework');
    expect(res.text).not.toContain('Draft: MVC and MTV');
    expect(res.text).toContain(`href="/users/${ericId}/posts/new">New post</a>`);
  });

  test('lists only that user’s posts, in JSON', async () => {
    const alexId = await userId('alex');
    const res = await request(t.app).get(`/users/${alexId}/posts`).set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual({ page: 1, perPage: 20, total: 2, pages: 1 });
    expect(res.body.data.map((p: { title: string }) => p.title).sort()).toEqual(['Draft: MVC and MTV', 'The essence of a web framework']);
    for (const post of res.body.data) {
      expect(post.user_id).toBe(alexId);
      expect(post.author.name).toBe('alex');
    }
  });

  test('paging links keep the nested path', async () => {
    const alexId = await userId('alex');
    const res = await request(t.app).get(`/users/${alexId}/posts?per_page=1`).set('Accept', 'application/json');
    expect(res.body.meta).toEqual({ page: 1, perPage: 1, total: 2, pages: 2 });
    expect(parseLinks(res.headers.link)).toEqual({
      next: `/users/${alexId}/posts?page=2&per_page=1`,
      last: `/users/${alexId}/posts?page=2&per_page=1`,
    });
  });

  test('an unknown user is a 404, in HTML and JSON', async () => {
    const max = await t.knex('users').max({ id: 'id' }).first();
    const missing = Number(max!.id) + 1000;
    const html = await request(t.app).get(`/users/${missing}/posts`);
    expect(html.status).toBe(404);
    expect(html.text).toContain('<h1>Page not found</h1>');
    const json = await request(t.app).get(`/users/${missing}/posts`).set('Accept', 'application/json');
    expect(json.status).toBe(404);
    expect(problemOf(json).status).toBe(404);
    const word = await request(t.app).get('/users/abc/posts').set('Accept', 'application/json');
    expect(word.status).toBe(404);
  });
});

describe('GET /posts/:id', () => {
  test('shows the post, its author, edit and delete in HTML', async () => {
    const post = await postByTitle('The essence of a web framework');
    const res = await request(t.app).get(`/posts/${post.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<title>The essence of a web framework · Trestle</title>');
    expect(res.text).toContain('<h1>The essence of a web framework</h1>');
    expect(res.text).toContain('<div class="body">A socket server, a URL table and a template.</div>');
    expect(res.text).toContain(`by <a href="/users/${post.user_id}">alex</a>`);
    expect(res.text).toContain(`href="/posts/${post.id}/edit">Edit</a>`);
    expect(res.text).toContain(`<form method="post" action="/posts/${post.id}" class="button-to"><input type="hidden" name="_method" value="DELETE">`);
    expect(res.text).not.toContain('<span class="badge">draft</span>');
  });

  test('a draft is marked as such', async () => {
    const draft = await postByTitle('Draft: MVC and MTV');
    const res = await request(t.app).get(`/posts/${draft.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<span class="badge">draft</span>');
  });

  test('JSON has the post with its author', async () => {
    const post = await postByTitle('Why a URL table');
    const res = await request(t.app).get(`/posts/${post.id}`).set('Accept', 'application/json');
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
      author: expect.objectContaining({ id: post.user_id, name: 'eric', email: 'eric@example.com' }),
    });
  });

  test('an unknown id is a 404 in HTML and JSON', async () => {
    const max = await t.knex('posts').max({ id: 'id' }).first();
    const missing = Number(max!.id) + 1000;
    const html = await request(t.app).get(`/posts/${missing}`);
    expect(html.status).toBe(404);
    expect(html.text).toContain('<h1>Page not found</h1>');
    const json = await request(t.app).get(`/posts/${missing}`).set('Accept', 'application/json');
    expect(json.status).toBe(404);
    expect(problemOf(json)).toEqual(expect.objectContaining({ status: 404, title: 'Not Found', instance: `/posts/${missing}` }));
  });

  test.each(['abc', '0', '-1', '1.5', '1e3'])('/posts/%s is a 404, not a 500', async (id) => {
    const res = await request(t.app).get(`/posts/${id}`).set('Accept', 'application/json');
    expect(res.status).toBe(404);
    expect(problemOf(res).status).toBe(404);
  });

  test('an id too large for the column is a 404 too (it cannot exist)', async () => {
    const res = await request(t.app).get('/posts/99999999999').set('Accept', 'application/json');
    expect(res.status).toBe(404);
  });

  test('a title is escaped on the page', async () => {
    const post = await insertPost({ title: '<script>alert(1)</script>', body: '<b>bold</b>' });
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

describe('GET /posts/new and /users/:userId/posts/new', () => {
  test('the form has an author select, title, body, published, and posts to /posts', async () => {
    const res = await request(t.app).get('/posts/new');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>New post</h1>');
    expect(res.text).toContain('<form class="form" method="post" action="/posts">');
    expect(res.text).not.toContain('name="_method"');
    const alexId = await userId('alex');
    const ericId = await userId('eric');
    expect(res.text).toContain(
      `<select id="post_user_id" name="user_id"><option value="">Choose an author</option><option value="${alexId}">alex</option><option value="${ericId}">eric</option></select>`,
    );
    expect(inputValue(res.text, 'post_title')).toBe('');
    expect(res.text).toMatch(/<input id="post_title" name="title" type="text" value="" required>/);
    expect(textareaValue(res.text, 'post_body')).toBe('');
    expect(res.text).toContain('<input type="hidden" name="published" value="false">');
    expect(isChecked(res.text, 'post_published')).toBe(false);
    expect(res.text).toContain('<button type="submit" class="button">Publish</button>');
  });

  test('the nested form has no author select and posts to /users/:userId/posts', async () => {
    const ericId = await userId('eric');
    const res = await request(t.app).get(`/users/${ericId}/posts/new`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>New post by eric</h1>');
    expect(res.text).toContain(`<form class="form" method="post" action="/users/${ericId}/posts">`);
    expect(res.text).not.toContain('<select');
    expect(res.text).not.toContain('name="user_id"');
    expect(res.text).toContain('name="title"');
    expect(res.text).toContain('name="body"');
  });

  test('the nested form of an unknown user is a 404', async () => {
    const max = await t.knex('users').max({ id: 'id' }).first();
    const res = await request(t.app).get(`/users/${Number(max!.id) + 1000}/posts/new`);
    expect(res.status).toBe(404);
  });
});

describe('POST /posts', () => {
  test('an HTML form creates the post, redirects to it with 303, and flashes once', async () => {
    const agent = request.agent(t.app);
    const ericId = await userId('eric');
    const before = await countPosts();
    const res = await agent.post('/posts').type('form').send(`title=Created+from+a+form&body=Some+words.&user_id=${ericId}&published=false&published=true`);
    expect(res.status).toBe(303);
    const row = await postByTitle('Created from a form');
    expect(res.headers.location).toBe(`/posts/${row.id}`);
    expect(row).toEqual(expect.objectContaining({ user_id: ericId, body: 'Some words.', published: true }));
    expect(await countPosts()).toBe(before + 1);

    const next = await agent.get(res.headers.location!);
    expect(next.status).toBe(200);
    expect(next.text).toContain('<h1>Created from a form</h1>');
    expect(flashNotice(next.text)).toBe('The post was published.');

    const after = await agent.get(res.headers.location!);
    expect(after.status).toBe(200);
    expect(flashNotice(after.text)).toBeUndefined();
    expect(after.text).not.toContain('The post was published.');
  });

  test('JSON: 201 with Location /posts/:id and the new post', async () => {
    const alexId = await userId('alex');
    const before = await countPosts();
    const res = await request(t.app)
      .post('/posts')
      .set('Accept', 'application/json')
      .send({ title: '  Made by the API  ', body: 'JSON body', user_id: alexId, published: true });
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers.location).toBe(`/posts/${res.body.id}`);
    expect(res.body).toEqual({
      id: expect.any(Number),
      user_id: alexId,
      title: 'Made by the API',
      body: 'JSON body',
      published: true,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(await countPosts()).toBe(before + 1);
    const row = await postRow(res.body.id);
    expect(row).toEqual(expect.objectContaining({ user_id: alexId, title: 'Made by the API', body: 'JSON body', published: true }));
    const shown = await request(t.app).get(res.headers.location!).set('Accept', 'application/json');
    expect(shown.body.author.name).toBe('alex');
  });

  test('JSON defaults: no body and no published mean an empty draft', async () => {
    const alexId = await userId('alex');
    const res = await request(t.app).post('/posts').set('Accept', 'application/json').send({ title: 'Bare', user_id: alexId });
    expect(res.status).toBe(201);
    expect(res.body).toEqual(expect.objectContaining({ body: '', published: false }));
    expect(await postRow(res.body.id)).toEqual(expect.objectContaining({ body: '', published: false }));
  });

  test('fields outside the schema are ignored (no mass assignment of id or timestamps)', async () => {
    const alexId = await userId('alex');
    const res = await request(t.app)
      .post('/posts')
      .set('Accept', 'application/json')
      .send({ title: 'Sneaky', user_id: alexId, id: 987654, created_at: '2000-01-01T00:00:00Z' });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe(987654);
    expect(new Date(res.body.created_at).getUTCFullYear()).toBeGreaterThan(2000);
    expect(await postRow(987654)).toBeUndefined();
  });

  test('a blank title in HTML re-renders the form with 422, keeping the input, with the message by the field', async () => {
    const ericId = await userId('eric');
    const before = await countPosts();
    const res = await request(t.app).post('/posts').type('form').send(`title=+++&body=Words+%3Ckept%3E&user_id=${ericId}&published=false`);
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<form class="form" method="post" action="/posts">');
    expect(res.text).toContain('<div class="error-summary" role="alert">Please correct the error below.</div>');
    expect(textareaValue(res.text, 'post_body')).toBe('Words &lt;kept&gt;');
    expect(res.text).toContain(`<option value="${ericId}" selected>eric</option>`);
    expect(res.text).toMatch(
      /<div class="field has-error"><label for="post_title">Title<\/label><input id="post_title" name="title" type="text" value="[^"]*" required aria-invalid="true" aria-describedby="post_title_error"><p class="field-error" id="post_title_error">Title can&#39;t be blank<\/p><\/div>/,
    );
    expect(res.text).not.toContain('id="post_body_error"');
    expect(await countPosts()).toBe(before);
  });

  test('a blank title in JSON is a 422 problem with errors.title, and no row', async () => {
    const alexId = await userId('alex');
    const before = await countPosts();
    const res = await request(t.app).post('/posts').set('Accept', 'application/json').send({ title: '', body: 'x', user_id: alexId });
    expect(res.status).toBe(422);
    const problem = problemOf(res);
    expect(problem).toEqual(expect.objectContaining({ status: 422, title: 'Unprocessable Content', instance: '/posts' }));
    expect(problem.errors).toEqual({ title: ["can't be blank"] });
    expect(await countPosts()).toBe(before);
  });

  test('a missing title and author in JSON name both fields', async () => {
    const before = await countPosts();
    const res = await request(t.app).post('/posts').set('Accept', 'application/json').send({ body: 'orphan' });
    expect(res.status).toBe(422);
    const errors = problemOf(res).errors as Record<string, string[]>;
    expect(Object.keys(errors).sort()).toEqual(['title', 'user_id']);
    expect(await countPosts()).toBe(before);
  });

  test('a user_id that does not exist is a 422 with errors.user_id (JSON), and no row', async () => {
    const max = await t.knex('users').max({ id: 'id' }).first();
    const missing = Number(max!.id) + 1000;
    const before = await countPosts();
    const res = await request(t.app).post('/posts').set('Accept', 'application/json').send({ title: 'Nobody wrote this', user_id: missing });
    expect(res.status).toBe(422);
    const problem = problemOf(res);
    expect(Object.keys(problem.errors as object)).toEqual(['user_id']);
    expect(await countPosts()).toBe(before);
    expect(await t.knex('posts').where({ title: 'Nobody wrote this' }).first()).toBeUndefined();
  });

  test('a user_id that does not exist is a 422 form with the message by the author select (HTML)', async () => {
    const max = await t.knex('users').max({ id: 'id' }).first();
    const missing = Number(max!.id) + 1000;
    const before = await countPosts();
    const res = await request(t.app).post('/posts').type('form').send(`title=Ghost+writer&body=boo&user_id=${missing}`);
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/<select id="post_user_id" name="user_id" aria-invalid="true" aria-describedby="post_user_id_error">.*<\/select><p class="field-error" id="post_user_id_error">\w+ does not refer to an existing record<\/p>/);
    expect(inputValue(res.text, 'post_title')).toBe('Ghost writer');
    expect(await countPosts()).toBe(before);
  });

  test('a user_id too large for the column is a 422 on user_id too, not a bare 400', async () => {
    const before = await countPosts();
    const res = await request(t.app).post('/posts').set('Accept', 'application/json').send({ title: 'Huge author id', user_id: 99999999999 });
    expect(res.status).toBe(422);
    expect(Object.keys(problemOf(res).errors as object)).toEqual(['user_id']);
    expect(await countPosts()).toBe(before);
  });

  test('an HTML form with no author chosen says so', async () => {
    const before = await countPosts();
    const res = await request(t.app).post('/posts').type('form').send('title=Who+am+I&body=&user_id=');
    expect(res.status).toBe(422);
    expect(res.text).toContain('<p class="field-error" id="post_user_id_error">Author must be chosen</p>');
    expect(await countPosts()).toBe(before);
  });

  test('a title over 200 characters is refused', async () => {
    const alexId = await userId('alex');
    const before = await countPosts();
    const res = await request(t.app).post('/posts').set('Accept', 'application/json').send({ title: 'x'.repeat(201), user_id: alexId });
    expect(res.status).toBe(422);
    expect(problemOf(res).errors).toEqual({ title: ['is too long (at most 200 characters)'] });
    expect(await countPosts()).toBe(before);
  });
});

describe('POST /users/:userId/posts', () => {
  test('the author comes from the URL, whatever user_id the body says (JSON)', async () => {
    const alexId = await userId('alex');
    const ericId = await userId('eric');
    const res = await request(t.app)
      .post(`/users/${ericId}/posts`)
      .set('Accept', 'application/json')
      .send({ title: 'Nested via API', user_id: alexId });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/posts/${res.body.id}`);
    expect(res.body.user_id).toBe(ericId);
    expect((await postRow(res.body.id))!.user_id).toBe(ericId);
  });

  test('the author comes from the URL in an HTML form too, with a 303 and the flash', async () => {
    const agent = request.agent(t.app);
    const alexId = await userId('alex');
    const ericId = await userId('eric');
    const res = await agent.post(`/users/${alexId}/posts`).type('form').send(`title=Nested+form&body=hi&user_id=${ericId}&published=false`);
    expect(res.status).toBe(303);
    const row = await postByTitle('Nested form');
    expect(res.headers.location).toBe(`/posts/${row.id}`);
    expect(row.user_id).toBe(alexId);
    const next = await agent.get(res.headers.location!);
    expect(flashNotice(next.text)).toBe('The post was published.');
  });

  test('an invalid nested form re-renders the nested form (no author select, same action)', async () => {
    const ericId = await userId('eric');
    const before = await countPosts();
    const res = await request(t.app).post(`/users/${ericId}/posts`).type('form').send('title=&body=still+here');
    expect(res.status).toBe(422);
    expect(res.text).toContain(`<form class="form" method="post" action="/users/${ericId}/posts">`);
    expect(res.text).not.toContain('<select');
    expect(textareaValue(res.text, 'post_body')).toBe('still here');
    expect(res.text).toContain('id="post_title_error">Title can&#39;t be blank</p>');
    expect(await countPosts()).toBe(before);
  });

  test('an unknown user is a 404 and writes nothing', async () => {
    const max = await t.knex('users').max({ id: 'id' }).first();
    const before = await countPosts();
    const res = await request(t.app)
      .post(`/users/${Number(max!.id) + 1000}/posts`)
      .set('Accept', 'application/json')
      .send({ title: 'Lost' });
    expect(res.status).toBe(404);
    expect(await countPosts()).toBe(before);
  });
});

describe('GET /posts/:id/edit', () => {
  test('the form is filled with the post’s values and overrides the method to PATCH', async () => {
    const post = await insertPost({ title: 'Edit "me" & <you>', body: 'Body to edit', published: true, user_id: await userId('eric') });
    const res = await request(t.app).get(`/posts/${post.id}/edit`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Edit post</h1>');
    expect(res.text).toContain(`<form class="form" method="post" action="/posts/${post.id}"><input type="hidden" name="_method" value="PATCH">`);
    expect(inputValue(res.text, 'post_title')).toBe('Edit &#34;me&#34; &amp; &lt;you&gt;');
    expect(textareaValue(res.text, 'post_body')).toBe('Body to edit');
    expect(res.text).toContain(`<option value="${post.user_id}" selected>eric</option>`);
    expect(isChecked(res.text, 'post_published')).toBe(true);
    expect(res.text).toContain('<button type="submit" class="button">Save changes</button>');
    expect(res.text).toContain(`<a href="/posts/${post.id}">Cancel</a>`);
  });

  test('a draft’s checkbox is not ticked', async () => {
    const draft = await postByTitle('Draft: MVC and MTV');
    const res = await request(t.app).get(`/posts/${draft.id}/edit`);
    expect(res.status).toBe(200);
    expect(isChecked(res.text, 'post_published')).toBe(false);
  });

  test('an unknown post has no edit page', async () => {
    const max = await t.knex('posts').max({ id: 'id' }).first();
    expect((await request(t.app).get(`/posts/${Number(max!.id) + 1000}/edit`)).status).toBe(404);
    expect((await request(t.app).get('/posts/abc/edit')).status).toBe(404);
  });
});

describe('PATCH /posts/:id', () => {
  test('JSON: 200 with the new values, stored, and updated_at moves', async () => {
    const post = await insertPost({ title: 'Before', body: 'old body', published: false });
    const ericId = await userId('eric');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const res = await request(t.app)
      .patch(`/posts/${post.id}`)
      .set('Accept', 'application/json')
      .send({ title: 'After', body: 'new body', published: true, user_id: ericId });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual(expect.objectContaining({ id: post.id, title: 'After', body: 'new body', published: true, user_id: ericId }));
    expect(new Date(res.body.updated_at).getTime()).toBeGreaterThan(post.updated_at.getTime());
    expect(res.body.created_at).toBe(post.created_at.toISOString());
    const row = await postRow(post.id);
    expect(row).toEqual(expect.objectContaining({ title: 'After', body: 'new body', published: true, user_id: ericId }));
    expect(row!.updated_at.getTime()).toBeGreaterThan(post.updated_at.getTime());
  });

  test('a PATCH of the title alone leaves the body and "published" as they were', async () => {
    const post = await insertPost({ title: 'Partial before', body: 'keep this body', published: true });
    const res = await request(t.app).patch(`/posts/${post.id}`).set('Accept', 'application/json').send({ title: 'Partial after' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ title: 'Partial after', body: 'keep this body', published: true }));
    expect(await postRow(post.id)).toEqual(expect.objectContaining({ title: 'Partial after', body: 'keep this body', published: true }));
  });

  test('moving a post to another user answers with that user as author, not the old one', async () => {
    const alexId = await userId('alex');
    const ericId = await userId('eric');
    const post = await insertPost({ title: 'Changing hands', user_id: alexId });
    const res = await request(t.app).patch(`/posts/${post.id}`).set('Accept', 'application/json').send({ user_id: ericId });
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe(ericId);
    expect(res.body.author).toEqual(expect.objectContaining({ id: ericId, name: 'eric' }));
    expect((await postRow(post.id))!.user_id).toBe(ericId);
  });

  test('PUT does the same as PATCH', async () => {
    const post = await insertPost({ title: 'Put before' });
    const res = await request(t.app).put(`/posts/${post.id}`).set('Accept', 'application/json').send({ body: 'put body' });
    expect(res.status).toBe(200);
    expect((await postRow(post.id))!.body).toBe('put body');
  });

  test('JSON published: false stores false', async () => {
    const post = await insertPost({ title: 'Unpublish via JSON', published: true });
    const res = await request(t.app).patch(`/posts/${post.id}`).set('Accept', 'application/json').send({ published: false });
    expect(res.status).toBe(200);
    expect(res.body.published).toBe(false);
    expect((await postRow(post.id))!.published).toBe(false);
  });

  test('an HTML form with _method=PATCH updates, redirects with 303, and flashes', async () => {
    const agent = request.agent(t.app);
    const post = await insertPost({ title: 'Form before', body: 'b' });
    const res = await agent
      .post(`/posts/${post.id}`)
      .type('form')
      .send(`_method=PATCH&title=Form+after&body=new+body&user_id=${post.user_id}&published=false&published=true`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/posts/${post.id}`);
    expect(await postRow(post.id)).toEqual(expect.objectContaining({ title: 'Form after', body: 'new body', published: true }));
    const next = await agent.get(res.headers.location!);
    expect(flashNotice(next.text)).toBe('The post was updated.');
    expect(next.text).toContain('<h1>Form after</h1>');
    const again = await agent.get(res.headers.location!);
    expect(flashNotice(again.text)).toBeUndefined();
  });

  test('unticking "published" in the form (it sends published=false) stores false', async () => {
    const post = await insertPost({ title: 'Published, to be unticked', published: true });
    const res = await request(t.app)
      .post(`/posts/${post.id}`)
      .type('form')
      .send(`_method=PATCH&title=Published%2C+to+be+unticked&body=&user_id=${post.user_id}&published=false`);
    expect(res.status).toBe(303);
    expect((await postRow(post.id))!.published).toBe(false);
  });

  test('a new post created from the form with "published" unticked is a draft', async () => {
    const alexId = await userId('alex');
    const res = await request(t.app).post('/posts').type('form').send(`title=Unticked+draft&body=&user_id=${alexId}&published=false`);
    expect(res.status).toBe(303);
    expect((await postByTitle('Unticked draft')).published).toBe(false);
  });

  test('an invalid HTML update is a 422 form with the input kept, and the row unchanged', async () => {
    const post = await insertPost({ title: 'Stays the same', body: 'original body', published: false });
    const res = await request(t.app)
      .post(`/posts/${post.id}`)
      .type('form')
      .send(`_method=PATCH&title=&body=edited+but+not+saved&user_id=${post.user_id}&published=false`);
    expect(res.status).toBe(422);
    expect(res.text).toContain(`<form class="form" method="post" action="/posts/${post.id}"><input type="hidden" name="_method" value="PATCH">`);
    expect(textareaValue(res.text, 'post_body')).toBe('edited but not saved');
    expect(res.text).toContain('id="post_title_error">Title can&#39;t be blank</p>');
    const row = await postRow(post.id);
    expect(row).toEqual(post);
  });

  test('a failed HTML update keeps a ticked "published" box ticked', async () => {
    const post = await insertPost({ title: 'Tick stays', published: false });
    const res = await request(t.app)
      .post(`/posts/${post.id}`)
      .type('form')
      .send(`_method=PATCH&title=&body=&user_id=${post.user_id}&published=false&published=true`);
    expect(res.status).toBe(422);
    expect(isChecked(res.text, 'post_published')).toBe(true);
    expect(await postRow(post.id)).toEqual(post);
  });

  test('an invalid JSON update is a 422 problem and the row is unchanged', async () => {
    const post = await insertPost({ title: 'JSON stays', body: 'kept' });
    const res = await request(t.app).patch(`/posts/${post.id}`).set('Accept', 'application/json').send({ title: '   ', body: 'nope' });
    expect(res.status).toBe(422);
    expect(problemOf(res).errors).toEqual({ title: ["can't be blank"] });
    expect(await postRow(post.id)).toEqual(post);
  });

  test('moving a post to a user that does not exist is a 422 on user_id and changes nothing', async () => {
    const post = await insertPost({ title: 'Not moving' });
    const max = await t.knex('users').max({ id: 'id' }).first();
    const res = await request(t.app)
      .patch(`/posts/${post.id}`)
      .set('Accept', 'application/json')
      .send({ user_id: Number(max!.id) + 1000, title: 'Moved?' });
    expect(res.status).toBe(422);
    expect(Object.keys(problemOf(res).errors as object)).toEqual(['user_id']);
    expect(await postRow(post.id)).toEqual(post);
  });

  test('an unknown post is a 404', async () => {
    const max = await t.knex('posts').max({ id: 'id' }).first();
    const res = await request(t.app)
      .patch(`/posts/${Number(max!.id) + 1000}`)
      .set('Accept', 'application/json')
      .send({ title: 'x' });
    expect(res.status).toBe(404);
  });
});

describe('DELETE /posts/:id', () => {
  test('JSON: 204 with an empty body, and the row is gone', async () => {
    const post = await insertPost({ title: 'Delete me (JSON)' });
    const before = await countPosts();
    const res = await request(t.app).delete(`/posts/${post.id}`).set('Accept', 'application/json');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await postRow(post.id)).toBeUndefined();
    expect(await countPosts()).toBe(before - 1);
    const again = await request(t.app).get(`/posts/${post.id}`).set('Accept', 'application/json');
    expect(again.status).toBe(404);
  });

  test('an HTML form with _method=DELETE deletes, redirects to /posts with 303, and flashes', async () => {
    const agent = request.agent(t.app);
    const post = await insertPost({ title: 'Delete me (form)' });
    const res = await agent.post(`/posts/${post.id}`).type('form').send('_method=DELETE');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/posts');
    expect(await postRow(post.id)).toBeUndefined();
    const list = await agent.get('/posts');
    expect(flashNotice(list.text)).toBe('The post was deleted.');
    expect(list.text).not.toContain('Delete me (form)');
    const again = await agent.get('/posts');
    expect(flashNotice(again.text)).toBeUndefined();
  });

  test('deleting an unknown post is a 404 and deletes nothing', async () => {
    const before = await countPosts();
    const max = await t.knex('posts').max({ id: 'id' }).first();
    const res = await request(t.app).delete(`/posts/${Number(max!.id) + 1000}`).set('Accept', 'application/json');
    expect(res.status).toBe(404);
    expect(await countPosts()).toBe(before);
  });
});

describe('request bodies', () => {
  test('malformed JSON is a 400 problem, and writes nothing', async () => {
    const before = await countPosts();
    const res = await request(t.app)
      .post('/posts')
      .set('Accept', 'application/json')
      .set('Content-Type', 'application/json')
      .send('{"title": "half');
    expect(res.status).toBe(400);
    expect(problemOf(res)).toEqual(expect.objectContaining({ status: 400, title: 'Bad Request', detail: 'The request body is not valid JSON.' }));
    expect(await countPosts()).toBe(before);
  });

  test('a JSON body over 100kb is a 413, and writes nothing', async () => {
    const alexId = await userId('alex');
    const before = await countPosts();
    const res = await request(t.app)
      .post('/posts')
      .set('Accept', 'application/json')
      .send({ title: 'Too big', user_id: alexId, body: 'x'.repeat(101 * 1024) });
    expect(res.status).toBe(413);
    expect(problemOf(res)).toEqual(expect.objectContaining({ status: 413, title: 'Payload Too Large' }));
    expect(await countPosts()).toBe(before);
  });

  test('a form body over 100kb is a 413 too', async () => {
    const alexId = await userId('alex');
    const before = await countPosts();
    const res = await request(t.app).post('/posts').type('form').send(`title=Too+big&user_id=${alexId}&body=${'x'.repeat(101 * 1024)}`);
    expect(res.status).toBe(413);
    expect(await countPosts()).toBe(before);
  });
});

describe('queries', () => {
  async function queriesForList(path: string): Promise<{ count: number; status: number; posts: number }> {
    const { result, queries } = await recordQueries(t.db, () => request(t.app).get(path).set('Accept', 'application/json'));
    return { count: queries.length, status: result.status, posts: result.body.data.length };
  }

  test('the list of posts with authors takes the same few queries however many posts and authors there are', async () => {
    const small = await queriesForList('/posts?per_page=100');
    expect(small.status).toBe(200);
    expect(small.count).toBeLessThanOrEqual(3);

    for (let i = 0; i < 6; i++) {
      const [user] = await t.knex('users').insert({ name: `writer${i}`, email: `writer${i}@example.com` }).returning('id');
      await t.knex('posts').insert([
        { user_id: user.id, title: `Post A by writer${i}` },
        { user_id: user.id, title: `Post B by writer${i}` },
      ]);
    }
    const large = await queriesForList('/posts?per_page=100');
    expect(large.status).toBe(200);
    expect(large.posts).toBe(small.posts + 12);
    expect(large.count).toBe(small.count);

    const html = await recordQueries(t.db, () => request(t.app).get('/posts?per_page=100'));
    expect(html.result.status).toBe(200);
    expect(html.result.text).toContain('by <a href="/users/');
    expect(html.result.text).toContain('>writer5</a>');
    expect(html.queries.length).toBe(small.count);
  });

  test('one user’s list is constant too', async () => {
    const alexId = await userId('alex');
    const before = await queriesForList(`/users/${alexId}/posts?per_page=100`);
    for (let i = 0; i < 5; i++) await insertPost({ title: `More by alex ${i}`, user_id: alexId });
    const after = await queriesForList(`/users/${alexId}/posts?per_page=100`);
    expect(after.posts).toBe(before.posts + 5);
    expect(after.count).toBe(before.count);
  });
});
