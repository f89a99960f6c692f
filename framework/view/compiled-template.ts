import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import { isIdentifierName } from '../support';
import { escapeHtml } from './html';

/** `include(view, locals)` as a template calls it. */
export type Include = (view: string, locals?: Record<string, unknown>) => string;

/** EJS's compiled function in client mode: the caller supplies the escaping and `include`. */
type ClientFunction = (locals: Record<string, unknown>, escape: (value: unknown) => string, include: Include) => string;

/**
 * One EJS template, compiled so that its names (`<%= title %>`) are plain local variables.
 *
 * EJS's default wraps a template in `with (locals) { … }`, and inside a `with` block V8 looks up
 * every name at run time, its own `__append` and `escapeFn` included: on a fortunes table that was
 * most of the render (about 14 µs of 16). Here the template is compiled with `_with: false` and
 * `var name = locals.name` for each of the locals' names, which reads each once. The names are
 * those the template has been given so far; a render that brings a new one compiles it again with
 * all of them, so a template is compiled once per name set it grows through (usually once).
 *
 * What a template sees is the same as under `with`, with two differences: a name some earlier
 * render had and this one lacks is `undefined` (under `with`, a ReferenceError), and assigning to
 * a name (`<% title = 'x' %>`) changes the template's variable, not the locals a layout sees (pass
 * such a value from the action instead). Names that cannot be variables (`data-id`, `class`) are
 * read as `locals['data-id']`, as under `with`.
 */
export class CompiledTemplate {
  private readonly names = new Set<string>();
  private render: ClientFunction | undefined;

  constructor(
    readonly filename: string,
    private readonly source: string,
  ) {}

  /** Runs the template with `locals`; its `include` is `include`. */
  run(locals: Record<string, unknown>, include: Include): string {
    if (this.render === undefined || this.bringsNewNames(locals)) this.compile(locals);
    return this.render!(locals, escapeHtml, include);
  }

  private bringsNewNames(locals: Record<string, unknown>): boolean {
    for (const name in locals) if (!this.names.has(name)) return true;
    return false;
  }

  private compile(locals: Record<string, unknown>): void {
    for (const name in locals) this.names.add(name);
    const destructuredLocals = [...this.names].filter(canBeVariable);
    // Client mode: the function takes `escapeFn` and `include` from its caller (see `run`), and
    // embeds EJS's own `rethrow`, which adds the template's file and line to an error's message.
    this.render = ejs.compile(this.source, {
      filename: this.filename,
      client: true,
      _with: false,
      localsName: 'locals',
      destructuredLocals,
      compileDebug: true,
      async: false,
    } as ejs.Options) as unknown as ClientFunction;
  }
}

/** Reads a template's source, naming it by `name` when it is missing. */
export function readTemplate(filename: string, name: string): CompiledTemplate {
  let source: string;
  try {
    source = fs.readFileSync(filename, 'utf8');
  } catch {
    throw new Error(`Missing template "${name}": expected ${path.relative(process.cwd(), filename)}`);
  }
  return new CompiledTemplate(filename, source);
}

/**
 * The file `include(view)` means from `from`, as EJS finds it: a path from the file system's root
 * when it starts with `/`, else beside the including file, else in the views folder; `.ejs` is
 * added when the name has no extension.
 */
export function resolveInclude(view: string, from: string, viewsDir: string): string {
  if (/^[A-Za-z]+:\\|^\//.test(view)) return ejs.resolveInclude(view.replace(/^\/*/, ''), '/', true);
  const beside = ejs.resolveInclude(view, from, false);
  if (fs.existsSync(beside)) return beside;
  const inViews = ejs.resolveInclude(view, viewsDir, true);
  if (fs.existsSync(inViews)) return inViews;
  throw new Error(`Could not find the include file "${escapeHtml(view)}"`);
}

// The parameters and locals of EJS's generated function, which a local must not replace.
const generatedNames = new Set(['locals', 'escapeFn', 'include', 'rethrow']);
const reservedWords = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for function if import in ' +
    'instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface ' +
    'package private protected public await arguments eval undefined NaN Infinity').split(' '),
);

function canBeVariable(name: string): boolean {
  return isIdentifierName(name) && !name.startsWith('__') && !generatedNames.has(name) && !reservedWords.has(name);
}
