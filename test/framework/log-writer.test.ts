import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, fastLogWriter, formatMs, logBufferBytes, tapLogLines } from '../../framework/observe';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function logFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-log-')), 'requests.log');
}

/** The file's lines, each parsed: a torn or merged line fails here. */
function linesOf(file: string): Array<Record<string, unknown>> {
  const text = fs.readFileSync(file, 'utf8');
  if (text !== '') expect(text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the request line writer', () => {
  test("a turn's lines reach the file together when the turn ends, in order, each a whole JSON line", async () => {
    const file = logFile();
    const writer = fastLogWriter(createLogger({ level: 'info', destination: file }))!;
    for (let i = 0; i < 40; i++) writer.text(`,"reqId":"line-${i}","status":200`);
    expect(linesOf(file)).toHaveLength(0);
    await nextTurn();
    const lines = linesOf(file);
    expect(lines.map((line) => line.reqId)).toEqual(Array.from({ length: 40 }, (_, i) => `line-${i}`));
    expect(lines[0]).toMatchObject({ level: 30, pid: process.pid, status: 200 });
    expect(typeof lines[0]!.time).toBe('number');
    // A later, shorter turn writes only its own lines: nothing of the longer one again.
    writer.text(',"reqId":"later-0"');
    writer.text(',"reqId":"later-1"');
    await nextTurn();
    expect(linesOf(file).map((line) => line.reqId).slice(40)).toEqual(['later-0', 'later-1']);
  });

  test('text past ASCII is written as UTF-8, whole', async () => {
    const file = logFile();
    const writer = fastLogWriter(createLogger({ level: 'info', destination: file }))!;
    const path = '/café/東京/👋';
    writer.text(`,"path":${JSON.stringify(path)},"msg":"GET ${path} 200 OK"`);
    await nextTurn();
    expect(linesOf(file)).toEqual([expect.objectContaining({ path, msg: `GET ${path} 200 OK` })]);
  });

  test('a line written piece by piece is the same JSON text: numbers as formatMs writes them, bytes, and text past ASCII whole', async () => {
    const file = logFile();
    const writer = fastLogWriter(createLogger({ level: 'info', destination: file }))!;
    const durations = [0, 0.04, 7.8, 12, 0.05, 123456.78, -0.5, -12.34];
    for (const [i, value] of durations.entries()) {
      expect(writer.start(200)).toBe(true);
      writer.ascii(`,"reqId":"piece-${i}","ms":`);
      writer.tenths(Math.round(value * 10));
      writer.ascii(',"queries":');
      writer.integer([0, 9, 10, 12345, 100, 7, 99, 1000000][i]!);
      writer.bytes(Buffer.from(',"path":"/東京"', 'utf8'));
      writer.utf8(',"msg":"👋');
      writer.ascii(' café"');
      writer.end();
    }
    await nextTurn();
    const text = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(text.map((line) => line.slice(line.indexOf(',"ms":') + 6, line.indexOf(',"queries"')))).toEqual(durations.map((value) => formatMs(value)));
    expect(linesOf(file)).toEqual(
      durations.map((value, i) =>
        expect.objectContaining({ reqId: `piece-${i}`, ms: Number(formatMs(value)), queries: [0, 9, 10, 12345, 100, 7, 99, 1000000][i], path: '/東京', msg: '👋 café' }),
      ),
    );
  });

  test('a line started where the buffer has no room for it writes the lines before it first; one that could never fit is refused', async () => {
    const file = logFile();
    const writer = fastLogWriter(createLogger({ level: 'info', destination: file }))!;
    writer.text(',"reqId":"first"');
    expect(writer.start(logBufferBytes - 100)).toBe(true);
    expect(linesOf(file).map((line) => line.reqId)).toEqual(['first']);
    writer.ascii(',"reqId":"second"');
    writer.end();
    expect(writer.start(logBufferBytes)).toBe(false);
    await nextTurn();
    expect(linesOf(file).map((line) => line.reqId)).toEqual(['first', 'second']);
  });

  test('a turn with more lines than the buffer holds writes whole lines as it fills, the rest when it ends', async () => {
    const file = logFile();
    const writer = fastLogWriter(createLogger({ level: 'info', destination: file }))!;
    const padding = 'x'.repeat(1000);
    const count = Math.ceil((logBufferBytes * 2.5) / 1100);
    for (let i = 0; i < count; i++) writer.text(`,"reqId":"line-${i}","pad":"${padding}"`);
    const midTurn = linesOf(file).length;
    expect(midTurn).toBeGreaterThan(0);
    expect(midTurn).toBeLessThan(count);
    await nextTurn();
    expect(linesOf(file).map((line) => line.reqId)).toEqual(Array.from({ length: count }, (_, i) => `line-${i}`));
  });

  test('a line larger than the buffer goes out whole, after the lines before it', async () => {
    const file = logFile();
    const writer = fastLogWriter(createLogger({ level: 'info', destination: file }))!;
    writer.text(',"reqId":"before"');
    writer.text(`,"reqId":"huge","path":"/${'p'.repeat(logBufferBytes)}"`);
    writer.text(',"reqId":"after"');
    await nextTurn();
    expect(linesOf(file).map((line) => line.reqId)).toEqual(['before', 'huge', 'after']);
  });

  test('a tapped stream sees each turn as one chunk of whole lines, and the file gets them too', async () => {
    const file = logFile();
    const logger = createLogger({ level: 'info', destination: file });
    const chunks: string[] = [];
    expect(tapLogLines(logger, (chunk) => chunks.push(chunk))).toBe(true);
    const writer = fastLogWriter(logger)!;
    writer.text(',"reqId":"a"');
    writer.text(',"reqId":"b"');
    expect(chunks).toEqual([]);
    await nextTurn();
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { reqId: string }).reqId)).toEqual(['a', 'b']);
    expect(linesOf(file).map((line) => line.reqId)).toEqual(['a', 'b']);
  });

  test('lines still waiting are written when the process exits', () => {
    const file = logFile();
    const script = `
      const { createLogger, fastLogWriter } = require(${JSON.stringify(path.resolve(__dirname, '../../framework/observe'))});
      const writer = fastLogWriter(createLogger({ level: 'info', destination: ${JSON.stringify(file)} }));
      writer.text(',"reqId":"last-words"');
      process.exit(3);
    `;
    const { status, stderr } = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: path.resolve(__dirname, '../..') });
    expect({ status, stderr: String(stderr) }).toEqual({ status: 3, stderr: '' });
    expect(linesOf(file).map((line) => line.reqId)).toEqual(['last-words']);
  });
});
