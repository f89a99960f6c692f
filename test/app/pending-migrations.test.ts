import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Database } from '../../framework';
import { buildApplication } from '../../config/application';
import { migrationPaths } from '../../config/database';
import { readSettings } from '../../config/settings';
import { openTestDatabase } from '../support/app';
import { testLogger } from '../support/logger';

// In development, a request while migrations are pending gets a page naming them, the command, and
// a button that runs them (CSRF-checked), instead of a `relation "…" does not exist` 500.
const last = fs.readdirSync(migrationPaths.migrations).filter((f) => f.endsWith(migrationPaths.extension)).sort().at(-1)!;
const lastName = last.slice(0, -migrationPaths.extension.length);
let db: Database;

beforeAll(async () => {
  db = await openTestDatabase();
  // Undo the newest migration, as if it had just been pulled: the sessions table stays.
  const migration = require(path.join(migrationPaths.migrations, last)) as { down(knex: unknown): Promise<void> };
  await migration.down(db.knex);
  await db.knex('knex_migrations').where({ name: lastName }).delete();
});
afterAll(() => db?.close());

const development = () => buildApplication(readSettings({ NODE_ENV: 'development' }), db, testLogger());

test('a production app shows no such page', async () => {
  const app = buildApplication(readSettings({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(48), TRUST_PROXY: '1', DATABASE_URL: 'postgres://unused/db' }), db, testLogger());
  const res = await request(app).get('/index/');
  expect(res.status).toBe(200);
  expect(res.text).not.toContain('Migrations are pending');
});

test('the page names the pending migration and the command; a post without the token runs nothing', async () => {
  const agent = request.agent(development());
  const page = await agent.get('/users');
  expect(page.status).toBe(503);
  expect(page.text).toContain('<h1>Migrations are pending</h1>');
  expect(page.text).toContain(`<code>${lastName}</code>`);
  expect(page.text).toContain('<code>npm run db:migrate</code>');
  const refused = await agent.post('/_trestle/migrations').type('form').send({ _csrf: 'forged' });
  expect(refused.status).toBe(403);
  expect(await db.knex('knex_migrations').where({ name: lastName }).first()).toBeUndefined();
});

test('its button runs the migrations, and then the pages work', async () => {
  const agent = request.agent(development());
  const page = await agent.get('/users');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  expect(token).toBeDefined();
  const run = await agent.post('/_trestle/migrations').type('form').send({ _csrf: token });
  expect(run.status).toBe(303);
  expect(await db.knex('knex_migrations').where({ name: lastName }).first()).toBeDefined();
  expect((await agent.get('/users')).status).toBe(200);
});
