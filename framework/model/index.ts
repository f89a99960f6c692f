/** Models: one class per table on knex, with validation, relations and eager loading. */
export * from './attributes';
export * from './model';
export * from './query';
export * from './relations';
export * from './statements';
export * from './support';
export * from './types';
