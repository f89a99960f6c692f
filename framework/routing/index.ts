/** The URL table: its DSL (`defineRoutes`, `resources`), the matcher, URL building, and the step that runs the matched action. */
export * from './dispatch';
export * from './route-matcher';
export * from './route-types';
export * from './url-table';
