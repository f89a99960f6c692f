import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { migrationStamp, newMigration } from '../database';
import { parseFields, fieldTypes, type Field } from './fields';
import { controllerNames, importFrom, resourceNames, type ResourceNames } from './names';
import { actionViewTemplate, controllerOnlyTemplate, controllerTemplate, migrationTemplate, modelTemplate, viewTemplates } from './templates';
import { controllerTestTemplate, modelTestTemplate, resourceTestTemplate } from './test-templates';

export interface GeneratorOptions {
  /** The project root (where app/, config/, db/, views/, test/ are). */
  root: string;
  print?: (line: string) => void;
  /** Colour the verbs (when printing to a terminal). */
  color?: boolean;
  /** A fixed clock for migration names (tests). */
  now?: Date;
}

type Change =
  | { kind: 'create'; file: string; content: string }
  | { kind: 'remove'; file: string }
  | { kind: 'route'; add: boolean; importLine: string; routeLine: string };

const usage = `Usage:
  generate resource NAME field:type[:unique|:index] …   model, migration, controller, views, route, tests
  generate model NAME field:type …                       model, migration, test
  generate controller NAME action …                      controller, views, routes, test
  generate migration NAME                                an empty dated migration
  destroy resource|model|controller NAME                 removes what generate wrote
Field types: ${fieldTypes.join(', ')}. Flags: --force (overwrite), --dry-run (print only).`;

/**
 * `npm run generate -- resource Post title:string user:references` and friends, as Rails'
 * generators: plans every file first, refuses to overwrite (unless --force) or to write anything
 * when an argument is wrong, then writes and prints one line per file. Returns the exit code.
 */
export function runGenerator(argv: readonly string[], options: GeneratorOptions): number {
  const print = options.print ?? ((line: string) => console.log(line));
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const [command, kind, name, ...rest] = argv.filter((a) => !a.startsWith('--'));
  const force = flags.has('--force');
  const dryRun = flags.has('--dry-run');
  let changes: Change[];
  try {
    if (!command || !kind || !name || (command !== 'generate' && command !== 'destroy')) throw new Error(usage);
    changes = command === 'generate' ? plan(kind, name, rest, options) : planDestroy(kind, name, rest, options);
  } catch (error) {
    print((error as Error).message);
    return 1;
  }
  const paint = (code: number, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const say = (verb: string, code: number, file: string) => print(`${paint(code, verb.padStart(12))}  ${file}`);

  if (!force && command === 'generate') {
    const existing = changes.filter((c) => c.kind === 'create' && fs.existsSync(path.join(options.root, c.file)));
    if (existing.length) {
      for (const c of existing) say('exists', 31, (c as { file: string }).file);
      print('Nothing was written. Use --force to overwrite.');
      return 1;
    }
  }
  for (const change of changes) {
    if (change.kind === 'create') {
      if (!dryRun) {
        fs.mkdirSync(path.dirname(path.join(options.root, change.file)), { recursive: true });
        fs.writeFileSync(path.join(options.root, change.file), change.content);
      }
      say('create', 32, change.file);
    } else if (change.kind === 'remove') {
      if (!fs.existsSync(path.join(options.root, change.file))) continue;
      if (!dryRun) fs.rmSync(path.join(options.root, change.file));
      say('remove', 31, change.file);
    } else {
      const changed = editRoutes(options.root, change, dryRun);
      if (changed) say('update', 33, 'config/routes.ts');
    }
  }
  if (dryRun) print('(dry run: nothing was written)');
  else if (changes.some((c) => c.kind === 'route')) regenerateTypes(options.root, say);
  return 0;
}

/**
 * After the URL table changed, the project's generated types (route names for `url()`, each
 * controller's parameters) are written again through its `types` script, so the new controller
 * type-checks at once; a project without that script is left as it is.
 */
function regenerateTypes(root: string, say: (verb: string, code: number, file: string) => void): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  if (!manifest.scripts?.types) return;
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '-s', 'types'], { cwd: root, stdio: 'ignore' });
  say('types', 36, 'npm run types');
}

function migrationName(name: string, now: Date): string {
  return `${migrationStamp(now)}_${name}.ts`;
}

function plan(kind: string, name: string, rest: string[], options: GeneratorOptions): Change[] {
  const now = options.now ?? new Date();
  switch (kind) {
    case 'resource':
    case 'model': {
      const n = resourceNames(name);
      const fields = parseFields(rest);
      checkReferences(fields, options.root);
      const changes: Change[] = [
        { kind: 'create', file: `db/migrations/${migrationName(`create_${n.plural}`, now)}`, content: migrationTemplate(n.plural, fields) },
        { kind: 'create', file: `app/models/${n.model}.ts`, content: modelTemplate(n, fields) },
        { kind: 'create', file: `test/app/models/${n.singular}.test.ts`, content: modelTestTemplate(n, fields) },
      ];
      if (kind === 'model') return changes;
      return [...changes, ...resourceFiles(n, fields, ownerField(fields, options.root)), resourceRoute(n, true)];
    }
    case 'controller': {
      const { controller, folder } = controllerNames(name);
      const actions = rest.length ? rest : ['index'];
      for (const action of actions) if (!/^[a-z][A-Za-z0-9]*$/.test(action)) throw new Error(`Action "${action}" must be a camelCase word.`);
      return [
        { kind: 'create', file: `app/controllers/${controller}.ts`, content: controllerOnlyTemplate(controller, folder, actions) },
        ...actions.map((a): Change => ({ kind: 'create', file: `views/${folder}/${a}.ejs`, content: actionViewTemplate(controller, folder, a) })),
        { kind: 'create', file: `test/app/controllers/${folder}.test.ts`, content: controllerTestTemplate(folder, actions) },
        ...actions.map((a): Change => ({
          kind: 'route',
          add: true,
          importLine: importOf(controller),
          routeLine: `  r.get('/${folder}${a === 'index' ? '' : `/${a}`}', ${controller}, '${a}');`,
        })),
      ];
    }
    case 'migration': {
      const { fileName, content } = newMigration(name, now);
      return [{ kind: 'create', file: `db/migrations/${fileName}`, content }];
    }
    default:
      throw new Error(`Unknown generator "${kind}".\n${usage}`);
  }
}

function resourceFiles(n: ResourceNames, fields: readonly Field[], owner?: Field): Change[] {
  const views = viewTemplates(n, fields, owner);
  return [
    { kind: 'create', file: `app/controllers/${n.controller}.ts`, content: controllerTemplate(n, owner) },
    ...Object.entries(views).map(([file, content]): Change => ({ kind: 'create', file: `views/${n.plural}/${file}`, content })),
    { kind: 'create', file: `test/app/controllers/${n.plural}.test.ts`, content: resourceTestTemplate(n, fields, owner) },
  ];
}

/**
 * The `user:references` field of an app with sign-in (its ApplicationController knows the
 * `currentUser`): the record's owner, set from the session and checked on every change, never
 * taken from the request.
 */
function ownerField(fields: readonly Field[], root: string): Field | undefined {
  const owner = fields.find((f) => f.type === 'references' && f.target!.model === 'User');
  if (!owner) return undefined;
  const application = path.join(root, 'app', 'controllers', 'ApplicationController.ts');
  return fs.existsSync(application) && fs.readFileSync(application, 'utf8').includes('currentUser') ? owner : undefined;
}

function resourceRoute(n: ResourceNames, add: boolean): Change {
  return { kind: 'route', add, importLine: importOf(n.controller), routeLine: `  r.resources('${n.plural}', ${n.controller});` };
}

const importOf = (controller: string) => `import { ${controller} } from '${importFrom('config/routes.ts', `app/controllers/${controller}`)}';`;

function planDestroy(kind: string, name: string, _rest: string[], options: GeneratorOptions): Change[] {
  const migrationFor = (table: string) =>
    fs
      .readdirSync(path.join(options.root, 'db', 'migrations'))
      .filter((f) => f.endsWith(`_create_${table}.ts`))
      .map((f): Change => ({ kind: 'remove', file: `db/migrations/${f}` }));
  switch (kind) {
    case 'resource':
    case 'model': {
      const n = resourceNames(name);
      const model: Change[] = [...migrationFor(n.plural), { kind: 'remove', file: `app/models/${n.model}.ts` }, { kind: 'remove', file: `test/app/models/${n.singular}.test.ts` }];
      if (kind === 'model') return model;
      const resource = resourceFiles(n, []).map((c): Change => ({ kind: 'remove', file: (c as { file: string }).file }));
      return [resourceRoute(n, false), ...resource, ...model];
    }
    case 'controller': {
      const { controller, folder } = controllerNames(name);
      const viewsDir = path.join(options.root, 'views', folder);
      const views = fs.existsSync(viewsDir) ? fs.readdirSync(viewsDir).map((f): Change => ({ kind: 'remove', file: `views/${folder}/${f}` })) : [];
      const routesFile = fs.readFileSync(path.join(options.root, 'config', 'routes.ts'), 'utf8');
      const routes = routesFile
        .split('\n')
        .filter((line) => new RegExp(`^\\s*r\\.get\\('[^']*', ${controller}, '`).test(line))
        .map((line): Change => ({ kind: 'route', add: false, importLine: importOf(controller), routeLine: line }));
      return [...routes, { kind: 'remove', file: `app/controllers/${controller}.ts` }, ...views, { kind: 'remove', file: `test/app/controllers/${folder}.test.ts` }];
    }
    default:
      throw new Error(`Unknown generator "${kind}".\n${usage}`);
  }
}

function checkReferences(fields: readonly Field[], root: string): void {
  for (const field of fields) {
    if (field.target && !fs.existsSync(path.join(root, 'app', 'models', `${field.target.model}.ts`))) {
      throw new Error(`Field "${field.name}:references" points at ${field.target.model}, but app/models/${field.target.model}.ts does not exist.`);
    }
  }
}

/** Adds (or removes) a route line and its import in config/routes.ts; returns whether the file changed. */
function editRoutes(root: string, change: Extract<Change, { kind: 'route' }>, dryRun: boolean): boolean {
  const file = path.join(root, 'config', 'routes.ts');
  const source = fs.readFileSync(file, 'utf8');
  let lines = source.split('\n');
  if (change.add) {
    if (!lines.includes(change.routeLine)) {
      const end = lines.lastIndexOf('});');
      if (end < 0) throw new Error('config/routes.ts: cannot find the end of defineRoutes((r) => { … });');
      lines.splice(end, 0, change.routeLine);
    }
    if (!lines.includes(change.importLine)) {
      const lastImport = lines.reduce((last, line, i) => (line.startsWith('import ') ? i : last), -1);
      lines.splice(lastImport + 1, 0, change.importLine);
    }
  } else {
    lines = lines.filter((line) => line !== change.routeLine);
    const controller = change.importLine.match(/import \{ (\w+) \}/)![1]!;
    const stillUsed = lines.some((line) => !line.startsWith('import ') && line.includes(`${controller},`));
    if (!stillUsed) lines = lines.filter((line) => line !== change.importLine);
  }
  const updated = lines.join('\n');
  if (updated === source) return false;
  if (!dryRun) fs.writeFileSync(file, updated);
  return true;
}
