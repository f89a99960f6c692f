import fs from 'node:fs';
import path from 'node:path';
import type { Request } from 'express';
import type { FlashMessages } from '../security';
import { controllerPath, type UrlHelper } from '../support';
import type { FormBuilder, FormOptions } from './form-builder';
import type { escapeHtml, linkTo } from './html';
import { exportedTypeNames, readLocalsDeclaration, typeIdentifiers, type LocalsDeclaration } from './template-declarations';

/** The helpers and values the framework gives every template (see `defaultHelpers` and `requestHelpers`). */
export interface FrameworkViewHelpers {
  title: string | undefined;
  url: UrlHelper;
  /** Whether every one of `names` is a route of this app (a layout shared by apps whose tables differ). */
  hasRoute(...names: string[]): boolean;
  formatDate(value: Date | string | null | undefined): string;
  linkTo: typeof linkTo;
  escapeHtml: typeof escapeHtml;
  pluralize(count: number, word: string): string;
  asset(file: string): string;
  pager(info: { page: number; perPage: number; pages: number; total: number }, request: Request): string;
  request: Request;
  flash: FlashMessages;
  csrfToken(): string | undefined;
  formFor(values: object | undefined, options: FormOptions): FormBuilder;
  buttonTo(text: string, action: string, options?: { method?: string; class?: string }): string;
  /** EJS's own: renders another template (`include('_form', { post })`) with these locals and its own. */
  include(view: string, locals?: Record<string, unknown>): string;
}

/** Every name of `FrameworkViewHelpers`, for the template check (which destructures them). */
export const frameworkHelperNames = [
  'title', 'url', 'hasRoute', 'formatDate', 'linkTo', 'escapeHtml', 'pluralize', 'asset', 'pager', 'request', 'flash', 'csrfToken', 'formFor', 'buttonTo', 'include',
] as const satisfies readonly (keyof FrameworkViewHelpers)[];
// Fails to compile when a helper is added to the interface but not to the list.
const everyHelperListed: Exclude<keyof FrameworkViewHelpers, (typeof frameworkHelperNames)[number]> extends never ? true : false = true;
void everyHelperListed;

/** The arguments of `render` for a view taking locals `L`: the locals may be left out when none is required. */
export type RenderArguments<L> = {} extends L ? [locals?: L, options?: RenderCallOptions] : [locals: L, options?: RenderCallOptions];
/** The options of `render` (the controller's `RenderOptions`, which this room cannot import). */
interface RenderCallOptions {
  status?: number;
  layout?: string | false;
}

/** The locals of view `V` (`'show'` in folder `F`, or a full `'users/show'`) in the registry `R`. */
export type LocalsOfView<R, F extends string, V extends string> = V extends keyof R ? R[V] : `${F}/${V}` extends keyof R ? R[`${F}/${V}`] : never;

/** The app's own helpers: the module and export that hold them, and their names. */
export interface AppHelpersSource {
  module: string;
  exportName: string;
  names: readonly string[];
}

/** What the view types are made from; every path is relative to `root`. */
export interface ViewTypesOptions {
  root: string;
  /** Folder of the templates (`views`). */
  viewsDir: string;
  /** Modules (no extension) whose exported types declarations may name: `app/models/User`, `framework`. */
  typeModules?: readonly string[];
  helpers?: AppHelpersSource;
  /** What every render also has from `res.locals`, as a declaration: `{ currentUser?: User }`. */
  sharedLocals?: string;
  /** The default layout, whose declared locals (but `body`) every render may pass. */
  layout?: string;
  /** Controllers (module without extension, export name, class name) whose `render` gets typed. */
  controllers?: readonly { module: string; exportName: string; className: string }[];
}

/** One template as the type generators see it. */
export interface TemplateInfo {
  /** `posts/show`. */
  name: string;
  /** From the root: `views/posts/show.ejs`. */
  file: string;
  source: string;
  declaration: LocalsDeclaration | undefined;
}

/** Every `.ejs` under the views folder, sorted by name, with its declaration. */
export function readTemplates(root: string, viewsDir: string): TemplateInfo[] {
  const base = path.join(root, viewsDir);
  const files = fs.readdirSync(base, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ejs'));
  return files
    .map((f) => f.split(path.sep).join('/'))
    .sort()
    .map((f) => {
      const source = fs.readFileSync(path.join(base, f), 'utf8');
      return { name: f.slice(0, -'.ejs'.length), file: `${viewsDir}/${f}`, source, declaration: readLocalsDeclaration(source) };
    });
}

/** `import type { … } from '…'` lines for the type names `types` use, found among the exports of `typeModules`. */
export function typeImports(options: ViewTypesOptions, types: readonly string[], importPath: (module: string) => string): string[] {
  const known = new Map<string, string>();
  for (const module of options.typeModules ?? []) {
    const file = [`${module}.ts`, `${module}/index.ts`].map((f) => path.join(options.root, f)).find((f) => fs.existsSync(f));
    if (!file) throw new Error(`typeModules: no ${module}.ts or ${module}/index.ts under ${options.root}`);
    for (const name of exportedTypeNames(fs.readFileSync(file, 'utf8'))) if (!known.has(name)) known.set(name, module);
  }
  const byModule = new Map<string, Set<string>>();
  for (const name of new Set(types.flatMap(typeIdentifiers))) {
    const module = known.get(name);
    if (module) (byModule.get(module) ?? byModule.set(module, new Set()).get(module)!).add(name);
  }
  return [...byModule].map(([module, names]) => `import type { ${[...names].sort().join(', ')} } from '${importPath(module)}';`);
}

/** A path from `fromFile` to `module` (both from the root) usable in an import. */
export function relativeImport(fromFile: string, module: string): string {
  const relative = path.posix.relative(path.posix.dirname(fromFile), module);
  return relative.startsWith('.') ? relative : `./${relative}`;
}

const quote = (name: string) => `'${name.replace(/'/g, "\\'")}'`;

/**
 * The application's view registry, as the text of `outFile`: `ViewLocals` (each view's declared
 * locals; `Record<string, unknown>` for one without a declaration) and, for each controller with a
 * views folder, a typed `render` merged into its class, so `this.render('show', …)` is checked.
 */
export function viewRegistrySource(options: ViewTypesOptions, outFile: string): string {
  const templates = readTemplates(options.root, options.viewsDir);
  const declared = templates.flatMap((t) => (t.declaration ? [t.declaration.type] : []));
  const lines = [
    `import type { LocalsOfView, RenderArguments } from '${relativeImport(outFile, 'framework')}';`,
    ...typeImports(options, declared, (m) => relativeImport(outFile, m)),
    '',
    `/** The locals each template under ${options.viewsDir}/ declares in its first line (an undeclared one takes any). */`,
    'export interface ViewLocals {',
    ...templates.map((t) => `  ${quote(t.name)}: ${t.declaration ? t.declaration.type.replace(/\s*\n\s*/g, ' ') : 'Record<string, unknown>'};`),
    '}',
    '',
    '/** What every render may pass for the layout: its declared locals but `body`. */',
    `export type LayoutLocals = ${layoutLocals(options, templates)};`,
  ];
  for (const controller of options.controllers ?? []) {
    const folder = controllerPath(controller.className);
    const views = templates.filter((t) => t.name.startsWith(`${folder}/`)).map((t) => quote(t.name.slice(folder.length + 1)));
    if (views.length === 0) continue;
    lines.push(
      '',
      `declare module '${relativeImport(outFile, controller.module)}' {`,
      `  interface ${controller.exportName} {`,
      `    /** Renders a view of ${options.viewsDir}/${folder}/ (\`'show'\`) or any view (\`'users/show'\`), with the locals it declares. */`,
      `    render<V extends ${views.join(' | ')} | keyof ViewLocals>(name: V, ...args: RenderArguments<LocalsOfView<ViewLocals, ${quote(folder)}, V> & LayoutLocals>): void;`,
      '  }',
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

function layoutLocals(options: ViewTypesOptions, templates: readonly TemplateInfo[]): string {
  const layout = templates.find((t) => t.name === `layouts/${options.layout ?? 'application'}`);
  return layout?.declaration ? `Omit<ViewLocals[${quote(layout.name)}], 'body'>` : '{}';
}
