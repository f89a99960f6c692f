import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, fastLogWriter, linesPerWrite, tapLogLines } from '../../framework/observe';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('the request line writer', () => {
  test(`a turn's lines go to the file in writes of at most ${linesPerWrite}, the rest the turn after`, async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trestle-log-')), 'requests.log');
    const logger = createLogger({ level: 'info', destination: file });
    const writes: number[] = [];
    expect(tapLogLines(logger, (chunk) => writes.push(chunk.split('\n').filter(Boolean).length))).toBe(true);
    const writeLine = fastLogWriter(logger)!;
    const count = linesPerWrite * 2 + 5;
    for (let i = 0; i < count; i++) {
      writeLine(`,"reqId":"line-${i}","status":200`);
      // Full writes go out at once, in the same turn: no more than a write's worth ever waits.
      expect(writes).toEqual(Array(Math.floor((i + 1) / linesPerWrite)).fill(linesPerWrite));
    }
    expect(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(linesPerWrite * 2);
    await nextTurn();
    expect(writes).toEqual([linesPerWrite, linesPerWrite, 5]);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.reqId)).toEqual(Array.from({ length: count }, (_, i) => `line-${i}`));
    expect(lines[0]).toMatchObject({ level: 30, pid: process.pid, status: 200 });
    expect(typeof lines[0]!.time).toBe('number');
    // A later, shorter turn writes only its own lines: nothing of the longer one before it.
    writeLine(',"reqId":"later-0"');
    writeLine(',"reqId":"later-1"');
    await nextTurn();
    expect(writes).toEqual([linesPerWrite, linesPerWrite, 5, 2]);
    const all = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { reqId: string }).reqId);
    expect(all.slice(count)).toEqual(['later-0', 'later-1']);
  });
});
