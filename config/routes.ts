import { defineRoutes } from '../framework';
import { AvatarsController } from '../app/controllers/AvatarsController';
import { PagesController } from '../app/controllers/PagesController';
import { PostsController } from '../app/controllers/PostsController';
import { SessionsController } from '../app/controllers/SessionsController';
import { UsersController } from '../app/controllers/UsersController';

/** The one URL table: every page of the application, in the order they are matched. `npm run routes` prints it. */
export default defineRoutes((r) => {
  r.get('/', PagesController, 'home', { name: 'root' });
  r.get('/index/', PagesController, 'index');
  r.get('/index1/', PagesController, 'index1');
  r.get('/login/', SessionsController, 'new', { name: 'login' });
  r.post('/login/', SessionsController, 'create', { name: 'sessions.create' });
  r.post('/logout', SessionsController, 'destroy', { name: 'logout' });
  r.get('/signup', UsersController, 'new', { name: 'signup' });

  r.resources('users', UsersController, {}, (user) => {
    user.resources('posts', PostsController, { only: ['index', 'new', 'create'] });
  });
  r.resources('posts', PostsController);

  // A user's picture: a multipart form, parsed by its route middleware (multer) before the action.
  r.get('/users/:userId/avatar', AvatarsController, 'show', { name: 'user_avatar' });
  r.get('/users/:userId/avatar/edit', AvatarsController, 'edit', { name: 'user_avatar.edit' });
  r.post('/users/:userId/avatar', AvatarsController, 'create', { name: 'user_avatar.create', use: [AvatarsController.upload] });
});
