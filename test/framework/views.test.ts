import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ejs from 'ejs';
import request from 'supertest';
import { Controller, createApp, defineRoutes, type Database, type TrestleApp } from '../../framework';
import { ViewRenderer } from '../../framework/view';
import { openTestDatabase } from '../support/app';
import { testLogger } from '../support/logger';

// Templates are compiled without `with` (see framework/view/compiled-template.ts): these check that
// a page reads as EJS's own compile would render it.
const viewsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-views-'));
const templates: Record<string, string> = {
  'layouts/application.ejs': '<html><title><%= title %></title><body><%- body %></body></html>',
  'notes/show.ejs':
    '<h1><%= title %></h1><% for (const item of items) { %><%- include("_item", { item }) %><% } %>' +
    '<% if (typeof note !== "undefined" && note) { %><p class="note"><%= note %></p><% } %><p class="count"><%= count %></p>',
  'notes/_item.ejs': '<% count = 99 %><li data-n="<%= item.n %>"><%= item.text %></li>',
  'notes/odd.ejs': '<p><%= locals["data-id"] %> <%= locals.class %> <%= typeof include %></p>',
  'notes/broken.ejs': 'line one\n<%= missingName.value %>\n',
};
for (const [file, source] of Object.entries(templates)) {
  fs.mkdirSync(path.dirname(path.join(viewsDir, file)), { recursive: true });
  fs.writeFileSync(path.join(viewsDir, file), source);
}

const special = `Tom & "Jerry" <b>'s</b> — 日本 ${'<'.repeat(3)}`;
const items = [
  { n: 1, text: special },
  { n: 2, text: 'plain' },
  { n: 3, text: null },
];

class NotesController extends Controller {
  async show() {
    const locals: Record<string, unknown> = { title: `Notes ${special}`, items, count: 0 };
    if (this.query.note !== undefined) locals.note = this.query.note;
    this.render('notes/show', locals);
  }

  async odd() {
    this.render('notes/odd', { 'data-id': 7, class: 'wide', include: 'shadowed' }, { layout: false });
  }

  async broken() {
    this.render('notes/broken', {}, { layout: false });
  }
}

const routes = defineRoutes((r) => {
  r.get('/notes', NotesController, 'show');
  r.get('/notes/odd', NotesController, 'odd');
  r.get('/notes/broken', NotesController, 'broken');
});

/** What EJS's own compile (with `with`, its own escaping and include) renders for the same page. */
function renderedByEjs(locals: Record<string, unknown>): string {
  const filename = path.join(viewsDir, 'notes/show.ejs');
  const body = ejs.render(templates['notes/show.ejs']!, { ...locals }, { filename });
  return ejs.render(templates['layouts/application.ejs']!, { ...locals, body });
}

let db: Database;
const apps: Record<'production' | 'development', TrestleApp> = {} as never;

beforeAll(async () => {
  db = await openTestDatabase();
  for (const env of ['production', 'development'] as const) {
    apps[env] = createApp({ routes, viewsDir, db, config: { env, inspector: { enabled: false } }, logger: testLogger() });
  }
});
afterAll(async () => {
  await db?.close();
  fs.rmSync(viewsDir, { recursive: true, force: true });
});

describe.each(['production', 'development'] as const)('views in %s', (env) => {
  test('a page with a layout and a partial per item is what EJS itself renders, escaping included', async () => {
    const res = await request(apps[env]).get('/notes').expect(200);
    expect(res.text).toBe(renderedByEjs({ title: `Notes ${special}`, items, count: 0 }));
    expect(res.text).toContain('<li data-n="1">Tom &amp; &#34;Jerry&#34; &lt;b&gt;&#39;s&lt;/b&gt; — 日本 &lt;&lt;&lt;</li>');
    expect(res.text).toContain('<li data-n="3"></li>');
    // The partial's `count = 99` stays in the partial's copy of the locals.
    expect(res.text).toContain('<p class="count">0</p>');
  });

  test('a local the template has not been given before is seen on the next render, and gone on the one after', async () => {
    expect((await request(apps[env]).get('/notes').expect(200)).text).not.toContain('class="note"');
    const withNote = await request(apps[env]).get('/notes').query({ note: 'a <new> local' }).expect(200);
    expect(withNote.text).toContain('<p class="note">a &lt;new&gt; local</p>');
    expect(withNote.text).toBe(renderedByEjs({ title: `Notes ${special}`, items, count: 0, note: 'a <new> local' }));
    expect((await request(apps[env]).get('/notes').expect(200)).text).not.toContain('class="note"');
  });

  test('locals that cannot be variable names are read through `locals`; one named `include` does not replace it', async () => {
    const res = await request(apps[env]).get('/notes/odd').expect(200);
    expect(res.text).toBe('<p>7 wide function</p>');
  });

  test('a mistake in a template is a 500 page, not a crash', async () => {
    const res = await request(apps[env]).get('/notes/broken').set('Accept', 'application/json').expect(500);
    const problem = JSON.parse(res.text);
    expect(problem).toMatchObject({ status: 500, title: 'Internal Server Error' });
    // Development shows where: the template's file and line, and what went wrong there.
    if (env === 'development') expect(problem.stack.join('\n')).toMatch(/broken\.ejs:2[\s\S]*missingName is not defined/);
    await request(apps[env]).get('/notes').expect(200);
  });
});

test("a template's error names its file and line, as EJS's does", () => {
  const renderer = new ViewRenderer({ viewsDir, cache: true });
  expect(() => renderer.render('notes/broken', {}, false)).toThrow(/broken\.ejs:2\n[\s\S]*>> 2\| <%= missingName\.value %>[\s\S]*missingName is not defined/);
});

test('an include that names no file says which', () => {
  fs.writeFileSync(path.join(viewsDir, 'notes/lost.ejs'), '<%- include("_nowhere") %>');
  const renderer = new ViewRenderer({ viewsDir, cache: true });
  expect(() => renderer.render('notes/lost', {}, false)).toThrow('Could not find the include file "_nowhere"');
});
