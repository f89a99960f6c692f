/** Small pieces every room leans on: HTTP errors, naming rules, zod validation, settings loading, content negotiation, the middleware chain, and the request context that follows `await`. */
export * from './async-context';
export * from './chain';
export * from './config';
export * from './errors';
export * from './generated-file';
export * from './naming';
export * from './negotiation';
export * from './pagination';
export * from './response-state';
export * from './route-names';
export * from './send-body';
export * from './validation';
