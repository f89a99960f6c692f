import path from 'node:path';
import { z } from 'zod';
import { findProjectRoot, loadConfig, type Environment } from '../framework';

/** The project root (where package.json is), whether running from source or from dist/. */
export const root = findProjectRoot(__dirname);

const booleanString = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production'], { message: 'must be development, test or production' }).default('development'),
  PORT: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(0).max(65535, 'must be at most 65535').default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** Folder of the embedded database's data; one sub-folder per environment. */
  EMBEDDED_DB_DIR: z.string().min(1).default(path.join(root, '.data')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must be a size like 100kb or 1mb').default('100kb'),
  AUTO_MIGRATE: booleanString.optional(),
});

export type Settings = ReturnType<typeof readSettings>;

/** Reads and checks the environment once; a bad value stops the process with every problem listed. */
export function readSettings(env: Record<string, string | undefined> = process.env) {
  const raw = loadConfig(schema, env);
  const nodeEnv: Environment = raw.NODE_ENV;
  return {
    env: nodeEnv,
    port: raw.PORT,
    host: raw.HOST,
    bodyLimit: raw.BODY_LIMIT,
    logLevel: raw.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    database: {
      url: raw.DATABASE_URL,
      poolMax: raw.DATABASE_POOL_MAX,
      embeddedDataDir: path.resolve(raw.EMBEDDED_DB_DIR, nodeEnv),
    },
    /** Apply pending migrations (and seed a new database) at start: in development and on the embedded database. */
    autoMigrate: raw.AUTO_MIGRATE ?? (nodeEnv === 'development' || !raw.DATABASE_URL),
  };
}
