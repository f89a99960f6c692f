import { defineRoutes } from '../framework';
import { PagesController } from '../app/controllers/PagesController';
import { SessionsController } from '../app/controllers/SessionsController';

/** The one URL table: every page of the application, in the order they are matched. */
export default defineRoutes((r) => {
  r.get('/', PagesController, 'home', { name: 'root' });
  r.get('/index/', PagesController, 'index');
  r.get('/index1/', PagesController, 'index1');
  r.get('/login/', SessionsController, 'new', { name: 'login' });
});
