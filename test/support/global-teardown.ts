import type { EmbeddedPostgres } from '../../framework';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as { __embeddedTestDatabases?: EmbeddedPostgres[] }).__embeddedTestDatabases ?? [];
  await Promise.all(servers.map((server) => server.stop()));
}
