import { defineRoutes } from '../../framework';
import { BenchmarkController } from './controllers/BenchmarkController';

export default defineRoutes((r) => {
  r.get('/json', BenchmarkController, 'hello');
  r.get('/plaintext', BenchmarkController, 'plaintext');
  r.get('/db', BenchmarkController, 'db');
  r.get('/queries', BenchmarkController, 'queries');
  r.get('/fortunes', BenchmarkController, 'fortunes');
  r.get('/updates', BenchmarkController, 'updates');
});
