import path from 'node:path';
import { ConfigError, describeConnectionFailure, loadDotEnv, runCli } from '../framework';
import { connect, migrationPaths } from './database';
import routes from './routes';
import { readSettings, root } from './settings';

/** `npm run db:migrate` and friends: the framework's database tasks on this application's database. */
loadDotEnv(root);
let settings: ReturnType<typeof readSettings>;
try {
  settings = readSettings(process.env, { serving: false });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Invalid configuration: ${error.problems.join('; ')}`);
  process.exit(1);
}
runCli(process.argv.slice(2), {
  open: () => connect(settings),
  paths: migrationPaths,
  sourceMigrationsDir: path.join(root, 'db', 'migrations'),
  routes,
  schemaTypes: { file: path.join(root, 'db', 'schema.ts'), regenerate: settings.env === 'development' },
  env: settings.env,
})
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error(describeConnectionFailure(error, settings.database.url) ?? (error instanceof Error ? error.message : error));
    process.exit(1);
  });
