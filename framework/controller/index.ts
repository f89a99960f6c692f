/** Controllers: the base class actions live on, before-filters, rate limits, and what every controller of an app shares. */
export * from './app-context';
export * from './controller';
export * from './filters';
export * from './rate-limit';
