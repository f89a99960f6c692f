/**
 * What the posts tests share: two users of their own (ada writes, bob is someone else), each signed
 * in once as a browser and once as an API client, and helpers to read rows and pages. Importing it
 * registers the set-up hooks in the importing test file.
 */
import request from 'supertest';
import { useTestApp } from './app';
import { createUser, csrfFrom, signIn, signInJson, testPassword } from './auth';
import { recordQueries } from './queries';
import type { Posts as PostRow } from '../../db/schema';
import type { User } from '../../app/models/User';

/** The app for this test file (each file that imports this kit gets its own database). */
export const t = useTestApp();

export type Agent = ReturnType<typeof request.agent>;
/** A browser signed in through the real form: its cookie jar and its session's CSRF token. */
export type Browser = { agent: Agent; csrf: string };

// Two users of our own (the seeded alex and eric have expensive password hashes): ada writes the
// posts the tests change, bob is someone else. Sign-ins are rate-limited (20 per address per
// quarter-hour), so each of them signs in once per kind of client and the tests share the agents.
export let ada: User;
export let bob: User;
export let adaBrowser: Browser;
export let bobBrowser: Browser;
export let adaApi: Agent;
export let bobApi: Agent;

beforeAll(async () => {
  ada = await createUser({ name: 'ada' });
  bob = await createUser({ name: 'bob' });
  adaBrowser = await signIn(t.app, ada.email);
  bobBrowser = await signIn(t.app, bob.email);
  adaApi = await signInJson(t.app, ada.email);
  bobApi = await signInJson(t.app, bob.email);
});

export const json = { Accept: 'application/json' };
/** What a ticked checkbox sends: its hidden "false" and then its own "true". */
export const ticked = ['false', 'true'];

export async function userId(name: string): Promise<number> {
  const row = await t.knex('users').where({ name }).first('id');
  if (!row) throw new Error(`no user ${name}`);
  return row.id as number;
}

export async function postByTitle(title: string): Promise<PostRow> {
  const row = (await t.knex('posts').where({ title }).first()) as PostRow | undefined;
  if (!row) throw new Error(`no post ${title}`);
  return row;
}

export async function postRow(id: number): Promise<PostRow | undefined> {
  return (await t.knex('posts').where({ id }).first()) as PostRow | undefined;
}

export async function countPosts(where: Partial<PostRow> = {}): Promise<number> {
  const row = await t.knex('posts').where(where).count({ n: '*' }).first();
  return Number(row!.n);
}

/** An id one past anything in the table: nothing has it. */
export async function missingId(table: 'users' | 'posts'): Promise<number> {
  const row = await t.knex(table).max({ id: 'id' }).first();
  return Number(row!.id) + 1000;
}

/** The posts `viewer` (anonymous by default) sees in a list, in its order: published ones and their own drafts, newest first. */
export async function postsNewestFirst(where: Partial<PostRow> = {}, viewer?: { id: number }): Promise<PostRow[]> {
  return (await t
    .knex('posts')
    .where(where)
    .where((visible) => (viewer ? visible.where({ published: true }).orWhere({ user_id: viewer.id }) : visible.where({ published: true })))
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])) as PostRow[];
}

/** How many posts `viewer` (anonymous by default) sees in a list. */
export async function countVisible(where: Partial<PostRow> = {}, viewer?: { id: number }): Promise<number> {
  return (await postsNewestFirst(where, viewer)).length;
}

/** Inserts a post by `owner` straight into the table (no HTTP), for tests that show, change or delete one. */
export async function insertPost(owner: { id: number }, attrs: Partial<PostRow> & { title: string }): Promise<PostRow> {
  const [row] = (await t.knex('posts').insert({ user_id: owner.id, body: '', published: false, ...attrs }).returning('*')) as PostRow[];
  return row!;
}

/** An urlencoded form body; an array value is sent once per element, as a browser does. */
export function formBody(fields: Record<string, string | number | readonly string[]>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, String(one));
  }
  return params.toString();
}

/** A form submitted by a signed-in browser, with its CSRF token, as the page would send it. */
export function submitForm(browser: Browser, path: string, fields: Record<string, string | number | readonly string[]>) {
  return browser.agent.post(path).type('form').send(formBody({ _csrf: browser.csrf, ...fields }));
}

/** `Link: <a>; rel="next", …` as `{ next: 'a', … }`. */
export function parseLinks(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(',')) {
    const m = part.trim().match(/^<([^>]+)>;\s*rel="([a-z]+)"$/);
    if (m) out[m[2]!] = m[1]!;
  }
  return out;
}

/** The `value` of `<input … id="…">`. */
export function inputValue(html: string, id: string): string | undefined {
  const tag = html.match(new RegExp(`<input[^>]* id="${id}"[^>]*>`))?.[0];
  if (!tag) return undefined;
  return tag.match(/ value="([^"]*)"/)?.[1] ?? '';
}

export function textareaValue(html: string, id: string): string | undefined {
  return html.match(new RegExp(`<textarea[^>]* id="${id}"[^>]*>([\\s\\S]*?)</textarea>`))?.[1];
}

export function isChecked(html: string, id: string): boolean {
  const tag = html.match(new RegExp(`<input[^>]* id="${id}"[^>]*>`))?.[0];
  if (!tag) throw new Error(`no input #${id}`);
  return / checked(?=[\s>])/.test(tag);
}

export function flashNotice(html: string): string | undefined {
  return html.match(/<p class="flash notice" role="status">([^<]*)<\/p>/)?.[1];
}

export function flashAlert(html: string): string | undefined {
  return html.match(/<p class="flash alert" role="alert">([^<]*)<\/p>/)?.[1];
}

/** The ids of the posts a list page links to, in order. */
export function listedPostIds(html: string): number[] {
  return [...html.matchAll(/<a href="\/posts\/(\d+)">/g)].map((m) => Number(m[1]));
}

export function problemOf(res: request.Response): Record<string, unknown> {
  expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  return JSON.parse(res.text) as Record<string, unknown>;
}

/** A 403 as problem+json, with this detail. */
export function expectForbiddenJson(res: request.Response, detail: string): void {
  expect(res.status).toBe(403);
  expect(problemOf(res)).toEqual(expect.objectContaining({ status: 403, title: 'Forbidden', detail }));
}

/** A 403 error page for a browser, with this message. */
export function expectForbiddenPage(res: request.Response, detail: string): void {
  expect(res.status).toBe(403);
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(res.text).toContain(`<p>${detail.replace(/'/g, '&#39;')}</p>`);
}

/** The browser was sent to the sign-in page. */
export function expectSentToLogin(res: request.Response): void {
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/login/');
}

export const notYours = 'You can only change your own posts.';
export const notYou = 'You can only write posts as yourself.';
export const badToken = 'The form has expired or did not come from this site. Reload the page and try again.';
export const crossSite = 'Cross-site requests are refused.';

