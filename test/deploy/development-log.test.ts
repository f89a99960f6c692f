import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exited, httpGet, startScript, waitForOutput } from '../support/processes';

// What a developer reads in the terminal under `npm run dev`: one readable line per request, even
// when several requests finish in the same turn of the event loop (their lines are written together).

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-devlog-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('requests answered together each get their own pretty line, and no raw JSON', async () => {
  const server = startScript('server.ts', [], { NODE_ENV: 'development', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', EMBEDDED_DB_DIR: dataDir });
  try {
    const port = Number((await waitForOutput(server, /listening on http:\/\/localhost:(\d+)/, 60000))[1]);
    const answers = await Promise.all(Array.from({ length: 10 }, () => httpGet(port, '/index/')));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    await waitForOutput(server, /(GET \/index\/ 200 OK in [\d.]+ms[^\n]*\n[^]*){10}/, 10000);
    const requestLines = server.output().split('\n').filter((line) => line.includes('GET /index/'));
    expect(requestLines).toHaveLength(10);
    for (const line of requestLines) expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/index\/ 200 OK in [\d.]+ms \(Views: [\d.]+ms \| DB: [\d.]+ms, 0 queries\)$/);
    expect(server.output()).not.toContain('{"level"');
  } finally {
    server.kill('SIGTERM');
    await exited(server);
  }
}, 90000);
