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
}

/**
 * Renders EJS templates inside a layout. Each template is compiled once and kept (when caching),
 * so a request only pays for running the compiled function.
 */
export class ViewRenderer {
  readonly viewsDir: string;
  readonly cache: boolean;
  readonly defaultLayout: string | false;
  private readonly compiled = new Map<string, Template>();

  constructor(options: ViewOptions) {
    this.viewsDir = path.resolve(options.viewsDir);
    this.cache = options.cache;
    this.defaultLayout = options.defaultLayout ?? 'application';
  }

  /** Renders `name` (for example `pages/index`) and wraps it in the layout, which receives it as `body`. */
  render(name: string, locals: Record<string, unknown>, layout: string | false = this.defaultLayout): string {
    const body = this.template(name)(locals);
    if (layout === false) return body;
    locals.body = body;
    return this.template(`layouts/${layout}`)(locals);
  }

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
    const template = ejs.compile(source, { filename, views: [this.viewsDir], cache: this.cache, async: false }) as Template;
    if (this.cache) this.compiled.set(name, template);
    return template;
  }
}
