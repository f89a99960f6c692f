import path from 'node:path';
import type { RepeatedStatement, StatementRecord } from './record';

/** How many runs of one statement shape in a request make it an N+1. */
export const repeatThreshold = 3;

/**
 * A statement's shape: its SQL with placeholders, literals and `IN` lists made alike, so that
 * `… where "id" = $1` run for user 1, 2 and 3 is one shape.
 */
export function shapeOf(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\$\d+|\b\d+\b/g, '?')
    .replace(/\(\s*\?(?:\s*,\s*\?)*\s*\)/g, '(?)')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The shapes run `repeatThreshold` times or more, with where they came from and what to do. */
export function repeatedStatements(queries: readonly StatementRecord[]): RepeatedStatement[] {
  const byShape = new Map<string, { count: number; source: string | undefined }>();
  for (const query of queries) {
    if (!/^\s*select\b/i.test(query.sql)) continue;
    const shape = shapeOf(query.sql);
    const seen = byShape.get(shape);
    if (seen) seen.count++;
    else byShape.set(shape, { count: 1, source: query.source });
  }
  const repeated: RepeatedStatement[] = [];
  for (const [shape, { count, source }] of byShape) {
    if (count < repeatThreshold) continue;
    const table = /\bfrom\s+"?(\w+)"?/i.exec(shape)?.[1];
    repeated.push({
      shape,
      count,
      source,
      hint:
        `N+1: the same query${table ? ` on "${table}"` : ''} ran ${count} times${source ? ` from ${source}` : ''}. ` +
        `Load the relation with the query that fetched the parent rows: \`.with('relation')\` (Rails: \`includes(...)\`).`,
    });
  }
  return repeated;
}

/** Where the inspector looks for the app's own code in a stack: under `root`, outside the framework and node_modules. */
export class SourceFinder {
  private readonly appDirs: string[];
  private readonly frameworkDirs: string[];

  constructor(readonly root: string) {
    // From the sources (`tsx`), or built into dist/.
    this.appDirs = [path.join(root, 'app') + path.sep, path.join(root, 'dist', 'app') + path.sep];
    this.frameworkDirs = [path.join(root, 'framework') + path.sep, path.join(root, 'dist', 'framework') + path.sep];
  }

  /** The first frame of `stack` in `app/`, else the first in the project outside the framework, as `file:line`. */
  find(stack: string | undefined): string | undefined {
    if (!stack) return undefined;
    let fallback: string | undefined;
    for (const line of stack.split('\n')) {
      const file = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?\s*$/.exec(line);
      if (!file) continue;
      const filename = file[1]!.replace(/^file:\/\//, '');
      if (filename.includes(`${path.sep}node_modules${path.sep}`) || !filename.startsWith(this.root)) continue;
      const where = `${path.relative(this.root, filename)}:${file[2]}`;
      if (this.appDirs.some((dir) => filename.startsWith(dir))) return where;
      if (!fallback && !this.frameworkDirs.some((dir) => filename.startsWith(dir))) fallback = where;
    }
    return fallback;
  }

  /** The app's first frame of the current stack, following `await`s (V8's async stack traces). */
  here(): string | undefined {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 60;
    const probe: { stack?: string } = {};
    Error.captureStackTrace(probe);
    Error.stackTraceLimit = limit;
    return this.find(probe.stack);
  }
}
