import fs from 'node:fs';
import path from 'node:path';
import { readTemplate, resolveInclude, type CompiledTemplate, type Include } from './compiled-template';

export interface ViewOptions {
  /** Folder holding `layouts/`, `partials/`, `errors/` and one folder per controller. */
  viewsDir: string;
  /** Keep compiled templates in memory (on everywhere but development). */
  cache: boolean;
  /** Layout used when a render does not name one; `false` renders bare templates. */
  defaultLayout?: string | false;
  /** Told of every template and partial as it starts rendering (development's inspector); calls what it returns when done. */
  observer?: RenderObserver;
}

/** Watches renders: called with a template's name (`posts/show`, `partials/_nav`) as it starts; returns what to call once it is done. */
export type RenderObserver = (name: string, partial: boolean) => () => void;

/**
 * Renders EJS templates inside a layout. Each template is compiled once and kept (when caching),
 * so a request only pays for running the compiled function; see `CompiledTemplate` for how it is
 * compiled and what a template sees. `include(view, locals)` renders a partial with a copy of the
 * including template's locals plus `locals`, found as EJS finds it.
 */
export class ViewRenderer {
  readonly viewsDir: string;
  readonly cache: boolean;
  readonly defaultLayout: string | false;
  /** Compiled templates and partials by file. */
  private readonly compiled = new Map<string, CompiledTemplate>();
  /** The same, by view name (`posts/show`, `layouts/application`). */
  private readonly byName = new Map<string, CompiledTemplate>();
  /** The file each `include` names, by including file, then by the name it gives (when caching). */
  private readonly includes = new Map<string, Map<string, string>>();
  private readonly observer: RenderObserver | undefined;

  constructor(options: ViewOptions) {
    this.viewsDir = path.resolve(options.viewsDir);
    this.cache = options.cache;
    this.defaultLayout = options.defaultLayout ?? 'application';
    this.observer = options.observer;
  }

  /** Renders `name` (for example `pages/index`) and wraps it in the layout, which receives it as `body`. */
  render(name: string, locals: Record<string, unknown>, layout: string | false = this.defaultLayout): string {
    const body = this.renderTemplate(this.named(name), name, locals, false);
    if (layout === false) return body;
    locals.body = body;
    const layoutName = `layouts/${layout}`;
    return this.renderTemplate(this.named(layoutName), layoutName, locals, false);
  }

  /** True when `views/<name>.ejs` exists. */
  has(name: string): boolean {
    return this.byName.has(name) || fs.existsSync(this.filename(name));
  }

  private filename(name: string): string {
    return path.join(this.viewsDir, `${name}.ejs`);
  }

  private renderTemplate(template: CompiledTemplate, name: string, locals: Record<string, unknown>, partial: boolean): string {
    const include: Include = (view, extra) => this.renderPartial(view, template.filename, locals, extra);
    if (!this.observer) return template.run(locals, include);
    const done = this.observer(name, partial);
    try {
      return template.run(locals, include);
    } finally {
      done();
    }
  }

  private renderPartial(view: string, from: string, locals: Record<string, unknown>, extra: Record<string, unknown> | undefined): string {
    // By file, then by name: no key string joined for every include of every render.
    let fromHere = this.includes.get(from);
    let filename = fromHere?.get(view);
    if (filename === undefined) {
      filename = resolveInclude(view, from, this.viewsDir);
      if (this.cache) {
        if (fromHere === undefined) this.includes.set(from, (fromHere = new Map()));
        fromHere.set(view, filename);
      }
    }
    // A copy, as EJS gives a partial: what the partial sets stays in it.
    const partialLocals = Object.assign({}, locals, extra);
    // The inspector names a partial by its place in the views folder (`partials/_nav`).
    const name = this.observer ? path.relative(this.viewsDir, filename).replace(/\.ejs$/, '') : view;
    return this.renderTemplate(this.file(filename, name), name, partialLocals, true);
  }

  /**
   * The template `views/<name>.ejs`, found by its name without building its path again: a render
   * looks up two templates, and joining a path took a tenth of a page's render.
   */
  private named(name: string): CompiledTemplate {
    const cached = this.byName.get(name);
    if (cached) return cached;
    const template = this.file(this.filename(name), name);
    if (this.cache) this.byName.set(name, template);
    return template;
  }

  private file(filename: string, name: string): CompiledTemplate {
    const cached = this.compiled.get(filename);
    if (cached) return cached;
    const template = readTemplate(filename, name);
    if (this.cache) this.compiled.set(filename, template);
    return template;
  }
}
