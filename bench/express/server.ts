/** The strict bare-Express baseline as a process: `listening <port>` on stdout once it is ready. */
import { Pool } from 'pg';
import { buildExpressApp } from './app';

// Connections kept through the pauses between rounds (each server idles while the others run,
// longer than pg's own 10 s), as Trestle's pool keeps them: no server reconnects at a round's start.
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 16), idleTimeoutMillis: 300_000 });
const server = buildExpressApp(pool).listen(Number(process.env.PORT ?? 8081), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
});
// The benchmark is over when this arrives: stop at once.
process.once('SIGTERM', () => process.exit(0));
