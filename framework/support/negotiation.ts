import type { Request } from 'express';

const jsonType = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

/**
 * Whether to answer this request in JSON: the client's `Accept` header prefers JSON (or
 * problem+json) to HTML, or it states no preference (none, or a bare `*\/*`, as curl and fetch
 * send) and the request body is JSON. Actions and the error handler both decide by it.
 */
export function prefersJson(request: Request): boolean {
  const accept = request.headers.accept;
  if (!accept || accept === '*/*') return hasJsonBody(request);
  const preferred = request.accepts(['html', 'json', 'application/problem+json']);
  return preferred === 'json' || preferred === 'application/problem+json';
}

/** True when the request body is JSON (`application/json` or `application/*+json`). */
export function hasJsonBody(request: Request): boolean {
  return jsonType.test(request.headers['content-type'] ?? '');
}
