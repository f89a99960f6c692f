import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError } from '../../framework';
import { readSettings } from '../../config/settings';

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
    const settings = readSettings({ NODE_ENV: 'production', PORT: '8080', DATABASE_URL: 'postgres://app:pw@db/app', DATABASE_POOL_MAX: '20' });
    expect(settings).toMatchObject({ env: 'production', port: 8080, database: { url: 'postgres://app:pw@db/app', poolMax: 20 }, autoMigrate: false });
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
