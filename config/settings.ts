import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { defaultIdleTimeout, findProjectRoot, loadConfig, type Environment } from '../framework';

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
  /** How long an unused database connection stays open. */
  DATABASE_IDLE_TIMEOUT_MS: z.coerce.number().int().min(0).max(86_400_000).default(defaultIdleTimeout),
  /** Folder of the embedded database's data; one sub-folder per environment. */
  EMBEDDED_DB_DIR: z.string().min(1).default(path.join(root, '.data')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  /** Write the log to this file instead of stdout. */
  LOG_FILE: z.string().min(1).optional(),
  /** Statements slower than this are logged with their SQL. */
  SLOW_QUERY_MS: z.coerce.number().min(0).default(200),
  /** Send `Server-Timing` with every response; on by default outside production. */
  SERVER_TIMING: booleanString.optional(),
  /** Worker processes; default 1 in development, one per core in production. */
  WEB_CONCURRENCY: z.coerce.number().int().min(1, 'must be at least 1').max(64).optional(),
  /** How long a shutdown waits for requests in flight. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must be a size like 100kb or 1mb').default('100kb'),
  AUTO_MIGRATE: booleanString.optional(),
  SESSION_SECRET: z.string().optional(),
  SESSION_COOKIE_NAME: z.string().regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, dot, dash or underscore').default('trestle.sid'),
  /** Minutes without a request after which a visitor is signed out. */
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(60 * 24 * 30).default(120),
  /** Hours after signing in after which a session ends, however active. */
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(12),
  /** log2 of scrypt's N for new password hashes; OWASP recommends 17. */
  PASSWORD_HASH_COST: z.coerce.number().int().min(10, 'must be at least 10').max(20).optional(),
  /** Comma-separated origins allowed to call the JSON API from other sites (CORS). */
  CORS_ORIGINS: z.string().default(''),
  /** Express `trust proxy`: true, false, a hop count, or a list of addresses. */
  TRUST_PROXY: z.string().optional(),
  /** Log every SQL statement at debug level (with its values in development); on in development. */
  LOG_SQL: booleanString.optional(),
  /** Folder of uploaded files (avatars); one sub-folder per environment by default. */
  UPLOADS_DIR: z.string().min(1).optional(),
  /** The request inspector at /_trestle/ and the development error page: development only, on by default there. */
  INSPECTOR: booleanString.optional(),
  /** How many recent requests the inspector keeps. */
  INSPECTOR_SIZE: z.coerce.number().int().min(1, 'must be at least 1').max(10_000).default(200),
  /** Comma-separated client addresses besides loopback that may open the inspector. */
  INSPECTOR_ALLOW: z.string().default(''),
  /** Named prepared statements; false behind a pooler in transaction mode that drops them (PgBouncer before 1.21, or without max_prepared_statements). */
  DATABASE_PREPARED_STATEMENTS: booleanString.default(true),
  /** Comma-separated postgres:// URLs of read-only replicas; GET requests read from them. */
  DATABASE_REPLICA_URLS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((url) => url.trim()).filter(Boolean))
    .refine((urls) => urls.every((url) => /^postgres(ql)?:\/\//.test(url)), 'must be comma-separated postgres:// or postgresql:// URLs'),
  /** After a writing request, how long that client's reads stay on the primary (replica lag covered). */
  DATABASE_PRIMARY_AFTER_WRITE_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
});

/** Development's secret: good enough on a laptop, refused in production. */
export const developmentSessionSecret = 'development-only-secret-do-not-use-in-production';

export type Settings = ReturnType<typeof readSettings>;

/**
 * Reads and checks the environment once; a bad value stops the process with every problem listed.
 * A variable set to the empty string counts as unset (`DATABASE_URL=` in a .env or compose file).
 */
export function readSettings(env: Record<string, string | undefined> = process.env, use: { serving: boolean } = { serving: true }) {
  // The database tasks (`npm run db:*`) sign no cookie, so production needs no SESSION_SECRET for them.
  const raw = loadConfig(use.serving ? schema.superRefine(requireProductionSecret) : schema, withoutEmptyValues(env));
  const nodeEnv: Environment = raw.NODE_ENV;
  return {
    env: nodeEnv,
    port: raw.PORT,
    host: raw.HOST,
    bodyLimit: raw.BODY_LIMIT,
    logLevel: raw.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    logFile: raw.LOG_FILE,
    slowQueryMs: raw.SLOW_QUERY_MS,
    logSql: raw.LOG_SQL ?? nodeEnv === 'development',
    serverTiming: raw.SERVER_TIMING ?? nodeEnv !== 'production',
    workers: raw.WEB_CONCURRENCY ?? (nodeEnv === 'production' ? os.availableParallelism() : 1),
    shutdownTimeout: raw.SHUTDOWN_TIMEOUT_MS,
    database: {
      url: raw.DATABASE_URL,
      poolMax: raw.DATABASE_POOL_MAX,
      idleTimeout: raw.DATABASE_IDLE_TIMEOUT_MS,
      embeddedDataDir: path.resolve(raw.EMBEDDED_DB_DIR, nodeEnv),
    },
    session: {
      secret: raw.SESSION_SECRET ?? developmentSessionSecret,
      cookieName: raw.SESSION_COOKIE_NAME,
      idleTimeout: raw.SESSION_IDLE_MINUTES * 60,
      absoluteTimeout: raw.SESSION_ABSOLUTE_HOURS * 60 * 60,
      secure: nodeEnv === 'production',
    },
    // Tests hash at a low cost to stay fast; everywhere else OWASP's.
    passwordCost: raw.PASSWORD_HASH_COST ?? (nodeEnv === 'test' ? 12 : 17),
    corsOrigins: raw.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    trustProxy: parseTrustProxy(raw.TRUST_PROXY),
    uploadsDir: path.resolve(raw.UPLOADS_DIR ?? path.join(root, '.data', 'uploads', nodeEnv)),
    /** Apply pending migrations (and seed a new database) at start: in development and on the embedded database. */
    autoMigrate: raw.AUTO_MIGRATE ?? (nodeEnv === 'development' || !raw.DATABASE_URL),
    inspector: {
      enabled: nodeEnv === 'development' && (raw.INSPECTOR ?? true),
      size: raw.INSPECTOR_SIZE,
      allow: raw.INSPECTOR_ALLOW.split(',').map((a) => a.trim()).filter(Boolean),
    },
    databaseScaling: {
      preparedStatements: raw.DATABASE_PREPARED_STATEMENTS,
      replicaUrls: raw.DATABASE_REPLICA_URLS,
      primaryAfterWriteMs: raw.DATABASE_PRIMARY_AFTER_WRITE_MS,
    },
  };
}

/** The 12-factor reading: `NAME=` means "not set", so the default applies rather than an error (or `PORT=` meaning port 0). */
function withoutEmptyValues(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const set: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) if (value !== '') set[name] = value;
  return set;
}

/**
 * The start-up warning for production without TRUST_PROXY: the session cookie is Secure there, and
 * without a proxy saying the request came over HTTPS the app never sets it, so signing in over plain
 * http:// (`NODE_ENV=production npm start` on a laptop) silently never works. Undefined when all is well.
 */
export function insecureCookieWarning(settings: Pick<Settings, 'env' | 'trustProxy'>): string | undefined {
  if (settings.env !== 'production' || settings.trustProxy) return undefined;
  return (
    'production without TRUST_PROXY: the session cookie is Secure, so browsers keep it only over HTTPS and signing in over plain http:// will not work. ' +
    'Serve the app behind a TLS-terminating proxy (nginx, a load balancer) and set TRUST_PROXY=1; to try it locally over http://, use NODE_ENV=development.'
  );
}

function requireProductionSecret(raw: { NODE_ENV: string; SESSION_SECRET?: string }, context: z.RefinementCtx): void {
  if (raw.NODE_ENV !== 'production') return;
  const secret = raw.SESSION_SECRET;
  if (!secret || secret === developmentSessionSecret || secret.length < 32) {
    context.addIssue({
      code: 'custom',
      path: ['SESSION_SECRET'],
      message: 'must be set to a random string of at least 32 characters in production (for example: openssl rand -hex 32)',
    });
  }
}

function parseTrustProxy(value: string | undefined): boolean | number | string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}
