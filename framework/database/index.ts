/** The database: opening PostgreSQL (or the embedded one) through knex and one `pg` pool, prepared statements, migrations and seeds, and turning database errors into HTTP errors. */
export * from './connection-failure';
export * from './connection-pool';
export * from './database';
export * from './embedded-postgres';
export * from './errors';
export * from './migrations';
export * from './schema-types';
export * from './query-log';
export * from './replicas';
export * from './pending-migrations';
export * from './prepared-statements';
