import fs from 'node:fs';
import path from 'node:path';
import type { Request } from 'express';
import { ViewRenderer } from '../view';
import type { SecretFilter } from './filter';
import { ownFolder } from './pages';
import type { RequestRecord } from './record';
import type { SourceFinder } from './statements';

/** Lines shown on each side of the failing one. */
const context = 5;

interface ErrorPageInput {
  error: Error;
  status: number;
  request: Request;
  route: { name: string | undefined; path: string | undefined; action: string } | undefined;
  record: RequestRecord | undefined;
  secrets: SecretFilter;
  sources: SourceFinder;
}

let views: ViewRenderer | undefined;

/**
 * The development error page: the exception, the app code around the line that failed, the
 * request (route, params, headers with secrets hidden), the signed-in user, the SQL run so far, and
 * a link to the request's record. It has its own layout: a broken app layout must not hide it.
 */
export function errorPage(input: ErrorPageInput): string {
  views ??= new ViewRenderer({ viewsDir: ownFolder('templates'), cache: true, defaultLayout: 'inspector' });
  const { error, request, record, secrets, sources } = input;
  const where = sources.find(error.stack);
  return views.render('error', {
    title: `${error.name}: ${error.message}`,
    error,
    status: input.status,
    where,
    excerpt: where ? excerptOf(sources.root, where) : undefined,
    request: {
      method: request.method,
      url: request.originalUrl,
      route: input.route,
      params: secrets.filter({ ...request.params }),
      query: secrets.filter(request.query),
      body: request.body === undefined ? undefined : secrets.filter(request.body),
      headers: secrets.filter(request.headers),
    },
    userId: (request as { session?: { userId?: unknown } }).session?.userId,
    queries: record?.queries ?? [],
    recordId: record?.id,
  });
}

/** The lines around `file:line`, each with its number and whether it is the failing one. */
export function excerptOf(root: string, where: string): { file: string; lines: Array<{ number: number; text: string; failing: boolean }> } | undefined {
  const [file, lineText] = where.split(/:(?=\d+$)/);
  const failing = Number(lineText);
  let source: string;
  try {
    source = fs.readFileSync(path.join(root, file!), 'utf8');
  } catch {
    return undefined;
  }
  const all = source.split('\n');
  const from = Math.max(1, failing - context);
  const to = Math.min(all.length, failing + context);
  const lines = [];
  for (let number = from; number <= to; number++) lines.push({ number, text: all[number - 1]!, failing: number === failing });
  return { file: file!, lines };
}
