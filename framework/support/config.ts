import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';

/** Where the application runs: it decides caching, error detail, cookie security and more. */
export type Environment = 'development' | 'test' | 'production';

/** A setting in the environment has a value the application cannot run with. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads settings from `env` (default `process.env`) through a zod schema, so the rest of the app
 * sees typed values. Every bad value is reported at once, naming the variable and what it expects.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.map(String).join('.') || '(environment)';
    const value = env[name];
    const shown = value === undefined ? 'unset' : JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
    return `${name} (${shown}): ${issue.message}`;
  });
  throw new ConfigError(problems);
}

/** Loads `.env` from `dir` into `process.env` when the file exists; variables already set win. */
export function loadDotEnv(dir: string): void {
  const file = path.join(dir, '.env');
  if (fs.existsSync(file)) process.loadEnvFile(file);
}

/** The nearest folder at or above `start` that holds a `package.json`: the project root. */
export function findProjectRoot(start: string): string {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${start}`);
    dir = parent;
  }
}
