import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../framework';
import { developmentSessionSecret, insecureCookieWarning, readSettings } from '../../config/settings';
import { exited, startScript, waitForOutput } from '../support/processes';

const root = path.join(__dirname, '..', '..');

describe('settings from the environment', () => {
  test('defaults: development on port 3000 with the embedded database', () => {
    const settings = readSettings({});
    expect(settings.env).toBe('development');
    expect(settings.port).toBe(3000);
    expect(settings.database.url).toBeUndefined();
    expect(settings.database.embeddedDataDir).toBe(path.join(root, '.data', 'development'));
    expect(settings.autoMigrate).toBe(true);
  });

  test('typed values from strings', () => {
    const settings = readSettings({ NODE_ENV: 'production', PORT: '8080', DATABASE_URL: 'postgres://app:pw@db/app', DATABASE_POOL_MAX: '20', DATABASE_IDLE_TIMEOUT_MS: '60000', SESSION_SECRET: 'x'.repeat(40) });
    expect(settings).toMatchObject({ env: 'production', port: 8080, database: { url: 'postgres://app:pw@db/app', poolMax: 20, idleTimeout: 60000 }, autoMigrate: false });
    expect(readSettings({}).database.idleTimeout).toBe(300_000);
  });

  test('every bad value is reported at once, by name', () => {
    let error: unknown;
    try {
      readSettings({ PORT: 'abc', NODE_ENV: 'staging', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('Invalid configuration:');
    expect(message).toContain('PORT ("abc"): must be a number');
    expect(message).toContain('NODE_ENV ("staging"): must be development, test or production');
    expect(message).toContain('DATABASE_URL ("mysql://x"): must be a postgres:// or postgresql:// URL');
  });

  test('production refuses a missing, short or development session secret', () => {
    for (const secret of [undefined, 'short', developmentSessionSecret]) {
      expect(() => readSettings({ NODE_ENV: 'production', SESSION_SECRET: secret })).toThrow(
        /SESSION_SECRET \(.*\): must be set to a random string of at least 32 characters in production/,
      );
    }
    expect(readSettings({ NODE_ENV: 'development' }).session.secret).toBe(developmentSessionSecret);
  });

  test('CORS origins and trust proxy are parsed', () => {
    const settings = readSettings({ CORS_ORIGINS: 'https://a.example, https://b.example', TRUST_PROXY: '1' });
    expect(settings.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(settings.trustProxy).toBe(1);
    expect(readSettings({}).corsOrigins).toEqual([]);
  });

  test('a variable set to the empty string counts as unset, as in a .env or compose file', () => {
    const names = ['NODE_ENV', 'PORT', 'HOST', 'DATABASE_URL', 'DATABASE_POOL_MAX', 'DATABASE_IDLE_TIMEOUT_MS', 'EMBEDDED_DB_DIR', 'LOG_LEVEL', 'LOG_FILE', 'SLOW_QUERY_MS', 'SERVER_TIMING',
      'WEB_CONCURRENCY', 'SHUTDOWN_TIMEOUT_MS', 'BODY_LIMIT', 'AUTO_MIGRATE', 'SESSION_SECRET', 'SESSION_COOKIE_NAME', 'SESSION_IDLE_MINUTES',
      'SESSION_ABSOLUTE_HOURS', 'PASSWORD_HASH_COST', 'CORS_ORIGINS', 'TRUST_PROXY'];
    const empty = Object.fromEntries(names.map((name) => [name, '']));
    expect(readSettings(empty)).toEqual(readSettings({}));
    expect(readSettings({ DATABASE_URL: '' }).database.url).toBeUndefined();
    expect(readSettings({ PORT: '' }).port).toBe(3000);
    // Empty is unset, not a way around the production secret check.
    expect(() => readSettings({ NODE_ENV: 'production', SESSION_SECRET: '' })).toThrow(/SESSION_SECRET \(unset\): must be set/);
  });

  test('a port out of range is refused', () => {
    expect(() => readSettings({ PORT: '70000' })).toThrow('PORT ("70000"): must be at most 65535');
  });

  test('the server refuses to start with a bad setting, saying why', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'server.ts'], {
      cwd: root,
      env: { ...process.env, PORT: 'abc', NODE_ENV: 'development' },
      encoding: 'utf8',
      timeout: 15000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT ("abc"): must be a number');
  });
});

describe('production over plain HTTP', () => {
  const secret = 'x'.repeat(48);
  const cookieWarning = /the session cookie is Secure.*set TRUST_PROXY=1/;

  test('the warning is given in production without TRUST_PROXY, and only then', () => {
    expect(insecureCookieWarning(readSettings({ NODE_ENV: 'production', SESSION_SECRET: secret }))).toMatch(cookieWarning);
    expect(insecureCookieWarning(readSettings({ NODE_ENV: 'production', SESSION_SECRET: secret, TRUST_PROXY: 'false' }))).toMatch(cookieWarning);
    expect(insecureCookieWarning(readSettings({ NODE_ENV: 'production', SESSION_SECRET: secret, TRUST_PROXY: '1' }))).toBeUndefined();
    expect(insecureCookieWarning(readSettings({ NODE_ENV: 'development' }))).toBeUndefined();
  });

  test('NODE_ENV=production npm start, without TRUST_PROXY, says once at start how to serve it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-insecure-'));
    const server = startScript('server.ts', [], {
      NODE_ENV: 'production',
      SESSION_SECRET: secret,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      WEB_CONCURRENCY: '1',
      DATABASE_URL: '',
      TRUST_PROXY: '',
      EMBEDDED_DB_DIR: dataDir,
    });
    try {
      await waitForOutput(server, /listening on/, 60000);
      const warnings = server.output().split('\n').filter((line) => cookieWarning.test(line));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40 });
    } finally {
      server.kill('SIGTERM');
      await exited(server);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90000);
});
