import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ejs from 'ejs';
import { isIdentifierName } from '../support';
import { frameworkHelperNames, readTemplates, typeImports, type ViewTypesOptions } from './template-types';
import { topLevelNames } from './template-declarations';

/** A mistake in a template: `views/posts/show.ejs:3: Cannot find name 'usr'. (TS2304)`. */
export interface TemplateProblem {
  file: string;
  line: number;
  message: string;
}

/** Where a line of the generated check file came from. */
type LineMap = ({ file: string; line: number } | undefined)[];

/**
 * The TypeScript that checks every declared template: one function per template whose locals are
 * the declared ones, the shared ones and the helpers, and whose body is EJS's own compiled code
 * (with `__line = N` marks, from which each generated line maps back to its template line).
 */
export function templateCheckSource(options: ViewTypesOptions, outDir: string): { source: string; lines: LineMap } {
  const templates = readTemplates(options.root, options.viewsDir).filter((t) => t.declaration);
  const absolute = (module: string) => path.join(options.root, module).split(path.sep).join('/');
  const here = path.join(__dirname, 'template-types').split(path.sep).join('/');
  const out: string[] = [];
  const lines: LineMap = [];
  const emit = (text: string, from?: { file: string; line: number }) => {
    for (const line of text.split('\n')) {
      out.push(line);
      lines.push(from);
    }
  };
  const shared = options.sharedLocals ?? '{}';
  emit(`import type { FrameworkViewHelpers } from '${relativeTo(outDir, here)}';`);
  if (options.helpers) emit(`import type { ${options.helpers.exportName} as AppHelpers } from '${relativeTo(outDir, absolute(options.helpers.module))}';`);
  emit(typeImports(options, [shared, ...templates.map((t) => t.declaration!.type)], (m) => relativeTo(outDir, absolute(m))).join('\n'));
  emit(`type Helpers = FrameworkViewHelpers${options.helpers ? ' & typeof AppHelpers' : ''};`);
  emit(`type Shared = ${shared};`);
  const helperNames = [...frameworkHelperNames, ...(options.helpers?.names ?? []), ...topLevelNames(shared)];
  templates.forEach((template, index) => {
    const declaration = template.declaration!;
    emit('');
    emit(`// ${template.file}`);
    // Each line of the declared type keeps its own template line.
    declaration.type.split('\n').forEach((text, i) => emit(`${i === 0 ? `type Locals${index} = ` : ''}${text}${i === declaration.type.split('\n').length - 1 ? ';' : ''}`, { file: template.file, line: 1 + i }));
    const names = [...new Set([...declaration.names, ...helperNames])].filter((n) => n !== 'locals' && isIdentifierName(n));
    emit(`export function template${index}(locals: Locals${index} & Shared & Helpers, escapeFn: (value: unknown) => string): string {`);
    emit(`  const { ${names.join(', ')} } = locals;`);
    emit('  let __line = 1;\n  let __output = "";\n  const __append = (value: unknown): void => { if (value !== undefined && value !== null) __output += String(value); };');
    // A block of its own, so a template's `const currentUser = …` may shadow a local as it does at run time.
    emit('  {');
    let line = 1;
    for (const text of compiledBody(template.source).split('\n')) {
      const mark = /__line = (\d+)/.exec(text);
      if (mark) line = Number(mark[1]);
      emit(text, { file: template.file, line });
    }
    emit('  }\n  return __output + __line;\n}');
  });
  return { source: `${out.join('\n')}\n`, lines };
}

/** EJS's generated code for a template's body, with a `__line = N` before each template line's code. */
function compiledBody(source: string): string {
  const template = new ejs.Template(source, { client: true, strict: true, _with: false, localsName: 'locals', compileDebug: true } as ejs.Options) as unknown as {
    generateSource(): void;
    source: string;
  };
  template.generateSource();
  return template.source;
}

function relativeTo(dir: string, target: string): string {
  const relative = path.posix.relative(dir.split(path.sep).join('/'), target);
  return relative.startsWith('.') ? relative : `./${relative}`;
}

/**
 * Checks every template that declares its locals, with tsc: an unknown name (a misspelled local),
 * a wrong property or call is a problem reported at its template's file and line. Runs the
 * project's own tsc on a generated file in a temporary folder, with the project's compiler options.
 */
export function checkTemplates(options: ViewTypesOptions & { tsconfig?: string; typeFiles?: readonly string[] }): TemplateProblem[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-views-'));
  try {
    const { source, lines } = templateCheckSource(options, dir);
    fs.writeFileSync(path.join(dir, 'views.ts'), source);
    const tsconfig = {
      extends: path.resolve(options.root, options.tsconfig ?? 'tsconfig.json'),
      // A template is JavaScript: it cannot write `post.author!`, and a relation its controller loaded
      // is optional in the model's type; so names, properties and calls are checked, not null.
      compilerOptions: { noEmit: true, strictNullChecks: false, typeRoots: [path.join(options.root, 'node_modules/@types')], types: ['node'], incremental: false },
      // The app's generated type files too (its route names, so `url('nope')` in a view is caught).
      files: ['views.ts', ...(options.typeFiles ?? []).map((file) => path.resolve(options.root, file))],
      include: [],
    };
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    // The package's exports hide bin/tsc from require.resolve; the bin is where npm put it.
    const tsc = path.join(options.root, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { encoding: 'utf8' });
    if (run.error) throw run.error;
    return mapDiagnostics(`${run.stdout}${run.stderr}`, lines);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** tsc's `views.ts(LINE,COL): error TSNNNN: message` lines (and their indented details), mapped to templates. */
function mapDiagnostics(output: string, lines: LineMap): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const seen = new Set<string>();
  let last: TemplateProblem | undefined;
  for (const text of output.split('\n')) {
    const diagnostic = /^(.*?)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(text);
    if (!diagnostic) {
      if (last && /^\s+\S/.test(text)) last.message += `\n  ${text.trim()}`;
      continue;
    }
    last = undefined;
    // Only the generated file: the rest of the program is tsc's own business in `npm run typecheck`.
    if (path.basename(diagnostic[1]!) !== 'views.ts') continue;
    const origin = lines[Number(diagnostic[2]) - 1];
    const problem = origin
      ? { file: origin.file, line: origin.line, message: `${diagnostic[4]} (${diagnostic[3]})` }
      : { file: 'views (generated check)', line: Number(diagnostic[2]), message: `${diagnostic[4]} (${diagnostic[3]})` };
    const key = `${problem.file}:${problem.line}:${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
    last = problem;
  }
  return problems;
}

/** `views/posts/show.ejs:3: Cannot find name 'usr'. (TS2304)`, one per line. */
export function formatTemplateProblems(problems: readonly TemplateProblem[]): string {
  return problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n');
}
