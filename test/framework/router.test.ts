import { Controller, defineRoutes, type AnyRouteNames } from '../../framework';

class WidgetsController extends Controller {
  async index() {}
  async show() {}
}

describe('the URL table', () => {
  const routes = defineRoutes<AnyRouteNames>((r) => {
    r.get('/widgets', WidgetsController, 'index');
    r.get('/widgets/:id', WidgetsController, 'show');
    r.get('/w/:id', WidgetsController, 'show');
    r.get('/', WidgetsController, 'index', { name: 'root' });
  });

  test('names routes <controller>.<action> and builds their paths', () => {
    expect(routes.url('widgets.index')).toBe('/widgets');
    expect(routes.url('widgets.show', { id: 42 })).toBe('/widgets/42');
    expect(routes.url('root')).toBe('/');
  });

  test('encodes parameters', () => {
    expect(routes.url('widgets.show', { id: 'a b/c' })).toBe('/widgets/a%20b%2Fc');
  });

  test('a second route to the same action gets no implicit name', () => {
    expect(routes.routes.map((r) => r.name)).toEqual(['widgets.index', 'widgets.show', undefined, 'root']);
  });

  test('an unknown name is a clear error listing the known ones', () => {
    expect(() => routes.url('widget.show')).toThrow('No route is named "widget.show". Known names: widgets.index, widgets.show, root');
  });

  test('a missing parameter is a clear error', () => {
    expect(() => routes.url('widgets.show')).toThrow('Route "widgets.show" (/widgets/:id) needs the parameter "id".');
  });

  test('an action the controller does not have fails at start-up', () => {
    expect(() => defineRoutes((r) => r.add('get', '/x', WidgetsController, 'destroy'))).toThrow('WidgetsController has no action "destroy" (route GET /x).');
  });

  test('two routes with the same explicit name fail at start-up', () => {
    expect(() =>
      defineRoutes((r) => {
        r.get('/a', WidgetsController, 'index', { name: 'home' });
        r.get('/b', WidgetsController, 'show', { name: 'home' });
      }),
    ).toThrow('Two routes are named "home"');
  });

  test('a path must start with a slash', () => {
    expect(() => defineRoutes((r) => r.get('widgets', WidgetsController, 'index'))).toThrow('must start with "/"');
  });
});
