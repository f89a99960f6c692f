import { propertyKey } from '../support';
import type { Route, RouteTable } from './url-table';

export interface RouteTypesOptions {
  /** The module the app imports the framework from, as the generated file reaches it (`'../framework'`). */
  framework: string;
  /** The module that declares a controller class, as the generated file reaches it; undefined leaves its params untyped. */
  controllerModule(controllerName: string): string | undefined;
}

/**
 * The TypeScript that teaches tsc an application's URL table (written to `config/generated/routes.ts`
 * by `npm run typecheck`): every route name with the parameters its path needs, for `url()`; and,
 * for each controller, the path parameters its actions can receive, for `this.params`. A
 * parameter every route of a controller has is a `string`; one only some routes have is optional.
 */
export function routeTypes(table: RouteTable<object>, options: RouteTypesOptions): string {
  const names: string[] = [];
  for (const route of table.routes) {
    if (route.name === undefined) continue;
    const params = pathParams(route.path).filter((p) => !p.splat);
    const shape = params.length === 0 ? 'Record<string, never>' : `{ ${params.map((p) => `${propertyKey(p.name)}: string | number`).join('; ')} }`;
    names.push(`    ${JSON.stringify(route.name)}: ${shape};`);
  }
  const byController = new Map<string, Route[]>();
  for (const route of table.routes) {
    const list = byController.get(route.controller.name) ?? [];
    list.push(route);
    byController.set(route.controller.name, list);
  }
  const controllers: string[] = [];
  for (const [name, routes] of [...byController].sort(([a], [b]) => a.localeCompare(b))) {
    const module = options.controllerModule(name);
    if (module === undefined) continue;
    const seen = new Map<string, { count: number; splat: boolean }>();
    for (const route of routes) {
      for (const param of pathParams(route.path)) {
        const entry = seen.get(param.name) ?? { count: 0, splat: param.splat };
        entry.count += 1;
        seen.set(param.name, entry);
      }
    }
    const fields = [...seen].map(([param, { count, splat }]) => `readonly ${propertyKey(param)}${count === routes.length ? '' : '?'}: ${splat ? 'readonly string[]' : 'string'}`);
    const lines = routes.map((r) => `${r.method.toUpperCase()} ${r.path}`);
    controllers.push(
      `declare module ${JSON.stringify(module)} {`,
      `  interface ${name} {`,
      `    /** The path parameters of ${lines.join(', ')}. */`,
      `    get params(): { ${fields.join('; ')}${fields.length ? ' ' : ''}};`,
      '  }',
      '}',
      '',
    );
  }
  return [
    'export {};',
    '',
    `declare module ${JSON.stringify(options.framework)} {`,
    '  interface RouteNames {',
    ...names,
    '  }',
    '}',
    '',
    ...controllers,
  ].join('\n');
}

/** The parameters of a route path: `/users/:userId/posts/:id` → userId, id; `/files/*path` → path (a splat). */
function pathParams(path: string): Array<{ name: string; splat: boolean }> {
  return [...path.matchAll(/([:*])([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => ({ name: m[2]!, splat: m[1] === '*' }));
}
