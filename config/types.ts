/**
 * `npm run typecheck` runs this before tsc: it writes the generated files that let tsc check what
 * only the application knows (the names and parameters of its routes, the locals of its views).
 * Each is committed; with `--check` nothing is written and a stale file fails (CI).
 */
import fs from 'node:fs';
import path from 'node:path';
import { checkTemplates, Controller, formatTemplateProblems, routeTypes, viewRegistrySource, writeGenerated, type ViewTypesOptions } from '../framework';
import { viewHelpers } from '../app/helpers';
import routes from './routes';
import { root } from './settings';

interface Generated {
  /** The file, from the project root. */
  file: string;
  content: () => string;
}

/** What the views' types are made of: the templates, the types their declarations name, what every view also gets. */
function viewTypes(): ViewTypesOptions {
  const modules = (dir: string) => fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.ts')).map((f) => `${dir}/${f.slice(0, -3)}`);
  const controllers = modules('app/controllers').flatMap((module) =>
    Object.entries(require(path.join(root, module)) as Record<string, unknown>).flatMap(([exportName, value]) =>
      typeof value === 'function' && value.prototype instanceof Controller ? [{ module, exportName, className: value.name }] : [],
    ),
  );
  return {
    root,
    viewsDir: 'views',
    typeModules: [...modules('app/models'), 'framework'],
    helpers: { module: 'app/helpers/index', exportName: 'viewHelpers', names: Object.keys(viewHelpers) },
    // ApplicationController#loadCurrentUser puts it in res.locals for every view.
    sharedLocals: '{ currentUser?: User }',
    controllers,
  };
}

/** Every generated type file of the application. */
const generated: Generated[] = [
  {
    // Route names and their parameters for url(), and each controller's path parameters.
    file: 'config/generated/routes.ts',
    content: () =>
      routeTypes(routes, {
        framework: '../../framework',
        controllerModule: (name) => (fs.existsSync(path.join(root, 'app', 'controllers', `${name}.ts`)) ? `../../app/controllers/${name}` : undefined),
      }),
  },
  // Each view's declared locals, and a typed render() for each controller with views.
  { file: 'config/generated/views.ts', content: () => viewRegistrySource(viewTypes(), 'config/generated/views.ts') },
];

function main(): void {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { file, content } of generated) {
    const outcome = writeGenerated(path.join(root, file), content(), { check, madeBy: 'npm run typecheck (config/types.ts)' });
    if (outcome === 'stale') {
      stale += 1;
      console.error(`${file} is out of date: run npm run typecheck and commit it`);
    } else if (outcome === 'written') console.log(`wrote ${file}`);
  }
  if (stale > 0) process.exit(1);
  const problems = checkTemplates({ ...viewTypes(), typeFiles: ['config/generated/routes.ts'] });
  if (problems.length > 0) {
    console.error(`${formatTemplateProblems(problems)}\n${problems.length} problem(s) in views`);
    process.exit(1);
  }
}

main();
