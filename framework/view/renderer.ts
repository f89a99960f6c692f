import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';

type Template = (locals: Record<string, unknown>) => string;

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

/** What an observed partial's source ends with: EJS has no hook where an include ends, so the partial says so itself. */
const partialDoneName = '__trestlePartialDone';
const partialEnd = `<% ${partialDoneName}() %>`;

/**
 * Renders EJS templates inside a layout. Each template is compiled once and kept (when caching),
 * so a request only pays for running the compiled function.
 */
export class ViewRenderer {
  readonly viewsDir: string;
  readonly cache: boolean;
  readonly defaultLayout: string | false;
  private readonly compiled = new Map<string, Template>();
  private readonly observer: RenderObserver | undefined;
  /** The observed partials still rendering, innermost last (renders are synchronous). */
  private readonly openPartials: Array<() => void> = [];

  constructor(options: ViewOptions) {
    this.viewsDir = path.resolve(options.viewsDir);
    this.cache = options.cache;
    this.defaultLayout = options.defaultLayout ?? 'application';
    this.observer = options.observer;
  }

  /** Renders `name` (for example `pages/index`) and wraps it in the layout, which receives it as `body`. */
  render(name: string, locals: Record<string, unknown>, layout: string | false = this.defaultLayout): string {
    if (this.observer) return this.renderObserved(this.observer, name, locals, layout);
    const body = this.template(name)(locals);
    if (layout === false) return body;
    locals.body = body;
    return this.template(`layouts/${layout}`)(locals);
  }

  private renderObserved(observer: RenderObserver, name: string, locals: Record<string, unknown>, layout: string | false): string {
    this.openPartials.length = 0;
    locals[partialDoneName] = () => this.openPartials.pop()?.();
    const timed = (template: string) => {
      const done = observer(template, false);
      try {
        return this.template(template)(locals);
      } finally {
        done();
      }
    };
    const body = timed(name);
    if (layout === false) return body;
    locals.body = body;
    return timed(`layouts/${layout}`);
  }

  /** EJS's `includer`, when observed: the partial's start is told now, its end by the line appended to its source. */
  private observeInclude = (_original: string, resolved: string) => {
    this.openPartials.push(this.observer!(path.relative(this.viewsDir, resolved).replace(/\.ejs$/, ''), true));
    return { template: fs.readFileSync(resolved, 'utf8') + partialEnd };
  };

  /** True when `views/<name>.ejs` exists. */
  has(name: string): boolean {
    return this.compiled.has(name) || fs.existsSync(this.filename(name));
  }

  private filename(name: string): string {
    return path.join(this.viewsDir, `${name}.ejs`);
  }

  private template(name: string): Template {
    const cached = this.compiled.get(name);
    if (cached) return cached;
    const filename = this.filename(name);
    let source: string;
    try {
      source = fs.readFileSync(filename, 'utf8');
    } catch {
      throw new Error(`Missing template "${name}": expected ${path.relative(process.cwd(), filename)}`);
    }
    // `views` lets `include('partials/_nav')` resolve from any template; `cache` also keeps includes compiled.
    const includer = this.observer ? this.observeInclude : undefined;
    const template = ejs.compile(source, { filename, views: [this.viewsDir], cache: this.cache, async: false, includer }) as Template;
    if (this.cache) this.compiled.set(name, template);
    return template;
  }
}
