/**
 * `npm run typecheck` runs this before tsc: it writes the generated files that let tsc check what
 * only the application knows (the names and parameters of its routes, the locals of its views).
 * Each is committed; with `--check` nothing is written and a stale file fails (CI).
 */
import fs from 'node:fs';
import path from 'node:path';
import { routeTypes, writeGenerated } from '../framework';
import routes from './routes';
import { root } from './settings';

interface Generated {
  /** The file, from the project root. */
  file: string;
  content: () => string;
}

/** Every generated type file of the application. */
const generated: Generated[] = [
  {
    // Route names and their parameters for url(), and each controller's path parameters.
    file: 'config/routes.types.ts',
    content: () =>
      routeTypes(routes, {
        framework: '../framework',
        controllerModule: (name) => (fs.existsSync(path.join(root, 'app', 'controllers', `${name}.ts`)) ? `../app/controllers/${name}` : undefined),
      }),
  },
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
}

main();
