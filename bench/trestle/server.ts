import { serve, createLogger } from '../../framework';
import { buildBenchmarkApp, openBenchmarkDatabase } from './app';

async function main() {
  const db = await openBenchmarkDatabase(process.env.DATABASE_URL!, Number(process.env.POOL_SIZE ?? 16));
  const app = buildBenchmarkApp(db, process.env.LOG_FILE ?? '/dev/null');
  const running = await serve(app, { port: Number(process.env.PORT ?? 8080), host: '127.0.0.1', logger: createLogger({ level: 'warn' }), onClose: () => db.close() });
  console.log(`listening ${running.port}`);
  // The benchmark is over when this arrives: stop at once.
  process.once('SIGTERM', () => process.exit(0));
  void running;
}

void main();
