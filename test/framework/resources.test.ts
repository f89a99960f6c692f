import { Controller, defineRoutes, type AnyRouteNames } from '../../framework';

class PhotosController extends Controller {
  async index() {}
  async new() {}
  async create() {}
  async show() {}
  async edit() {}
  async update() {}
  async destroy() {}
}

class CommentsController extends Controller {
  async index() {}
  async create() {}
}

const lines = (table: ReturnType<typeof defineRoutes>) => table.routes.map((r) => `${r.method.toUpperCase()} ${r.path} ${r.name ?? '-'} ${r.action}`);

describe('resources()', () => {
  test('draws the seven conventional routes, in matching order, with names', () => {
    const table = defineRoutes<AnyRouteNames>((r) => r.resources('photos', PhotosController));
    expect(lines(table)).toEqual([
      'GET /photos photos.index index',
      'GET /photos/new photos.new new',
      'POST /photos photos.create create',
      'GET /photos/:id photos.show show',
      'GET /photos/:id/edit photos.edit edit',
      'PATCH /photos/:id photos.update update',
      'PUT /photos/:id - update',
      'DELETE /photos/:id photos.destroy destroy',
    ]);
    expect(table.url('photos.edit', { id: 7 })).toBe('/photos/7/edit');
  });

  test('only and except', () => {
    expect(lines(defineRoutes((r) => r.resources('photos', PhotosController, { only: ['index', 'show'] })))).toEqual([
      'GET /photos photos.index index',
      'GET /photos/:id photos.show show',
    ]);
    const without = defineRoutes((r) => r.resources('photos', PhotosController, { except: ['new', 'edit', 'update', 'destroy', 'create'] }));
    expect(without.routes.map((r) => r.action)).toEqual(['index', 'show']);
  });

  test('nesting puts routes under /parents/:parentId with prefixed names', () => {
    const table = defineRoutes<AnyRouteNames>((r) => r.resources('photos', PhotosController, { only: ['show'] }, (photo) => photo.resources('comments', CommentsController, { only: ['index', 'create'] })));
    expect(lines(table)).toEqual([
      'GET /photos/:id photos.show show',
      'GET /photos/:photoId/comments photo_comments.index index',
      'POST /photos/:photoId/comments photo_comments.create create',
    ]);
    expect(table.url('photo_comments.index', { photoId: 3 })).toBe('/photos/3/comments');
    expect(() => table.url('photo_comments.index')).toThrow('needs the parameter "photoId"');
  });

  test('irregular plurals name the nested parameter: people → :personId', () => {
    const table = defineRoutes((r) => r.resources('people', PhotosController, { only: [] }, (person) => person.resources('comments', CommentsController, { only: ['index'] })));
    expect(lines(table)).toEqual(['GET /people/:personId/comments person_comments.index index']);
  });

  test('a controller missing one of the actions fails at start-up, naming it', () => {
    expect(() => defineRoutes((r) => r.resources('comments', CommentsController))).toThrow('CommentsController has no action "new" (route GET /comments/new).');
  });
});
