/**
 * Trestle's public API: everything an application imports comes from here. The framework lives in
 * rooms (`http/`, `routing/`, `controller/`, `model/`, `database/`, `view/`, `security/`, `observe/`,
 * `support/`, `cli/`), each with an `index.ts` face; this file picks what apps use from them.
 */

// The application and its process
export { createApp, serve, runCluster, type AppOptions, type TrestleApp, type ServeOptions, type RunningServer, type ClusterOptions } from './http';

// The URL table
export { defineRoutes, routeTypes, RouteTable, type RouteBuilder, type Route, type RouteOptions, type ResourceOptions } from './routing';

// Controllers
export { Controller, before, rateLimit, type Filter, type RenderOptions, type RateLimitOptions } from './controller';

// Models and the database
export { Model, belongsTo, hasMany, hasOne, type Relations, type ModelQuery, type RowOf, type Attributes, type TableRow, type TableInsert, type Page } from './model';
export { openDatabase, defaultIdleTimeout, runInBackground, startEmbeddedPostgres, migrate, rollback, seed, migrationStatus, prepareDatabase, dropSchema, describeConnectionFailure, logQueries, pendingMigrationsPage, onPrimary } from './database';
export type { Database, DatabaseOptions, QueryEvent, EmbeddedPostgres, MigrationPaths, QueryLogOptions, ReplicaState } from './database';

// Errors, validation, settings
export { HttpError, BadRequest, Unauthorized, Forbidden, NotFound, Conflict, ValidationFailed, TooManyRequests, ServiceUnavailable, type FieldErrors } from './support';
export { validate, fields, loadConfig, loadDotEnv, findProjectRoot, ConfigError, writeGenerated, type Environment, type RouteNames, type AnyRouteNames, type UrlHelper } from './support';

// Security, views, logs
export { hashPassword, verifyPassword, type SessionOptions, type FlashType } from './security';
export { escapeHtml } from './view';
export { checkTemplates, formatTemplateProblems, viewRegistrySource, type LocalsOfView, type RenderArguments, type ViewTypesOptions, type TemplateProblem } from './view';
export { createLogger, readYourWrites, type Logger, type ReadYourWritesOptions } from './observe';

// The commands behind `npm run db:*` and `npm run routes`
export { runCli } from './cli';
