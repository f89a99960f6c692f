/**
 * Type tests of views and their locals, compiled by `npm run typecheck` (never run): each mistake sits
 * under `// @ts-expect-error` (tsc fails if it stops being an error), with the correct form beside it.
 * The types come from config/generated/views.ts, which the declarations in views/ make.
 */
import type { PagesController } from '../../app/controllers/PagesController';
import type { PostsController } from '../../app/controllers/PostsController';
import type { UsersController } from '../../app/controllers/UsersController';
import type { Post } from '../../app/models/Post';
import type { User } from '../../app/models/User';
import type { Page } from '../../framework';

declare const pages: PagesController;
declare const posts: PostsController;
declare const users: UsersController;
declare const user: User;
declare const post: Post;
declare const userPage: Page<User>;

export function viewNames(): void {
  pages.render('home');
  // @ts-expect-error: there is no views/pages/hom.ejs
  pages.render('hom');
  // A full path names any view…
  pages.render('users/index', { users: userPage });
  // @ts-expect-error: …but only one that exists
  pages.render('users/indx', { users: userPage });
  // @ts-expect-error: a short name is looked up in the controller's own folder (views/posts/), not another's
  posts.render('index1', { name: 'x', users: [] });
}

export function declaredLocals(): void {
  users.render('show', { user, posts: [post] });
  // @ts-expect-error: a misspelled local
  users.render('show', { usr: user, posts: [post] });
  // @ts-expect-error: a missing local
  users.render('show', { user });
  // @ts-expect-error: a local of the wrong type
  users.render('show', { user, posts: post });
  // @ts-expect-error: the locals of a view that declares some cannot be left out
  users.render('show');
  // The layout's locals (`title`) go with every render; a view declaring none takes no other.
  pages.render('index', { title: 'A static page' });
  // @ts-expect-error: views/pages/index.ejs declares no `name`
  pages.render('index', { title: 'A static page', name: 'x' });
  // @ts-expect-error: the layout's `title` is a string
  pages.render('index', { title: 3 });
  // Options keep their place after the locals.
  users.render('show', { user, posts: [] }, { status: 404, layout: false });
}
