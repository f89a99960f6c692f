import type { ErrorRequestHandler, Request, Response } from 'express';
import { HttpError, reasonPhrase, TooManyRequests, type FieldErrors } from './errors';
import { translateDatabaseError } from './database-errors';
import { timingsOf } from './instrumentation';
import type { Kernel } from './kernel';
import { hasJsonBody } from './negotiation';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: FieldErrors;
  stack?: string[];
}

/** An error from a body parser or the router (http-errors style: `status` and `expose`). */
interface StatusError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  message?: string;
}

/** Normalises anything thrown during a request into an `HttpError`. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const fromDatabase = translateDatabaseError(error);
  if (fromDatabase) return fromDatabase;
  const withStatus = (error ?? {}) as StatusError;
  const status = withStatus.status ?? withStatus.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, clientMessage(withStatus), { cause: error });
  }
  return new HttpError(500, 'Something went wrong on our side. It has been logged.', { cause: error, expose: true });
}

function clientMessage(error: StatusError): string {
  switch (error.type) {
    case 'entity.parse.failed':
      return 'The request body is not valid JSON.';
    case 'entity.too.large':
      return 'The request body is too large.';
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return 'The request body uses an unsupported encoding.';
    default:
      return error.expose && error.message ? error.message : reasonPhrase(error.status ?? 400);
  }
}

/**
 * The one place errors become responses: `views/errors/<status>.ejs` (or `error.ejs`) for browsers,
 * `application/problem+json` (RFC 9457) for clients that prefer JSON. Stack traces only in development.
 */
export function errorHandler(kernel: Kernel): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    const httpError = toHttpError(error);
    const original = httpError.cause ?? error;
    if (httpError.status >= 500) {
      kernel.logger.error({ err: original, method: request.method, url: request.originalUrl }, 'request failed');
    }
    if (response.headersSent) return next(error);
    const problem: Problem = {
      type: 'about:blank',
      title: reasonPhrase(httpError.status),
      status: httpError.status,
      detail: httpError.expose ? httpError.message : reasonPhrase(httpError.status),
      instance: request.originalUrl,
    };
    const errors = (httpError as { errors?: FieldErrors }).errors;
    if (errors && Object.keys(errors).length > 0) problem.errors = errors;
    const showStack = kernel.env === 'development' && original instanceof Error && httpError.status >= 500;
    if (showStack) problem.stack = (original as Error).stack?.split('\n');

    response.status(httpError.status);
    if (httpError instanceof TooManyRequests) response.setHeader('Retry-After', String(httpError.retryAfter));
    if (wantsJson(request)) {
      response.type('application/problem+json').send(JSON.stringify(problem));
      return;
    }
    renderPage(kernel, request, response, problem);
  };
}

function wantsJson(request: Request): boolean {
  const accept = request.headers.accept;
  if (!accept || accept === '*/*') return hasJsonBody(request);
  const preferred = request.accepts(['html', 'json', 'application/problem+json']);
  return preferred === 'json' || preferred === 'application/problem+json';
}

function renderPage(kernel: Kernel, request: Request, response: Response, problem: Problem): void {
  const view = kernel.views.has(`errors/${problem.status}`) ? `errors/${problem.status}` : 'errors/error';
  try {
    const started = performance.now();
    const html = kernel.views.render(view, kernel.viewLocals(request, response, { problem, title: problem.title }));
    const timings = timingsOf(response);
    if (timings) timings.viewMs += performance.now() - started;
    response.type('html').send(html);
  } catch (renderError) {
    // The error page itself failed (a broken layout): answer plainly rather than not at all.
    kernel.logger.error({ err: renderError }, 'error page failed to render');
    response.type('text').send(`${problem.status} ${problem.title}\n${problem.detail}\n`);
  }
}
