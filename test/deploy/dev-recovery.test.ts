import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { httpGet as get, projectRoot, waitForOutput } from '../support/processes';

// `npm run dev` on a copy of the project, following the README's "Write a controller" steps in
// their order: the route line first (its controller file missing: one clear line, no stack), then
// the controller (the server comes back by itself), then the view.

const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-dev-'));
afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));


test('a route naming a controller not yet written stops with one line, and the server comes back when it appears', async () => {
  for (const entry of ['app', 'config', 'framework', 'views', 'db', 'public', 'server.ts', 'package.json', 'tsconfig.json']) {
    fs.cpSync(path.join(projectRoot, entry), path.join(copy, entry), { recursive: true });
  }
  fs.symlinkSync(fs.realpathSync(path.join(projectRoot, 'node_modules')), path.join(copy, 'node_modules'));
  const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Write a controller'), readme.indexOf('### In an action'));
  const [routeStep, controllerFile, viewFile] = [...section.matchAll(/```(?:ts|ejs)\n([\s\S]*?)```/g)].map((m) => m[1]!);

  // Step 1: the route line, as the README gives it.
  const routesFile = path.join(copy, 'config', 'routes.ts');
  const [importLine, , routeLine] = routeStep!.trim().split('\n');
  let routes = fs.readFileSync(routesFile, 'utf8');
  routes = `${importLine}\n${routes.replace("r.get('/', PagesController", `${routeLine!.trim()}\n  r.get('/', PagesController`)}`;
  fs.writeFileSync(routesFile, routes);

  const dev = spawn('npm', ['run', 'dev'], {
    cwd: copy,
    detached: true,
    env: { ...process.env, NODE_ENV: 'development', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', EMBEDDED_DB_DIR: path.join(copy, '.data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  dev.stdout!.on('data', (chunk) => (output += chunk));
  dev.stderr!.on('data', (chunk) => (output += chunk));
  const child = Object.assign(dev, { output: () => output });
  try {
    await waitForOutput(child, /Trestle could not start: .*GreetingsController.*/, 60000);
    expect(output).toContain('Trestle could not start: config/routes.ts imports ../app/controllers/GreetingsController, which does not exist');
    expect(output).not.toMatch(/^\s+at /m);

    // Step 2: the controller; step 3: the view.
    fs.writeFileSync(path.join(copy, 'app', 'controllers', 'GreetingsController.ts'), controllerFile!);
    fs.mkdirSync(path.join(copy, 'views', 'greetings'));
    fs.writeFileSync(path.join(copy, 'views', 'greetings', 'show.ejs'), viewFile!);
    const port = Number((await waitForOutput(child, /listening on http:\/\/localhost:(\d+)/, 60000))[1]);
    const page = await get(port, '/hello/world');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Hello, world</h1>');
  } finally {
    try {
      process.kill(-dev.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}, 150000);
