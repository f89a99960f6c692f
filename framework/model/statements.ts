import type { Knex } from 'knex';
import type { ModelClass } from './types';

// The model layer's most frequent statements, compiled by knex once per model (and set of
// columns) and then run as prepared statements, without the builder.

const statements = new WeakMap<ModelClass, Map<string, string>>();

function cachedStatement(model: ModelClass, name: string, build: () => string): string {
  let byName = statements.get(model);
  if (!byName) statements.set(model, (byName = new Map()));
  let sql = byName.get(name);
  if (sql === undefined) {
    sql = build();
    byName.set(name, sql);
  }
  return sql;
}

/** `select * from "users" where "id" = $1 limit 1`. */
export function findStatement(model: ModelClass, db: Knex): string {
  return cachedStatement(model, 'find', () => db(model.table).where(model.primaryKey, 0).first().toSQL().toNative().sql.replace(/ limit \$2$/, ' limit 1'));
}

/** `select * from "users" order by "id" asc`. */
export function allStatement(model: ModelClass, db: Knex): string {
  return cachedStatement(model, 'all', () => db(model.table).orderBy(model.primaryKey).toSQL().toNative().sql);
}

/** `update "users" set "name" = $1, "email" = $2 where "id" = $3 returning *`: the values in `columns` order, then the id. */
export function updateStatement(model: ModelClass, db: Knex, columns: readonly string[]): string {
  return cachedStatement(model, `update:${columns.join(',')}`, () => {
    const placeholders = Object.fromEntries(columns.map((column) => [column, 0]));
    return db(model.table).where(model.primaryKey, 0).update(placeholders).returning('*').toSQL().toNative().sql;
  });
}

/** A knex raw expression (`db.fn.now()`, `db.raw(…)`): SQL to inline, not a value to bind. */
export function isRawValue(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { toSQL?: unknown }).toSQL === 'function';
}

/**
 * `update "world" set "randomNumber" = case "id" when $1 then $2 when $3 then $4 else "randomNumber"
 * end where "id" in ($1, $3) returning "id"`: one statement for `rows` rows that set `columns`. Its
 * parameters are each row's id and then its values in `columns` order, then (when `stamped`) the
 * time for `updated_at`. They need no casts: PostgreSQL types a `when` as the key and a `then` as its
 * column, the `else`. Kept compiled when `cache` is set (small statements, prepared and run again).
 */
export function updateManyStatement(model: ModelClass, db: Knex, columns: readonly string[], rows: number, stamped: boolean, cache: boolean): string {
  const build = () => {
    const quoted = (name: string) => db.raw('??', [name]).toQuery();
    const key = quoted(model.primaryKey);
    const stride = columns.length + 1;
    const idParam = (row: number) => `$${row * stride + 1}`;
    const sets = columns.map((column, c) => {
      let cases = '';
      for (let row = 0; row < rows; row++) cases += ` when ${idParam(row)} then $${row * stride + 2 + c}`;
      return `${quoted(column)} = case ${key}${cases} else ${quoted(column)} end`;
    });
    if (stamped) sets.push(`${quoted('updated_at')} = $${rows * stride + 1}`);
    const ids = Array.from({ length: rows }, (_, row) => idParam(row)).join(', ');
    return `update ${quoted(model.table)} set ${sets.join(', ')} where ${key} in (${ids}) returning ${key}`;
  };
  return cache ? cachedStatement(model, `updateMany:${columns.join(',')}:${rows}:${stamped}`, build) : build();
}
