import type { ErrorRequestHandler, Request, Response } from 'express';
import { HttpError, reasonPhrase, TooManyRequests, type FieldErrors, prefersJson } from '../support';
import { translateDatabaseError } from '../database';
import type { AppContext } from '../controller';

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

/** What development adds here (the inspector): each error noted on its request's record, and a page of its own for server errors. */
export interface DevelopmentErrors {
  noted(error: unknown, status: number, request: Request, response: Response): void;
  /** The HTML page for a server error, or undefined to use the app's own. */
  page(error: Error, status: number, request: Request, response: Response): string | undefined;
}

/**
 * The one place errors become responses: `views/errors/<status>.ejs` (or `error.ejs`) for browsers,
 * `application/problem+json` (RFC 9457) for clients that prefer JSON. Stack traces only in development.
 */
export function errorHandler(context: AppContext, development?: DevelopmentErrors): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    const httpError = toHttpError(error);
    const original = httpError.cause ?? error;
    development?.noted(original, httpError.status, request, response);
    if (httpError.status >= 500) {
      context.logger.error({ err: original, method: request.method, url: request.originalUrl }, 'request failed');
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
    const showStack = context.env === 'development' && original instanceof Error && httpError.status >= 500;
    if (showStack) problem.stack = (original as Error).stack?.split('\n');

    response.status(httpError.status);
    if (httpError instanceof TooManyRequests) response.setHeader('Retry-After', String(httpError.retryAfter));
    if (prefersJson(request)) {
      response.type('application/problem+json').send(JSON.stringify(problem));
      return;
    }
    const developmentPage = showStack ? development?.page(original as Error, httpError.status, request, response) : undefined;
    if (developmentPage !== undefined) {
      response.type('html').send(developmentPage);
      return;
    }
    renderPage(context, request, response, problem);
  };
}

function renderPage(context: AppContext, request: Request, response: Response, problem: Problem): void {
  const view = context.views.has(`errors/${problem.status}`) ? `errors/${problem.status}` : 'errors/error';
  try {
    response.type('html').send(context.render(request, response, view, { problem, title: problem.title }));
  } catch (renderError) {
    // The error page itself failed (a broken layout): answer plainly rather than not at all.
    context.logger.error({ err: renderError }, 'error page failed to render');
    response.type('text').send(`${problem.status} ${problem.title}\n${problem.detail}\n`);
  }
}
