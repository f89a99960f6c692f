/**
 * Runs an embedded PostgreSQL in a process of its own, for tests that stop and start a database:
 *   node --import tsx test/support/embedded-server.ts <dataDir> [port]
 * Prints "listening <port>" when ready; SIGTERM stops it.
 */
import { startEmbeddedPostgres } from '../../framework/database/embedded-postgres';

async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  const server = await startEmbeddedPostgres({ dataDir, port: port ? Number(port) : 0 });
  process.stdout.write(`listening ${server.port}\n`);
  process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
