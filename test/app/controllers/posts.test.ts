import request from 'supertest';
import { useTestApp } from '../../support/app';
import { createUser, csrfFrom, signIn, signInJson, testPassword } from '../../support/auth';
import { recordQueries } from '../../support/queries';
import type { PostRow } from '../../../app/models/Post';
import type { User } from '../../../app/models/User';

const t = useTestApp();

type Agent = ReturnType<typeof request.agent>;
/** A browser signed in through the real form: its cookie jar and its session's CSRF token. */
type Browser = { agent: Agent; csrf: string };

// Two users of our own (the seeded alex and eric have expensive password hashes): ada writes the
// posts the tests change, bob is someone else. Sign-ins are rate-limited (20 per address per
// quarter-hour), so each of them signs in once per kind of client and the tests share the agents.
let ada: User;
let bob: User;
let adaBrowser: Browser;
let bobBrowser: Browser;
let adaApi: Agent;
let bobApi: Agent;

beforeAll(async () => {
  ada = await createUser({ name: 'ada' });
  bob = await createUser({ name: 'bob' });
  adaBrowser = await signIn(t.app, ada.email);
  bobBrowser = await signIn(t.app, bob.email);
  adaApi = await signInJson(t.app, ada.email);
  bobApi = await signInJson(t.app, bob.email);
});

const json = { Accept: 'application/json' };
/** What a ticked checkbox sends: its hidden "false" and then its own "true". */
const ticked = ['false', 'true'];

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

async function countPosts(where: Partial<PostRow> = {}): Promise<number> {
  const row = await t.knex('posts').where(where).count({ n: '*' }).first();
  return Number(row!.n);
}

/** An id one past anything in the table: nothing has it. */
async function missingId(table: 'users' | 'posts'): Promise<number> {
  const row = await t.knex(table).max({ id: 'id' }).first();
  return Number(row!.id) + 1000;
}

/** The posts `viewer` (anonymous by default) sees in a list, in its order: published ones and their own drafts, newest first. */
async function postsNewestFirst(where: Partial<PostRow> = {}, viewer?: { id: number }): Promise<PostRow[]> {
  return (await t
    .knex('posts')
    .where(where)
    .where((visible) => (viewer ? visible.where({ published: true }).orWhere({ user_id: viewer.id }) : visible.where({ published: true })))
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])) as PostRow[];
}

/** How many posts `viewer` (anonymous by default) sees in a list. */
async function countVisible(where: Partial<PostRow> = {}, viewer?: { id: number }): Promise<number> {
  return (await postsNewestFirst(where, viewer)).length;
}

/** Inserts a post by `owner` straight into the table (no HTTP), for tests that show, change or delete one. */
async function insertPost(owner: { id: number }, attrs: Partial<PostRow> & { title: string }): Promise<PostRow> {
  const [row] = (await t.knex('posts').insert({ user_id: owner.id, body: '', published: false, ...attrs }).returning('*')) as PostRow[];
  return row!;
}

/** An urlencoded form body; an array value is sent once per element, as a browser does. */
function formBody(fields: Record<string, string | number | readonly string[]>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, String(one));
  }
  return params.toString();
}

/** A form submitted by a signed-in browser, with its CSRF token, as the page would send it. */
function submitForm(browser: Browser, path: string, fields: Record<string, string | number | readonly string[]>) {
  return browser.agent.post(path).type('form').send(formBody({ _csrf: browser.csrf, ...fields }));
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

/** The `value` of `<input … id="…">`. */
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

function flashAlert(html: string): string | undefined {
  return html.match(/<p class="flash alert" role="alert">([^<]*)<\/p>/)?.[1];
}

/** The ids of the posts a list page links to, in order. */
function listedPostIds(html: string): number[] {
  return [...html.matchAll(/<a href="\/posts\/(\d+)">/g)].map((m) => Number(m[1]));
}

function problemOf(res: request.Response): Record<string, unknown> {
  expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  return JSON.parse(res.text) as Record<string, unknown>;
}

/** A 403 as problem+json, with this detail. */
function expectForbiddenJson(res: request.Response, detail: string): void {
  expect(res.status).toBe(403);
  expect(problemOf(res)).toEqual(expect.objectContaining({ status: 403, title: 'Forbidden', detail }));
}

/** A 403 error page for a browser, with this message. */
function expectForbiddenPage(res: request.Response, detail: string): void {
  expect(res.status).toBe(403);
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(res.text).toContain(`<p>${detail.replace(/'/g, '&#39;')}</p>`);
}

/** The browser was sent to the sign-in page. */
function expectSentToLogin(res: request.Response): void {
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/login/');
}

const notYours = 'You can only change your own posts.';
const notYou = 'You can only write posts as yourself.';
const badToken = 'The form has expired or did not come from this site. Reload the page and try again.';
const crossSite = 'Cross-site requests are refused.';

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

describe('GET /posts/new and /users/:userId/posts/new', () => {
  test('the form has title, body, published and the CSRF token, no author select, and posts to /posts', async () => {
    const res = await adaBrowser.agent.get('/posts/new');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>New post</h1>');
    expect(res.text).toContain(`<form class="form" method="post" action="/posts"><input type="hidden" name="_csrf" value="${adaBrowser.csrf}">`);
    expect(res.text).not.toContain('name="_method"');
    expect(res.text).not.toContain('<select');
    expect(res.text).not.toContain('name="user_id"');
    expect(inputValue(res.text, 'post_title')).toBe('');
    expect(res.text).toMatch(/<input id="post_title" name="title" type="text" value="" required>/);
    expect(textareaValue(res.text, 'post_body')).toBe('');
    expect(res.text).toContain('<input type="hidden" name="published" value="false">');
    expect(isChecked(res.text, 'post_published')).toBe(false);
    expect(res.text).toContain('<button type="submit" class="button">Publish</button>');
  });

  test('an anonymous browser is sent to sign in (303) with a message, and comes back to the form after', async () => {
    const agent = request.agent(t.app);
    const res = await agent.get('/posts/new');
    expectSentToLogin(res);
    const login = await agent.get(res.headers.location!);
    expect(login.status).toBe(200);
    expect(flashAlert(login.text)).toBe('Please sign in first.');
    const signedIn = await agent.post('/login/').type('form').send(formBody({ _csrf: csrfFrom(login.text), email: ada.email, password: testPassword }));
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toBe('/posts/new');
    const form = await agent.get(signedIn.headers.location!);
    expect(form.status).toBe(200);
    expect(form.text).toContain('<h1>New post</h1>');
  });

  test('an anonymous API client gets a 401 problem', async () => {
    const res = await request(t.app).get('/posts/new').set(json);
    expect(res.status).toBe(401);
    expect(problemOf(res)).toEqual(expect.objectContaining({ status: 401, title: 'Unauthorized' }));
  });

  test('the nested form is open at your own id, and has no author select', async () => {
    const res = await adaBrowser.agent.get(`/users/${ada.id}/posts/new`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>New post</h1>');
    expect(res.text).toMatch(/<form class="form" method="post" action="\/(users\/\d+\/)?posts">/);
    expect(res.text).not.toContain('<select');
    expect(res.text).not.toContain('name="user_id"');
    expect(res.text).toContain('name="title"');
    expect(res.text).toContain('name="body"');
  });

  test('the nested form at someone else’s id is a 403', async () => {
    expectForbiddenPage(await adaBrowser.agent.get(`/users/${bob.id}/posts/new`), notYou);
    expectForbiddenPage(await adaBrowser.agent.get(`/users/${await userId('alex')}/posts/new`), notYou);
  });

  test('the nested form of an anonymous visitor sends them to sign in', async () => {
    expectSentToLogin(await request(t.app).get(`/users/${ada.id}/posts/new`));
  });

  test('the nested form of an unknown user is a 404', async () => {
    const res = await adaBrowser.agent.get(`/users/${await missingId('users')}/posts/new`);
    expect(res.status).toBe(404);
  });
});

describe('POST /posts', () => {
  test('an HTML form creates the post as the signed-in user, redirects to it with 303, and flashes once', async () => {
    const before = await countPosts();
    const res = await submitForm(adaBrowser, '/posts', { title: 'Created from a form', body: 'Some words.', published: ticked });
    expect(res.status).toBe(303);
    const row = await postByTitle('Created from a form');
    expect(res.headers.location).toBe(`/posts/${row.id}`);
    expect(row).toEqual(expect.objectContaining({ user_id: ada.id, body: 'Some words.', published: true }));
    expect(await countPosts()).toBe(before + 1);

    const next = await adaBrowser.agent.get(res.headers.location!);
    expect(next.status).toBe(200);
    expect(next.text).toContain('<h1>Created from a form</h1>');
    expect(next.text).toContain(`by <a href="/users/${ada.id}">ada</a>`);
    expect(flashNotice(next.text)).toBe('The post was published.');

    const after = await adaBrowser.agent.get(res.headers.location!);
    expect(after.status).toBe(200);
    expect(flashNotice(after.text)).toBeUndefined();
    expect(after.text).not.toContain('The post was published.');
  });

  test('a form with "published" unticked (it sends published=false) makes a draft', async () => {
    const res = await submitForm(adaBrowser, '/posts', { title: 'Unticked draft', body: '', published: 'false' });
    expect(res.status).toBe(303);
    expect(await postByTitle('Unticked draft')).toEqual(expect.objectContaining({ user_id: ada.id, published: false }));
  });

  test('JSON: 201 with Location /posts/:id and the new post, written by the signed-in user', async () => {
    const before = await countPosts();
    const res = await adaApi.post('/posts').set(json).send({ title: '  Made by the API  ', body: 'JSON body', published: true });
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers.location).toBe(`/posts/${res.body.id}`);
    expect(res.body).toEqual({
      id: expect.any(Number),
      user_id: ada.id,
      title: 'Made by the API',
      body: 'JSON body',
      published: true,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(await countPosts()).toBe(before + 1);
    const row = await postRow(res.body.id);
    expect(row).toEqual(expect.objectContaining({ user_id: ada.id, title: 'Made by the API', body: 'JSON body', published: true }));
    const shown = await request(t.app).get(res.headers.location!).set(json);
    expect(shown.body.author.name).toBe('ada');
  });

  test.each<[string, () => Promise<unknown>]>([
    ['another user’s id', async () => bob.id],
    ['a seeded user’s id', () => userId('alex')],
    ['an id nobody has', () => missingId('users')],
    ['an id too large for the column', async () => 99999999999],
    ['a word', async () => 'abc'],
  ])('the body’s user_id is ignored (JSON, %s): the author is the signed-in user', async (label, userIdInBody) => {
    const title = `Ignored user_id (${label})`;
    const res = await adaApi.post('/posts').set(json).send({ title, user_id: await userIdInBody() });
    expect(res.status).toBe(201);
    expect(res.body.user_id).toBe(ada.id);
    expect(await postByTitle(title)).toEqual(expect.objectContaining({ id: res.body.id, user_id: ada.id }));
  });

  test('the body’s user_id is ignored in an HTML form too', async () => {
    const res = await submitForm(bobBrowser, '/posts', { title: 'Bob, not Ada', body: '', user_id: ada.id, published: 'false' });
    expect(res.status).toBe(303);
    expect((await postByTitle('Bob, not Ada')).user_id).toBe(bob.id);
  });

  test('JSON defaults: no body and no published mean an empty draft', async () => {
    const res = await adaApi.post('/posts').set(json).send({ title: 'Bare' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual(expect.objectContaining({ body: '', published: false }));
    expect(await postRow(res.body.id)).toEqual(expect.objectContaining({ body: '', published: false }));
  });

  test('fields outside the schema are ignored (no mass assignment of id or timestamps)', async () => {
    const unusedId = await missingId('posts');
    const res = await adaApi.post('/posts').set(json).send({ title: 'Sneaky', id: unusedId, created_at: '2000-01-01T00:00:00Z' });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe(unusedId);
    expect(new Date(res.body.created_at).getUTCFullYear()).toBeGreaterThan(2000);
    expect(await postRow(unusedId)).toBeUndefined();
  });

  test('a blank title in HTML re-renders the form with 422, keeping the input, with the message by the field', async () => {
    const before = await countPosts();
    const res = await submitForm(adaBrowser, '/posts', { title: '   ', body: 'Words <kept>', published: 'false' });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain(`<form class="form" method="post" action="/posts"><input type="hidden" name="_csrf" value="${adaBrowser.csrf}">`);
    expect(res.text).toContain('<div class="error-summary" role="alert">Please correct the error below.</div>');
    expect(textareaValue(res.text, 'post_body')).toBe('Words &lt;kept&gt;');
    expect(res.text).not.toContain('<select');
    expect(res.text).toMatch(
      /<div class="field has-error"><label for="post_title">Title<\/label><input id="post_title" name="title" type="text" value="[^"]*" required aria-invalid="true" aria-describedby="post_title_error"><p class="field-error" id="post_title_error">Title can&#39;t be blank<\/p><\/div>/,
    );
    expect(res.text).not.toContain('id="post_body_error"');
    expect(await countPosts()).toBe(before);
  });

  test('a blank title in JSON is a 422 problem with errors.title, and no row', async () => {
    const before = await countPosts();
    const res = await adaApi.post('/posts').set(json).send({ title: '', body: 'x' });
    expect(res.status).toBe(422);
    const problem = problemOf(res);
    expect(problem).toEqual(expect.objectContaining({ status: 422, title: 'Unprocessable Content', instance: '/posts' }));
    expect(problem.errors).toEqual({ title: ["can't be blank"] });
    expect(await countPosts()).toBe(before);
  });

  test('a missing title is the only error: the author comes from the session, not the body', async () => {
    const before = await countPosts();
    const res = await adaApi.post('/posts').set(json).send({ body: 'orphan' });
    expect(res.status).toBe(422);
    expect(Object.keys(problemOf(res).errors as object)).toEqual(['title']);
    expect(await countPosts()).toBe(before);
  });

  test('a title over 200 characters is refused', async () => {
    const before = await countPosts();
    const res = await adaApi.post('/posts').set(json).send({ title: 'x'.repeat(201) });
    expect(res.status).toBe(422);
    expect(problemOf(res).errors).toEqual({ title: ['is too long (at most 200 characters)'] });
    expect(await countPosts()).toBe(before);
  });

  describe('signing in', () => {
    test('an anonymous JSON POST is a 401 problem and writes nothing', async () => {
      const before = await countPosts();
      const res = await request(t.app).post('/posts').set(json).send({ title: 'Anonymous via API', user_id: ada.id });
      expect(res.status).toBe(401);
      expect(problemOf(res)).toEqual(expect.objectContaining({ status: 401, title: 'Unauthorized', instance: '/posts' }));
      expect(await countPosts()).toBe(before);
      expect(await t.knex('posts').where({ title: 'Anonymous via API' }).first()).toBeUndefined();
    });

    test('an anonymous form with a valid token is sent to sign in and writes nothing', async () => {
      const agent = request.agent(t.app);
      const login = await agent.get('/login/');
      const before = await countPosts();
      const res = await agent.post('/posts').type('form').send(formBody({ _csrf: csrfFrom(login.text), title: 'Anonymous form', body: '' }));
      expectSentToLogin(res);
      expect(await countPosts()).toBe(before);
      expect(flashAlert((await agent.get('/login/')).text)).toBe('Please sign in first.');
    });
  });

  describe('CSRF', () => {
    test.each<[string, (browser: Browser) => Record<string, string>]>([
      ['no _csrf', () => ({})],
      ['an empty _csrf', () => ({ _csrf: '' })],
      ['a wrong _csrf', (browser) => ({ _csrf: browser.csrf.replace(/^./, (c) => (c === '0' ? '1' : '0')) })],
      ['another session’s _csrf', () => ({ _csrf: bobBrowser.csrf })],
    ])('a signed-in form POST with %s is a 403 and writes nothing', async (label, token) => {
      const title = `Forged post (${label})`;
      const before = await countPosts();
      const res = await adaBrowser.agent.post('/posts').type('form').send(formBody({ ...token(adaBrowser), title, body: '', published: 'false' }));
      expectForbiddenPage(res, badToken);
      expect(await countPosts()).toBe(before);
      expect(await t.knex('posts').where({ title }).first()).toBeUndefined();
    });

    test('the same form is accepted with its token in the X-CSRF-Token header', async () => {
      const res = await adaBrowser.agent.post('/posts').type('form').set('X-CSRF-Token', adaBrowser.csrf).send(formBody({ title: 'Token in a header', body: '' }));
      expect(res.status).toBe(303);
      expect((await postByTitle('Token in a header')).user_id).toBe(ada.id);
    });

    test('a form POST without a token is a 403 problem when the client asks for JSON', async () => {
      const before = await countPosts();
      const res = await adaBrowser.agent.post('/posts').type('form').set(json).send(formBody({ title: 'Form wanting JSON' }));
      expectForbiddenJson(res, badToken);
      expect(await countPosts()).toBe(before);
    });

    test('a JSON POST with Sec-Fetch-Site: cross-site is a 403 and writes nothing', async () => {
      const before = await countPosts();
      const res = await adaApi.post('/posts').set(json).set('Sec-Fetch-Site', 'cross-site').send({ title: 'Cross-site via API' });
      expectForbiddenJson(res, crossSite);
      expect(await countPosts()).toBe(before);
    });

    test('a JSON POST from another Origin is a 403 and writes nothing', async () => {
      const before = await countPosts();
      const res = await adaApi.post('/posts').set(json).set('Origin', 'https://evil.example').send({ title: 'Other origin via API' });
      expectForbiddenJson(res, crossSite);
      expect(await countPosts()).toBe(before);
    });

    test('a JSON POST with Sec-Fetch-Site: same-origin needs no token', async () => {
      const res = await adaApi.post('/posts').set(json).set('Sec-Fetch-Site', 'same-origin').send({ title: 'Same origin via API' });
      expect(res.status).toBe(201);
      expect((await postRow(res.body.id))!.user_id).toBe(ada.id);
    });
  });
});

describe('POST /users/:userId/posts', () => {
  test('at your own id (JSON): 201, and the body’s user_id is ignored', async () => {
    const res = await adaApi.post(`/users/${ada.id}/posts`).set(json).send({ title: 'Nested via API', user_id: bob.id });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/posts/${res.body.id}`);
    expect(res.body.user_id).toBe(ada.id);
    expect((await postRow(res.body.id))!.user_id).toBe(ada.id);
  });

  test('at your own id (HTML form): 303 to the post and the flash', async () => {
    const res = await submitForm(adaBrowser, `/users/${ada.id}/posts`, { title: 'Nested form', body: 'hi', user_id: bob.id, published: 'false' });
    expect(res.status).toBe(303);
    const row = await postByTitle('Nested form');
    expect(res.headers.location).toBe(`/posts/${row.id}`);
    expect(row.user_id).toBe(ada.id);
    const next = await adaBrowser.agent.get(res.headers.location!);
    expect(flashNotice(next.text)).toBe('The post was published.');
  });

  test('at someone else’s id it is a 403 and writes nothing, in JSON and in a form', async () => {
    const before = await countPosts();
    expectForbiddenJson(await adaApi.post(`/users/${bob.id}/posts`).set(json).send({ title: 'As bob via API' }), notYou);
    expectForbiddenPage(await submitForm(adaBrowser, `/users/${bob.id}/posts`, { title: 'As bob via a form', body: '' }), notYou);
    expect(await countPosts()).toBe(before);
    expect(await countPosts({ user_id: bob.id, title: 'As bob via API' })).toBe(0);
  });

  test('anonymously it is a 401 (JSON) and writes nothing', async () => {
    const before = await countPosts();
    const res = await request(t.app).post(`/users/${ada.id}/posts`).set(json).send({ title: 'Anonymous nested' });
    expect(res.status).toBe(401);
    expect(await countPosts()).toBe(before);
  });

  test('an invalid nested form re-renders the form with 422, the input kept, and no author select', async () => {
    const before = await countPosts();
    const res = await submitForm(adaBrowser, `/users/${ada.id}/posts`, { title: '', body: 'still here' });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/<form class="form" method="post" action="\/(users\/\d+\/)?posts">/);
    expect(res.text).not.toContain('<select');
    expect(textareaValue(res.text, 'post_body')).toBe('still here');
    expect(res.text).toContain('id="post_title_error">Title can&#39;t be blank</p>');
    expect(await countPosts()).toBe(before);
  });

  test('an unknown user is a 404 and writes nothing', async () => {
    const before = await countPosts();
    const res = await adaApi.post(`/users/${await missingId('users')}/posts`).set(json).send({ title: 'Lost' });
    expect(res.status).toBe(404);
    expect(await countPosts()).toBe(before);
  });
});

describe('GET /posts/:id/edit', () => {
  test('the author’s form is filled with the post’s values and overrides the method to PATCH', async () => {
    const post = await insertPost(ada, { title: 'Edit "me" & <you>', body: 'Body to edit', published: true });
    const res = await adaBrowser.agent.get(`/posts/${post.id}/edit`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Edit post</h1>');
    expect(res.text).toContain(
      `<form class="form" method="post" action="/posts/${post.id}"><input type="hidden" name="_method" value="PATCH"><input type="hidden" name="_csrf" value="${adaBrowser.csrf}">`,
    );
    expect(inputValue(res.text, 'post_title')).toBe('Edit &#34;me&#34; &amp; &lt;you&gt;');
    expect(textareaValue(res.text, 'post_body')).toBe('Body to edit');
    expect(res.text).not.toContain('<select');
    expect(res.text).not.toContain('name="user_id"');
    expect(isChecked(res.text, 'post_published')).toBe(true);
    expect(res.text).toContain('<button type="submit" class="button">Save changes</button>');
    expect(res.text).toContain(`<a href="/posts/${post.id}">Cancel</a>`);
  });

  test('a draft’s checkbox is not ticked', async () => {
    const draft = await insertPost(ada, { title: 'A draft to edit', published: false });
    const res = await adaBrowser.agent.get(`/posts/${draft.id}/edit`);
    expect(res.status).toBe(200);
    expect(isChecked(res.text, 'post_published')).toBe(false);
  });

  test('someone else’s post has no edit page for you: 403, or 404 for their draft', async () => {
    const post = await insertPost(ada, { title: 'Not bob’s to edit', published: true });
    expectForbiddenPage(await bobBrowser.agent.get(`/posts/${post.id}/edit`), notYours);
    const draft = await insertPost(ada, { title: 'Not bob’s to see' });
    expect((await bobBrowser.agent.get(`/posts/${draft.id}/edit`)).status).toBe(404);
    expectForbiddenPage(await adaBrowser.agent.get(`/posts/${(await postByTitle('Why a URL table')).id}/edit`), notYours);
  });

  test('an anonymous visitor is sent to sign in', async () => {
    const post = await insertPost(ada, { title: 'Edit me after signing in' });
    expectSentToLogin(await request(t.app).get(`/posts/${post.id}/edit`));
  });

  test('an unknown post has no edit page', async () => {
    expect((await adaBrowser.agent.get(`/posts/${await missingId('posts')}/edit`)).status).toBe(404);
    expect((await adaBrowser.agent.get('/posts/abc/edit')).status).toBe(404);
  });
});

describe('PATCH /posts/:id', () => {
  describe('by the author', () => {
    test('JSON: 200 with the new values, stored, and updated_at moves', async () => {
      const post = await insertPost(ada, { title: 'Before', body: 'old body', published: false });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const res = await adaApi.patch(`/posts/${post.id}`).set(json).send({ title: 'After', body: 'new body', published: true });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toEqual(expect.objectContaining({ id: post.id, title: 'After', body: 'new body', published: true, user_id: ada.id }));
      expect(new Date(res.body.updated_at).getTime()).toBeGreaterThan(post.updated_at.getTime());
      expect(res.body.created_at).toBe(post.created_at.toISOString());
      const row = await postRow(post.id);
      expect(row).toEqual(expect.objectContaining({ title: 'After', body: 'new body', published: true, user_id: ada.id }));
      expect(row!.updated_at.getTime()).toBeGreaterThan(post.updated_at.getTime());
    });

    test('a PATCH of the title alone leaves the body and "published" as they were', async () => {
      const post = await insertPost(ada, { title: 'Partial before', body: 'keep this body', published: true });
      const res = await adaApi.patch(`/posts/${post.id}`).set(json).send({ title: 'Partial after' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(expect.objectContaining({ title: 'Partial after', body: 'keep this body', published: true }));
      expect(await postRow(post.id)).toEqual(expect.objectContaining({ title: 'Partial after', body: 'keep this body', published: true }));
    });

    test.each<[string, () => Promise<unknown>]>([
      ['another user’s id', async () => bob.id],
      ['an id nobody has', () => missingId('users')],
    ])('user_id in an update is ignored (%s): the post stays the author’s, and so does the author in the answer', async (_label, userIdInBody) => {
      const post = await insertPost(ada, { title: 'Not changing hands' });
      const res = await adaApi.patch(`/posts/${post.id}`).set(json).send({ user_id: await userIdInBody(), title: 'Still Ada’s' });
      expect(res.status).toBe(200);
      expect(res.body.user_id).toBe(ada.id);
      expect(res.body.author).toEqual(expect.objectContaining({ id: ada.id, name: 'ada' }));
      expect(await postRow(post.id)).toEqual(expect.objectContaining({ user_id: ada.id, title: 'Still Ada’s' }));
    });

    test('user_id in an update form is ignored too', async () => {
      const post = await insertPost(ada, { title: 'Form keeps its author' });
      const res = await submitForm(adaBrowser, `/posts/${post.id}`, { _method: 'PATCH', title: 'Form kept its author', body: '', user_id: bob.id, published: 'false' });
      expect(res.status).toBe(303);
      expect(await postRow(post.id)).toEqual(expect.objectContaining({ user_id: ada.id, title: 'Form kept its author' }));
    });

    test('PUT does the same as PATCH', async () => {
      const post = await insertPost(ada, { title: 'Put before' });
      const res = await adaApi.put(`/posts/${post.id}`).set(json).send({ body: 'put body' });
      expect(res.status).toBe(200);
      expect((await postRow(post.id))!.body).toBe('put body');
    });

    test('JSON published: false stores false', async () => {
      const post = await insertPost(ada, { title: 'Unpublish via JSON', published: true });
      const res = await adaApi.patch(`/posts/${post.id}`).set(json).send({ published: false });
      expect(res.status).toBe(200);
      expect(res.body.published).toBe(false);
      expect((await postRow(post.id))!.published).toBe(false);
    });

    test('an HTML form with _method=PATCH updates, redirects with 303, and flashes once', async () => {
      const post = await insertPost(ada, { title: 'Form before', body: 'b' });
      const res = await submitForm(adaBrowser, `/posts/${post.id}`, { _method: 'PATCH', title: 'Form after', body: 'new body', published: ticked });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/posts/${post.id}`);
      expect(await postRow(post.id)).toEqual(expect.objectContaining({ title: 'Form after', body: 'new body', published: true }));
      const next = await adaBrowser.agent.get(res.headers.location!);
      expect(flashNotice(next.text)).toBe('The post was updated.');
      expect(next.text).toContain('<h1>Form after</h1>');
      const again = await adaBrowser.agent.get(res.headers.location!);
      expect(flashNotice(again.text)).toBeUndefined();
    });

    test('unticking "published" in the form (it sends published=false) stores false', async () => {
      const post = await insertPost(ada, { title: 'Published, to be unticked', published: true });
      const res = await submitForm(adaBrowser, `/posts/${post.id}`, { _method: 'PATCH', title: 'Published, to be unticked', body: '', published: 'false' });
      expect(res.status).toBe(303);
      expect((await postRow(post.id))!.published).toBe(false);
    });

    test('an invalid HTML update is a 422 form with the input kept, and the row unchanged', async () => {
      const post = await insertPost(ada, { title: 'Stays the same', body: 'original body', published: false });
      const res = await submitForm(adaBrowser, `/posts/${post.id}`, { _method: 'PATCH', title: '', body: 'edited but not saved', published: 'false' });
      expect(res.status).toBe(422);
      expect(res.text).toContain(`<form class="form" method="post" action="/posts/${post.id}"><input type="hidden" name="_method" value="PATCH">`);
      expect(textareaValue(res.text, 'post_body')).toBe('edited but not saved');
      expect(res.text).toContain('id="post_title_error">Title can&#39;t be blank</p>');
      expect(await postRow(post.id)).toEqual(post);
    });

    test('a failed HTML update keeps a ticked "published" box ticked', async () => {
      const post = await insertPost(ada, { title: 'Tick stays', published: false });
      const res = await submitForm(adaBrowser, `/posts/${post.id}`, { _method: 'PATCH', title: '', body: '', published: ticked });
      expect(res.status).toBe(422);
      expect(isChecked(res.text, 'post_published')).toBe(true);
      expect(await postRow(post.id)).toEqual(post);
    });

    test('an invalid JSON update is a 422 problem and the row is unchanged', async () => {
      const post = await insertPost(ada, { title: 'JSON stays', body: 'kept' });
      const res = await adaApi.patch(`/posts/${post.id}`).set(json).send({ title: '   ', body: 'nope' });
      expect(res.status).toBe(422);
      expect(problemOf(res).errors).toEqual({ title: ["can't be blank"] });
      expect(await postRow(post.id)).toEqual(post);
    });

    test('an unknown post is a 404', async () => {
      const res = await adaApi.patch(`/posts/${await missingId('posts')}`).set(json).send({ title: 'x' });
      expect(res.status).toBe(404);
    });
  });

  describe('by anyone else', () => {
    test('another user’s JSON PATCH is a 403 and the row is unchanged', async () => {
      const post = await insertPost(ada, { title: 'Ada’s, not Bob’s', body: 'hers', published: true });
      expectForbiddenJson(await bobApi.patch(`/posts/${post.id}`).set(json).send({ title: 'Taken over', body: 'his' }), notYours);
      expectForbiddenJson(await bobApi.put(`/posts/${post.id}`).set(json).send({ user_id: bob.id }), notYours);
      expect(await postRow(post.id)).toEqual(post);
    });

    test('another user’s form PATCH (with their own valid token) is a 403 and the row is unchanged', async () => {
      const post = await insertPost(ada, { title: 'Ada’s form target', body: 'hers', published: true });
      const res = await submitForm(bobBrowser, `/posts/${post.id}`, { _method: 'PATCH', title: 'Taken over by form', body: 'his', published: ticked });
      expectForbiddenPage(res, notYours);
      expect(await postRow(post.id)).toEqual(post);
    });

    test('another user’s draft is a 404 to PATCH, in JSON and in a form, and the row is unchanged', async () => {
      const draft = await insertPost(ada, { title: 'Ada’s hidden draft', body: 'hers' });
      expect((await bobApi.patch(`/posts/${draft.id}`).set(json).send({ title: 'Found it' })).status).toBe(404);
      expect((await submitForm(bobBrowser, `/posts/${draft.id}`, { _method: 'PATCH', title: 'Found it' })).status).toBe(404);
      expect(await postRow(draft.id)).toEqual(draft);
    });

    test('a seeded post cannot be changed by a new user either', async () => {
      const post = await postByTitle('Why a URL table');
      expectForbiddenJson(await adaApi.patch(`/posts/${post.id}`).set(json).send({ title: 'Mine now' }), notYours);
      expect(await postRow(post.id)).toEqual(post);
    });

    test('an anonymous JSON PATCH is a 401 and the row is unchanged', async () => {
      const post = await insertPost(ada, { title: 'Anonymous cannot touch' });
      const res = await request(t.app).patch(`/posts/${post.id}`).set(json).send({ title: 'Touched' });
      expect(res.status).toBe(401);
      expect(problemOf(res).status).toBe(401);
      expect(await postRow(post.id)).toEqual(post);
    });
  });

  describe('CSRF', () => {
    test('the author’s form PATCH without the token, or with a wrong one, is a 403 and the row is unchanged', async () => {
      const post = await insertPost(ada, { title: 'Token needed to edit' });
      const fields = { _method: 'PATCH', title: 'Edited without a token', body: '', published: 'false' };
      expectForbiddenPage(await adaBrowser.agent.post(`/posts/${post.id}`).type('form').send(formBody(fields)), badToken);
      expectForbiddenPage(await adaBrowser.agent.post(`/posts/${post.id}`).type('form').send(formBody({ ...fields, _csrf: bobBrowser.csrf })), badToken);
      expect(await postRow(post.id)).toEqual(post);
    });

    test('a cross-site JSON PATCH is a 403 and the row is unchanged', async () => {
      const post = await insertPost(ada, { title: 'Not from elsewhere' });
      expectForbiddenJson(await adaApi.patch(`/posts/${post.id}`).set(json).set('Sec-Fetch-Site', 'cross-site').send({ title: 'From elsewhere' }), crossSite);
      expectForbiddenJson(await adaApi.patch(`/posts/${post.id}`).set(json).set('Origin', 'https://evil.example').send({ title: 'From evil' }), crossSite);
      expect(await postRow(post.id)).toEqual(post);
    });
  });
});

describe('DELETE /posts/:id', () => {
  test('JSON by the author: 204 with an empty body, and the row is gone', async () => {
    const post = await insertPost(ada, { title: 'Delete me (JSON)' });
    const before = await countPosts();
    const res = await adaApi.delete(`/posts/${post.id}`).set(json);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await postRow(post.id)).toBeUndefined();
    expect(await countPosts()).toBe(before - 1);
    const again = await request(t.app).get(`/posts/${post.id}`).set(json);
    expect(again.status).toBe(404);
  });

  test('an HTML form with _method=DELETE by the author deletes, redirects to /posts with 303, and flashes once', async () => {
    const post = await insertPost(ada, { title: 'Delete me (form)' });
    const res = await submitForm(adaBrowser, `/posts/${post.id}`, { _method: 'DELETE' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/posts');
    expect(await postRow(post.id)).toBeUndefined();
    const list = await adaBrowser.agent.get('/posts');
    expect(flashNotice(list.text)).toBe('The post was deleted.');
    expect(list.text).not.toContain('Delete me (form)');
    const again = await adaBrowser.agent.get('/posts');
    expect(flashNotice(again.text)).toBeUndefined();
  });

  test('another user’s DELETE is a 403 and the row stays, in JSON and in a form', async () => {
    const post = await insertPost(ada, { title: 'Bob cannot delete this', published: true });
    expectForbiddenJson(await bobApi.delete(`/posts/${post.id}`).set(json), notYours);
    expectForbiddenPage(await submitForm(bobBrowser, `/posts/${post.id}`, { _method: 'DELETE' }), notYours);
    expect(await postRow(post.id)).toEqual(post);
    const draft = await insertPost(ada, { title: 'Bob cannot find this' });
    expect((await bobApi.delete(`/posts/${draft.id}`).set(json)).status).toBe(404);
    expect((await submitForm(bobBrowser, `/posts/${draft.id}`, { _method: 'DELETE' })).status).toBe(404);
    expect(await postRow(draft.id)).toEqual(draft);
  });

  test('an anonymous DELETE is a 401 (JSON) and the row stays', async () => {
    const post = await insertPost(ada, { title: 'Anonymous cannot delete this' });
    const res = await request(t.app).delete(`/posts/${post.id}`).set(json);
    expect(res.status).toBe(401);
    expect(await postRow(post.id)).toEqual(post);
  });

  test('the author’s form DELETE without a valid token is a 403 and the row stays', async () => {
    const post = await insertPost(ada, { title: 'Token needed to delete' });
    expectForbiddenPage(await adaBrowser.agent.post(`/posts/${post.id}`).type('form').send(formBody({ _method: 'DELETE' })), badToken);
    expectForbiddenPage(await adaBrowser.agent.post(`/posts/${post.id}`).type('form').send(formBody({ _method: 'DELETE', _csrf: 'forged' })), badToken);
    expect(await postRow(post.id)).toEqual(post);
  });

  test('a cross-site DELETE is a 403 and the row stays', async () => {
    const post = await insertPost(ada, { title: 'Not deleted from elsewhere' });
    expectForbiddenJson(await adaApi.delete(`/posts/${post.id}`).set(json).set('Sec-Fetch-Site', 'cross-site'), crossSite);
    expect(await postRow(post.id)).toEqual(post);
  });

  test('deleting an unknown post is a 404 and deletes nothing', async () => {
    const before = await countPosts();
    const res = await adaApi.delete(`/posts/${await missingId('posts')}`).set(json);
    expect(res.status).toBe(404);
    expect(await countPosts()).toBe(before);
  });
});

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
