/** Database and route commands for `npm run db:*` and `npm run routes`. */
export * from './commands';
