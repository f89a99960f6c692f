import knex from 'knex';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../framework';
import { workerDatabaseName } from './database-url';

/**
 * Gives every jest worker a database of its own, so test files run in parallel without sharing
 * rows: on the embedded PostgreSQL, one in-memory instance per worker; with TEST_DATABASE_URL,
 * one database per worker on that server (created here when missing).
 */
export default async function globalSetup(globalConfig: { maxWorkers: number }): Promise<void> {
  const workers = Math.max(globalConfig.maxWorkers || 1, 1);
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const admin = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
    try {
      for (let worker = 1; worker <= workers; worker++) {
        const name = workerDatabaseName(url, worker);
        const { rows } = await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [name]);
        if (rows.length === 0) await admin.raw('CREATE DATABASE ??', [name]);
      }
    } finally {
      await admin.destroy();
    }
    return;
  }
  const servers: EmbeddedPostgres[] = await Promise.all(Array.from({ length: workers }, () => startEmbeddedPostgres()));
  (globalThis as { __embeddedTestDatabases?: EmbeddedPostgres[] }).__embeddedTestDatabases = servers;
  process.env.TRESTLE_TEST_EMBEDDED_PORTS = servers.map((s) => s.port).join(',');
}
