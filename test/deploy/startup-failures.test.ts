import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { exited, projectRoot } from '../support/processes';

// What a developer sees when the server or a database task cannot start: one line saying why and
// what to do, no stack trace, exit code 1. Each test starts the real process.

const stackLine = /^\s+at /m;
const dataDirs: string[] = [];
const tempDataDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-startup-'));
  dataDirs.push(dir);
  return dir;
};
afterAll(() => dataDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const lines = (output: string) => output.split('\n').filter((line) => line.trim() !== '');

/**
 * Runs `node --import tsx <script>` with stdout and stderr both writing to one file, as both go to one
 * terminal: two pipes read by this process could hand over their data in either order.
 */
async function run(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const outputFile = path.join(tempDataDir(), 'output.log');
  const fd = fs.openSync(outputFile, 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: projectRoot,
    env: { ...process.env, LOG_LEVEL: 'info', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  const timer = setTimeout(() => child.kill('SIGKILL'), 40000);
  try {
    return { code: await exited(child), output: fs.readFileSync(outputFile, 'utf8') };
  } finally {
    clearTimeout(timer);
  }
}

test('a port in use stops the server with one line naming the port, after any migration lines', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const { code, output } = await run('server.ts', [], { NODE_ENV: 'development', PORT: String(port), EMBEDDED_DB_DIR: tempDataDir() });
    expect(code).toBe(1);
    expect(lines(output).at(-1)).toBe(`Trestle could not start: port ${port} is in use: set PORT or stop the other process`);
    expect(output).not.toMatch(stackLine);
  } finally {
    blocker.close();
  }
}, 60000);

test('an unreachable database stops the server with its host, port, the error and what to check', async () => {
  const { code, output } = await run('server.ts', [], { NODE_ENV: 'development', PORT: '0', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing' });
  expect(code).toBe(1);
  expect(lines(output).at(-1)).toMatch(/^Trestle could not start: database unreachable at 127\.0\.0\.1:1: connect ECONNREFUSED 127\.0\.0\.1:1; check that PostgreSQL is running there/);
  expect(output).not.toMatch(stackLine);
  expect(output).not.toMatch(/migrated|seeded|listening/);
}, 60000);

test('a bad setting stops the server with one line naming it', async () => {
  const { code, output } = await run('server.ts', [], { NODE_ENV: 'development', PORT: 'abc' });
  expect(code).toBe(1);
  expect(lines(output)).toEqual(['Trestle could not start: Invalid configuration: PORT ("abc"): must be a number']);
}, 60000);

test('database tasks in production need no SESSION_SECRET', async () => {
  const { code, output } = await run('config/cli.ts', ['db:status'], { NODE_ENV: 'production', SESSION_SECRET: '', EMBEDDED_DB_DIR: tempDataDir() });
  expect(output).not.toContain('SESSION_SECRET');
  expect(code).toBe(0);
  expect(output).toMatch(/^ down  \d+_create_users$/m);
}, 60000);

test('a database task on an unreachable database says so in one line', async () => {
  const { code, output } = await run('config/cli.ts', ['db:migrate'], { NODE_ENV: 'production', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing' });
  expect(code).toBe(1);
  expect(lines(output)).toEqual([
    'database: postgres://postgres@127.0.0.1:1/nothing',
    expect.stringMatching(/^database unreachable at 127\.0\.0\.1:1: connect ECONNREFUSED 127\.0\.0\.1:1; check that PostgreSQL is running/),
  ]);
}, 60000);
