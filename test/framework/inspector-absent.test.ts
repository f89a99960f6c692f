import { execFileSync } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { buildApplication } from '../../config/application';
import { readSettings } from '../../config/settings';
import { createLogger, type Database, type TrestleApp } from '../../framework';
import { openTestDatabase } from '../support/app';

/** Builds the app in a fresh process and lists the inspector modules Node loaded. */
function inspectorModulesLoadedIn(env: 'production' | 'test' | 'development'): string[] {
  const script = `
    const { buildApplication } = require('./config/application');
    const { readSettings } = require('./config/settings');
    const { createLogger } = require('./framework');
    const settings = readSettings({ NODE_ENV: '${env}', SESSION_SECRET: 'x'.repeat(40), DATABASE_URL: 'postgres://127.0.0.1:9/none' });
    const db = { knex: require('knex')({ client: 'pg' }), onQuery: () => () => undefined };
    buildApplication(settings, db, createLogger({ level: 'silent' }));
    console.log(JSON.stringify(Object.keys(require.cache).filter((file) => file.includes('/framework/inspector/'))));
  `;
  const root = path.join(__dirname, '..', '..');
  const output = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_ENV: env } });
  return JSON.parse(output.trim().split('\n').pop()!);
}

describe('the inspector outside development', () => {
  test('production and test never load its modules; development does', () => {
    expect(inspectorModulesLoadedIn('production')).toEqual([]);
    expect(inspectorModulesLoadedIn('test')).toEqual([]);
    expect(inspectorModulesLoadedIn('development').length).toBeGreaterThan(0);
  }, 60_000);

  describe('in production', () => {
    const t = {} as { app: TrestleApp; db: Database };
    beforeAll(async () => {
      t.db = await openTestDatabase();
      t.app = buildApplication(readSettings({ NODE_ENV: 'production', SESSION_SECRET: 'a'.repeat(40), PASSWORD_HASH_COST: '12' }), t.db, createLogger({ level: 'silent' }));
    });
    afterAll(() => t.db?.close());

    test('/_trestle/* is a 404 and pages carry no badge', async () => {
      for (const url of ['/_trestle/requests', '/_trestle/requests.json', '/_trestle/assets/inspector.css', '/_trestle/requests/stream']) {
        await request(t.app).get(url).expect(404);
      }
      const page = await request(t.app).get('/posts').expect(200);
      expect(page.text).not.toContain('trestle-badge');
      expect(page.text).not.toContain('/_trestle/');
    });
  });
});
