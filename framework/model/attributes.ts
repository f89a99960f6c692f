// The compile-time side of a model's attributes: which columns it reads (`Row`), which fields it
// writes (`Write`), and how input that is only known at run time (a request body) gets through.

/** Columns the database fills and the model never takes from input. */
type Managed = 'id' | 'created_at' | 'updated_at';
/** What `create` takes, typed, from a model's write type: all of it but the id and timestamps. */
export type Writable<W> = Omit<W, Managed>;

/**
 * An argument of `create`/`update`. Input typed as a record with a string index (`this.body`:
 * `Record<string, unknown>`) is request input: the model's schema filters and checks it at run time,
 * as before. Anything else (an object literal, a typed value) must be exactly `Expected`: no
 * unknown field, no value of the wrong type.
 */
export type Input<T, Expected> = string extends keyof T ? T : Expected & { [K in Exclude<keyof T, keyof Expected>]: never };

/** The row type of table `name` in `Tables` of db/schema.ts; until `db:types` has seen the table, any column, with the `id` every table here has. */
export type TableRow<T, Name extends string> = Name extends keyof T ? Extract<T[Name], object> : { id: number; [column: string]: any };

/** The insert type of table `name` in `Inserts` of db/schema.ts; until `db:types` has seen the table, any column. */
export type TableInsert<T, Name extends string> = Name extends keyof T ? Extract<T[Name], object> : Record<string, any>;
