import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { buildApplication } from '../../config/application';
import { readSettings } from '../../config/settings';
import { useTestApp } from '../support/app';

// LOG_SQL: every statement in the log at debug level, with its duration and the app line that ran it.
const t = useTestApp();
afterAll(() => buildApplication(readSettings({ NODE_ENV: 'test' }), t.db)); // leave no SQL listener behind

interface Line {
  level: number;
  msg: string;
  sql?: string;
  ms?: number;
  values?: unknown[];
  caller?: string;
}

async function sqlLinesOf(env: Record<string, string>, level = 'debug'): Promise<Line[]> {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const app = buildApplication(readSettings(env), t.db, pino({ level }, sink));
  const res = await request(app).get('/users/1').set('Accept', 'application/json');
  expect(res.status).toBe(200);
  return lines.filter((line) => line.sql !== undefined);
}

const production = { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(48), TRUST_PROXY: '1', DATABASE_URL: 'postgres://unused/db' };

test('in development each statement is logged at debug with its duration, its values and the calling app line', async () => {
  const lines = await sqlLinesOf({ NODE_ENV: 'development' });
  const find = lines.find((line) => /from "users"/.test(line.sql!));
  expect(find).toBeDefined();
  expect(find!.level).toBe(20);
  expect(typeof find!.ms).toBe('number');
  expect(find!.values).toEqual(['1']);
  expect(find!.caller).toMatch(/^app\/(controllers|models)\/\w+\.ts:\d+$/);
  expect(find!.msg).toMatch(/^SQL \([\d.]+ms\) select .* \["1"\]  ↳ app\//);
});

test('outside development the values are left out', async () => {
  const lines = await sqlLinesOf({ ...production, LOG_SQL: 'true' });
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(line.values).toBeUndefined();
    expect(line.msg).not.toContain(`["1"]`);
  }
});

test('LOG_SQL=false, or a log above debug, logs no statement', async () => {
  expect(await sqlLinesOf({ NODE_ENV: 'development', LOG_SQL: 'false' })).toEqual([]);
  expect(await sqlLinesOf({ NODE_ENV: 'development' }, 'info')).toEqual([]);
  expect(await sqlLinesOf(production)).toEqual([]);
});
