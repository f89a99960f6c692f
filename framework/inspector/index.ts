/**
 * The request inspector and the development error page: every request recorded (route, action,
 * params, SQL, views, log lines, time) and readable under `/_trestle/`. Development only: `createApp`
 * requires this room lazily, so production and test never load it.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { QueryListener } from '../database';
import { quietKey, tapLogLines, timingsOf, type RequestTimings, type TimedResponse } from '../observe';
import type { RenderObserver } from '../view';
import { badgeFor, injectBadge } from './badge';
import { errorPage } from './error-page';
import { SecretFilter } from './filter';
import { inspectorPages, isAllowed } from './pages';
import { Recorder } from './recorder';
import { SourceFinder } from './statements';

export { SecretFilter, FILTERED, defaultSecretNames } from './filter';
export type { RequestRecord } from './record';
export { shapeOf } from './statements';

export interface InspectorSettings {
  /** On by default in development; false turns it (and the development error page) off. */
  enabled?: boolean;
  /** How many recent requests to keep (200 by default). */
  size?: number;
  /** Client addresses besides loopback that may read it. */
  allow?: readonly string[];
  /** Names of params, body fields, columns and headers to hide, besides the default ones (password, token, …). */
  filter?: readonly string[];
  /** The project root: where `app/` is (the working directory by default). */
  root?: string;
}

/** What `createApp` plugs in: the chain step, the render observer, the query listener, the error hooks. */
export interface Inspector {
  step: RequestHandler;
  views: RenderObserver;
  alsoRecording(listener: QueryListener): QueryListener;
  errors: {
    noted(error: unknown, status: number, request: Request, response: Response): void;
    page(error: Error, status: number, request: Request, response: Response): string | undefined;
  };
  recorder: Recorder;
}

/** Builds the inspector of one application (development only). */
export function createInspector(settings: InspectorSettings & { logger: Logger }): Inspector {
  const secrets = new SecretFilter(settings.filter);
  const sources = new SourceFinder(settings.root ?? process.cwd());
  const recorder = new Recorder(settings.size ?? 200, secrets, sources, settings.logger);
  tapLogLines(settings.logger, (line) => recorder.logLine(line));
  const allow = settings.allow ?? [];
  const pages = inspectorPages(recorder, allow);

  const step = function inspect(request: Request, response: Response, next: NextFunction): void {
    if (request.path.startsWith('/_trestle/')) {
      // Its own requests are neither recorded nor logged: reading the inspector would fill it.
      (response as TimedResponse)[quietKey] = true;
      return pages(request, response, next);
    }
    const timings = timingsOf(response);
    if (!timings) return next();
    const record = recorder.begin(request, timings);
    if (isAllowed(request, allow)) addBadge(response, timings);
    response.once('close', () => recorder.finish(record, request, response, timings));
    next();
  };

  /** HTML pages get the badge as they are sent (only for clients that may follow its link). */
  const addBadge = (response: Response, timings: RequestTimings) => {
    const send = response.send;
    response.send = function sendWithBadge(this: Response, body?: unknown) {
      const type = this.getHeader('content-type');
      const record = recorder.recordOf(timings);
      if (record && typeof body === 'string' && typeof type === 'string' && type.startsWith('text/html')) body = injectBadge(body, badgeFor(record, this.statusCode, timings));
      return send.call(this, body);
    };
  };

  return {
    step,
    views: (name, partial) => recorder.view(name, partial),
    alsoRecording: (listener) => (event) => {
      listener(event);
      recorder.query(event);
    },
    errors: {
      noted: (error, status, _request, response) => recorder.error(timingsOf(response), error, status),
      page: (error, status, request, response) => {
        const timings = timingsOf(response);
        const route = timings?.route && { name: timings.route.name, path: (request.route as { path?: string } | undefined)?.path, action: `${timings.route.controller.name}#${timings.route.action}` };
        return errorPage({ error, status, request, route, record: recorder.recordOf(timings), secrets, sources });
      },
    },
    recorder,
  };
}
