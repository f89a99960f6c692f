/** Trestle's kernel: everything an application imports comes from here. */
export { createApp, type AppOptions, type TrestleApp } from './application';
export { Controller, type ControllerClass, type RenderOptions } from './controller';
export { defineRoutes, RouteBuilder, RouteTable, type Route, type HttpMethod, type ActionName } from './router';
export { Model, BaseModel, hydrateRows, type ModelClass, type ModelQuery, type RowOf, type Attributes, type Page } from './model';
export { belongsTo, hasMany, hasOne, type Relation, type Relations } from './relations';
export { openDatabase, redact, runInBackground, type Database, type DatabaseOptions, type QueryEvent, type QueryListener } from './database';
export { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
export { migrate, rollback, seed, migrationStatus, prepareDatabase, dropSchema, type MigrationPaths } from './migrations';
export { loadConfig, loadDotEnv, findProjectRoot, ConfigError } from './config';
export { createLogger, type Logger } from './logger';
export { ViewRenderer } from './view';
export { Kernel, type Environment } from './kernel';
export { toHttpError } from './error-handler';
export { translateDatabaseError } from './database-errors';
export {
  HttpError,
  BadRequest,
  Unauthorized,
  Forbidden,
  NotFound,
  Conflict,
  ValidationFailed,
  ServiceUnavailable,
  TooManyRequests,
  reasonPhrase,
  type FieldErrors,
} from './errors';
export { runCli, type CliContext } from './cli';
export { before, type Filter } from './filters';
export { FormBuilder, type FormOptions } from './form-builder';
export { escapeHtml, linkTo } from './html';
export { pageLinks, type PageLink } from './pagination';
export { sessionMiddleware, type SessionOptions } from './session';
export { validate, fieldErrors, fields } from './validation';
export { formatRoutes, resourceActions, type ResourceAction, type ResourceOptions } from './router';
export type { FlashType, FlashMessages } from './flash';
export { hashPassword, verifyPassword, setPasswordCost, recommendedCost } from './password';
export { rateLimit, type RateLimitOptions, type RateLimitFilter } from './rate-limit';
export { csrfProtection, type CsrfProtection } from './csrf';
export { securityHeaders, malformedUrl, bodyParsing, staticFiles } from './middleware';
export { serve, type ServeOptions, type RunningServer } from './server';
export { runCluster, type ClusterOptions } from './cluster';
export { currentRequest, requestPipeline, queryRecorder, type RequestTimings } from './instrumentation';
export { healthChecks } from './health';
