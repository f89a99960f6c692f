/**
 * Errors are values with an HTTP status. Throw them anywhere in a request (controller, model,
 * filter); the kernel's error handler turns them into an HTML page or problem+json once.
 */

/** Per-field messages, as `{ email: ['is already taken'] }`. */
export type FieldErrors = Record<string, string[]>;

/** Base of every error that knows its HTTP status. `expose` says whether `message` is safe to show. */
export class HttpError extends Error {
  readonly status: number;
  readonly expose: boolean;

  constructor(status: number, message: string, options: { cause?: unknown; expose?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.expose = options.expose ?? status < 500;
  }
}

/** 400: the request itself is malformed (bad JSON, bad encoding, bad parameter). */
export class BadRequest extends HttpError {
  constructor(message = 'The request could not be understood.', options?: { cause?: unknown }) {
    super(400, message, options);
  }
}

/** 401: the request needs a signed-in user. */
export class Unauthorized extends HttpError {
  constructor(message = 'You need to sign in first.') {
    super(401, message);
  }
}

/** 403: the user is known but may not do this. */
export class Forbidden extends HttpError {
  constructor(message = 'You are not allowed to do that.') {
    super(403, message);
  }
}

/** 404: nothing lives at this URL, or the record does not exist. */
export class NotFound extends HttpError {
  constructor(message = 'The page you were looking for does not exist.') {
    super(404, message);
  }
}

/** 409: the request conflicts with the current state of a record. */
export class Conflict extends HttpError {
  readonly errors: FieldErrors;

  constructor(message = 'The request conflicts with existing data.', errors: FieldErrors = {}, options?: { cause?: unknown }) {
    super(409, message, options);
    this.errors = errors;
  }
}

/** 422: the input is well-formed but invalid; `errors` says what is wrong with each field. */
export class ValidationFailed extends HttpError {
  readonly errors: FieldErrors;

  constructor(errors: FieldErrors, message = 'The data you sent is not valid.', options?: { cause?: unknown }) {
    super(422, message, options);
    this.errors = errors;
  }
}

/** 429: too many attempts; `retryAfter` seconds until the next is allowed (sent as `Retry-After`). */
export class TooManyRequests extends HttpError {
  readonly retryAfter: number;

  constructor(retryAfter: number, message = 'Too many attempts. Please wait and try again.') {
    super(429, message);
    this.retryAfter = Math.max(1, Math.ceil(retryAfter));
  }
}

/** 503: a dependency (the database) is unavailable right now. */
export class ServiceUnavailable extends HttpError {
  constructor(message = 'The service is temporarily unavailable. Please try again shortly.', options?: { cause?: unknown }) {
    super(503, message, { ...options, expose: true });
  }
}

const reasonPhrases: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The standard reason phrase for a status, used as the problem title. */
export function reasonPhrase(status: number): string {
  return reasonPhrases[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}
