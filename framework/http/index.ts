/** The HTTP side: `createApp`, the adapter onto Express, body parsing and static files, the one error handler, the server with its graceful shutdown, and the cluster of workers. */
export * from './application';
export * from './cluster';
export * from './error-handler';
export * from './express-adapter';
export * from './request-body';
export * from './server';
export * from './static-files';
export * from './url-check';
