/**
 * Type tests for route names and path parameters, compiled by `npm run typecheck` (never run):
 * each line under `@ts-expect-error` must stay an error, so the check fails if a mistake stops
 * being caught. The names come from config/routes.ts through the generated config/generated/routes.ts.
 */
import type { AvatarsController } from '../../../app/controllers/AvatarsController';
import type { PostsController } from '../../../app/controllers/PostsController';
import routes from '../../../config/routes';
import type { UrlHelper } from '../../../framework';

declare const posts: PostsController;
declare const avatars: AvatarsController;
declare const url: UrlHelper; // the views' url()

export function correctForms(): string[] {
  const postId: string | undefined = posts.params.id; // PostsController: /posts and /posts/:id
  const owner: string = avatars.params.userId; // every avatar route has :userId
  return [
    routes.url('root'),
    routes.url('users.show', { id: 1 }),
    posts.url('posts.show', { id: '3' }),
    posts.url('user_posts.index', { userId: 7 }), // a nested resource's name
    posts.url('login'), // a { name } option
    url('user_avatar.edit', { userId: 2 }),
    postId ?? owner,
  ];
}

export function mistakes(): unknown[] {
  return [
    // @ts-expect-error an unknown route name, on the URL table
    routes.url('nope'),
    // @ts-expect-error an unknown route name, in a controller
    posts.url('nope.show'),
    // @ts-expect-error an unknown route name, in a view
    url('users.shw', { id: 1 }),
    // @ts-expect-error a missing parameter
    posts.url('users.show', {}),
    // @ts-expect-error no parameters at all for a route that needs one
    posts.url('users.show'),
    // @ts-expect-error a misspelled parameter
    posts.url('users.show', { idd: 1 }),
    // @ts-expect-error an extra parameter
    posts.url('users.show', { id: 1, page: 2 }),
    // @ts-expect-error parameters for a route that has none
    posts.url('root', { id: 1 }),
    // @ts-expect-error a misspelled path parameter in an action
    posts.params.idd,
    // @ts-expect-error a parameter none of the controller's routes has
    avatars.params.id,
  ];
}

export function sharedParameters(): string {
  // @ts-expect-error only some PostsController routes have :userId, so it may be absent
  const author: string = posts.params.userId;
  return author;
}
