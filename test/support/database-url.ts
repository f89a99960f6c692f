/**
 * `postgres://…/test` → `test_w2`: the database of jest worker 2. A jest run started by a test
 * (the generator's) sets TRESTLE_TEST_DB_SUFFIX so its databases are not its parent's.
 */
export function workerDatabaseName(url: string, worker: number): string {
  const base = decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
  return `${base}${process.env.TRESTLE_TEST_DB_SUFFIX ?? ''}_w${worker}`;
}

/** The URL of this jest worker's own database (see global-setup.ts). */
export function testDatabaseUrl(): { url: string; embedded: boolean } {
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const parsed = new URL(url);
    parsed.pathname = `/${workerDatabaseName(url, worker)}`;
    return { url: parsed.toString(), embedded: false };
  }
  const ports = (process.env.TRESTLE_TEST_EMBEDDED_PORTS ?? '').split(',').filter(Boolean);
  const port = ports[worker - 1];
  if (!port) throw new Error(`No embedded test database for jest worker ${worker}: is test/support/global-setup.ts configured?`);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, embedded: true };
}
