/** The Fastify peer as a process: `listening <port>` on stdout once it is ready. */
import { Pool } from 'pg';
import { buildFastifyApp } from './app';

// Connections kept through the pauses between rounds (each server idles while the others run,
// longer than pg's own 10 s), as Trestle's pool keeps them: no server reconnects at a round's start.
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 16), idleTimeoutMillis: 300_000 });
const app = buildFastifyApp(pool);
app.listen({ port: Number(process.env.PORT ?? 8082), host: '127.0.0.1' }).then(
  () => {
    const address = app.server.address();
    console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
// The benchmark is over when this arrives: stop at once.
process.once('SIGTERM', () => process.exit(0));
