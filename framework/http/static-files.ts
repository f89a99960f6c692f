import fs from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';
import express from 'express';
import type { Environment } from '../support';

/**
 * Files under `publicDir`, served as they are (no dotfiles, nothing outside the folder). Outside
 * development the list of files is read once, so a request for anything else costs no disk access;
 * views link assets with a content digest (`asset()`), so they are cached for a day.
 */
export function staticFiles(publicDir: string, env: Environment): RequestHandler {
  const serve = express.static(publicDir, { index: false, dotfiles: 'ignore', maxAge: env === 'development' ? 0 : '1d', fallthrough: true });
  if (env === 'development') return serve;
  const files = new Set(listFiles(publicDir).map((file) => '/' + path.relative(publicDir, file).split(path.sep).join('/')));
  return (request, response, next) => {
    if ((request.method === 'GET' || request.method === 'HEAD') && files.has(request.path)) return serve(request, response, next);
    next();
  };
}

function listFiles(dir: string): string[] {
  let found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found = found.concat(listFiles(full));
    else if (entry.isFile()) found.push(full);
  }
  return found;
}
