import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { runGenerator } from '../../framework/generators';
import { resourceNames } from '../../framework/generators/names';
import { projectRoot } from '../support/processes';

const run = promisify(execFile);

/** A copy of the project (tracked and new files, not node_modules, which is linked) to generate into. */
function copyProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-generate-'));
  const skip = new Set(['node_modules', '.git', 'dist', 'tmp', '.data', 'coverage']);
  fs.cpSync(projectRoot, dir, { recursive: true, filter: (source) => !skip.has(path.basename(source)) || path.dirname(source) !== projectRoot });
  fs.symlinkSync(path.join(projectRoot, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

function generate(root: string, ...argv: string[]): { code: number; lines: string[] } {
  const lines: string[] = [];
  const code = runGenerator(argv, { root, print: (l) => lines.push(l), now: new Date('2030-01-02T03:04:05Z') });
  return { code, lines };
}

/** What `npm run typecheck` does: write the generated types and check the templates, then tsc. */
async function typecheck(root: string): Promise<void> {
  await run(process.execPath, [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'config/types.ts'], { cwd: root });
  await run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', '.'], { cwd: root });
}

/** The environment of a jest run inside this one: its own worker numbering, and its own databases on PostgreSQL. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.JEST_WORKER_ID;
  env.TRESTLE_TEST_DB_SUFFIX = '_generated';
  return env;
}

const read = (root: string, file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** `npm run db:migrate` in development, on an embedded database of its own: it rewrites db/schema.ts. */
async function migrateInDevelopment(root: string): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', EMBEDDED_DB_DIR: path.join(root, 'tmp', 'db'), DATABASE_URL: '' };
  await run(process.execPath, [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'config/cli.ts', 'db:migrate'], { cwd: root, env });
}

describe('names', () => {
  test('one convention, irregular plurals included', () => {
    expect(resourceNames('Post')).toMatchObject({ model: 'Post', plural: 'posts', controller: 'PostsController', singular: 'post' });
    expect(resourceNames('person')).toMatchObject({ model: 'Person', plural: 'people', controller: 'PeopleController' });
    expect(resourceNames('BlogPost')).toMatchObject({ model: 'BlogPost', plural: 'blog_posts', controller: 'BlogPostsController', variable: 'blogPost' });
    expect(resourceNames('categories')).toMatchObject({ model: 'Category', plural: 'categories' });
  });
});

describe('generate, on a copy of the project', () => {
  let root: string;
  beforeAll(() => {
    root = copyProject();
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('a bad field type or name is a clear error, and nothing is written', () => {
    const before = fs.readdirSync(path.join(root, 'app', 'models'));
    const bad = generate(root, 'generate', 'resource', 'Gadget', 'name:strng');
    expect(bad.code).toBe(1);
    expect(bad.lines.join('\n')).toBe('Field "name:strng": unknown type "strng". Valid types: string, text, integer, bigint, decimal, boolean, date, datetime, json, references.');
    expect(generate(root, 'generate', 'resource', 'Gadget', 'Name:string').lines[0]).toContain('must be lower_snake_case');
    expect(generate(root, 'generate', 'resource', 'Gadget', 'owner:references').lines[0]).toContain('app/models/Owner.ts does not exist');
    expect(generate(root, 'generate', 'resource', 'Gadget', 'name:string:uniq').lines[0]).toContain('Valid modifiers: unique, index');
    expect(fs.readdirSync(path.join(root, 'app', 'models'))).toEqual(before);
  });

  test('--dry-run prints the plan and writes nothing', () => {
    const routes = read(root, 'config/routes.ts');
    const { code, lines } = generate(root, 'generate', 'resource', 'Gadget', 'name:string', '--dry-run');
    expect(code).toBe(0);
    expect(lines).toContain('      create  app/models/Gadget.ts');
    expect(lines).toContain('      update  config/routes.ts');
    expect(lines[lines.length - 1]).toBe('(dry run: nothing was written)');
    expect(fs.existsSync(path.join(root, 'app/models/Gadget.ts'))).toBe(false);
    expect(read(root, 'config/routes.ts')).toBe(routes);
  });

  test('resource: every file, the route, and its tests pass — then destroy takes it all back', async () => {
    const routesBefore = read(root, 'config/routes.ts');
    const { code, lines } = generate(root, 'generate', 'resource', 'Article', 'title:string', 'body:text', 'published:boolean', 'rating:integer', 'price:decimal', 'views:bigint', 'due_on:date', 'starts_at:datetime', 'meta:json', 'user:references', 'slug:string:unique', 'category:string:index');
    expect(code).toBe(0);
    expect(lines).toEqual([
      '      create  db/migrations/20300102030405_create_articles.ts',
      '      create  app/models/Article.ts',
      '      create  test/app/models/article.test.ts',
      '      create  app/controllers/ArticlesController.ts',
      '      create  views/articles/index.ejs',
      '      create  views/articles/show.ejs',
      '      create  views/articles/_form.ejs',
      '      create  views/articles/new.ejs',
      '      create  views/articles/edit.ejs',
      '      create  test/app/controllers/articles.test.ts',
      '      update  config/routes.ts',
      '       types  npm run types',
    ]);
    // The route names and the new controller's parameters are known to tsc at once.
    expect(read(root, 'config/generated/routes.ts')).toContain('"articles.show": { id: string | number };');
    expect(read(root, 'config/generated/routes.ts')).toContain('declare module "../../app/controllers/ArticlesController"');
    const migration = read(root, 'db/migrations/20300102030405_create_articles.ts');
    expect(migration).toContain(`table.integer("user_id").notNullable().references('id').inTable("users").onDelete('RESTRICT').index();`);
    expect(migration).toContain('table.string("slug", 255).notNullable().unique();');
    expect(migration).toContain('table.string("category", 255).notNullable().index();');
    expect(read(root, 'config/routes.ts')).toContain("  r.resources('articles', ArticlesController);");
    expect(read(root, 'app/models/Article.ts')).toContain("user: belongsTo(() => User, { foreignKey: 'user_id' })");
    // The owner comes from the session, never from the request, and only the owner changes a record.
    const controller = read(root, 'app/controllers/ArticlesController.ts');
    expect(controller).toContain('const input: Record<string, unknown> = { ...this.body, user_id: this.currentUser!.id };');
    expect(controller).toContain("before('requireOwner', { only: ['edit', 'update', 'destroy'] })");
    expect(controller).toContain("this.authorize(this.article.user_id === this.currentUser?.id, 'You can only change your own articles.');");
    expect(controller).toContain('const { user_id: _owner, ...changes } = this.body;');
    expect(read(root, 'views/articles/_form.ejs')).not.toContain('user_id');
    expect(read(root, 'views/articles/show.ejs')).toContain('<% if (locals.currentUser && currentUser.id === article.user_id) { -%>');
    const tests = read(root, 'test/app/controllers/articles.test.ts');
    expect(tests).toContain("test('the user is whoever is signed in: user_id in the body is ignored, and the form has no field for it'");
    expect(tests).toContain("test('someone else cannot edit, update or delete it: 403, and the row is unchanged'");

    // Generating again refuses to overwrite.
    const again = generate(root, 'generate', 'resource', 'Article', 'title:string');
    expect(again.code).toBe(1);
    expect(again.lines).toContain('Nothing was written. Use --force to overwrite.');

    // The result type-checks before the migration (so `npm run db:migrate` can build), and after it,
    // once db:migrate has written the table's types into db/schema.ts (its views' declared locals and
    // its renders included); its own tests pass.
    await typecheck(root);
    expect(read(root, 'config/generated/views.ts')).toContain("'articles/show': { article: Article };");
    await migrateInDevelopment(root);
    expect(read(root, 'db/schema.ts')).toContain('export interface Articles {');
    await typecheck(root);
    const env = childEnv();
    // In band: worker processes of a jest inside a loaded jest can take longer to exit than jest
    // waits, and its warning about that would read as a failure here. A real leak still shows: an
    // in-band run with open handles never ends, and this test times out.
    const jest = await run(process.execPath, [path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--runInBand', '--verbose', 'test/app/controllers/articles.test.ts', 'test/app/models/article.test.ts'], {
      cwd: root,
      env,
    }).catch((error: { stderr: string }) => error);
    expect(jest.stderr).toMatch(/Tests:\s+\d+ passed, \d+ total/);
    expect(jest.stderr).not.toMatch(/failed/);
    expect(jest.stderr).toContain('✓ the user is whoever is signed in');
    expect(jest.stderr).toContain('✓ someone else cannot edit, update or delete it');

    const destroyed = generate(root, 'destroy', 'resource', 'Article');
    expect(destroyed.code).toBe(0);
    expect(destroyed.lines[0]).toBe('      update  config/routes.ts');
    expect(destroyed.lines).toContain('      remove  app/controllers/ArticlesController.ts');
    expect(destroyed.lines).toContain('      remove  db/migrations/20300102030405_create_articles.ts');
    expect(read(root, 'config/routes.ts')).toBe(routesBefore);
    expect(fs.existsSync(path.join(root, 'views/articles/index.ejs'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'app/models/Article.ts'))).toBe(false);
  }, 180000);

  test('controller and model: their files, routes and tests pass', async () => {
    expect(generate(root, 'generate', 'controller', 'Reports', 'index', 'summary').code).toBe(0);
    expect(read(root, 'config/routes.ts')).toContain("  r.get('/reports/summary', ReportsController, 'summary');");
    expect(generate(root, 'generate', 'model', 'Person', 'name:string', 'age:integer').code).toBe(0);
    expect(fs.existsSync(path.join(root, 'app/models/Person.ts'))).toBe(true);
    expect(fs.readdirSync(path.join(root, 'db/migrations')).some((f) => f.endsWith('_create_people.ts'))).toBe(true);
    await typecheck(root);
    const env = childEnv();
    const jest = await run(process.execPath, [path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', 'test/app/controllers/reports.test.ts', 'test/app/models/person.test.ts'], { cwd: root, env }).catch(
      (error: { stderr: string }) => error,
    );
    expect(jest.stderr).toMatch(/Tests:\s+5 passed, 5 total/);
    expect(generate(root, 'destroy', 'controller', 'Reports').code).toBe(0);
    expect(read(root, 'config/routes.ts')).not.toContain('ReportsController');
    expect(generate(root, 'generate', 'migration', 'add_age_to_users').lines).toEqual(['      create  db/migrations/20300102030405_add_age_to_users.ts']);
  }, 180000);
});
