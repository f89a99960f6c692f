/** `npm run generate -- …` / `npm run destroy -- …`, run from the project root. */
import { runGenerator } from './index';

process.exitCode = runGenerator(process.argv.slice(2), { root: process.cwd(), color: process.stdout.isTTY });
