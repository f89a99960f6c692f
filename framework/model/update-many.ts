import type { Knex } from 'knex';
import { runStatement, runThroughKnex, translateDatabaseError } from '../database';
import { isRawValue, updateManyStatement } from './statements';
import { isOutOfRange, isValidId, permit } from './support';
import type { ModelClass } from './types';

type Id = number | string;

/** Up to this many rows, a bulk update's statement is kept compiled and prepared; a bigger one is built for its call. */
const preparedRowsLimit = 100;
/** The most rows one statement updates (and fewer when they set many columns). */
const maxRowsPerStatement = 1000;
/** The largest `integer` (int4) value: an id past it is refused by such a key column as out of range. */
const largestInteger = 2147483647n;

/** What `updateMany` needs from the model class beyond its table: its hooks and its database. */
export interface BulkUpdateTarget {
  model: ModelClass;
  db: Knex;
  beforeSave?: (values: Record<string, unknown>, creating: boolean) => Promise<void>;
}

type Entry = { id: Id; values: Record<string, unknown> };

/**
 * The body of `Model.updateMany`: validates each row as `update` does, keeps the last row for an
 * id given twice, drops rows whose id cannot name a record, and sends one statement per set of
 * attributes (rows that set the same fields share one). Returns how many records were updated.
 */
export async function updateMany(target: BulkUpdateTarget, rows: readonly object[]): Promise<number> {
  const { model } = target;
  const byId = new Map<string, Entry>();
  for (const row of rows) {
    const { [model.primaryKey]: id, ...attributes } = row as Record<string, unknown>;
    if ((typeof id !== 'number' && typeof id !== 'string') || !isValidId(id)) continue;
    const values = permit(model, attributes, true);
    if (target.beforeSave) await target.beforeSave(values, false);
    // A field given as undefined is not set, as knex's `update` leaves it.
    for (const column of Object.keys(values)) if (values[column] === undefined) delete values[column];
    byId.delete(String(id)); // the last row for an id wins, as it would updating one by one
    byId.set(String(id), { id, values });
  }
  const groups = new Map<string, Entry[]>();
  for (const entry of byId.values()) {
    const columns = Object.keys(entry.values).join(',');
    if (columns === '') continue; // nothing to set
    const group = groups.get(columns);
    if (group) group.push(entry);
    else groups.set(columns, [entry]);
  }
  const stamp = model.timestamps ? new Date() : undefined;
  let updated = 0;
  for (const [key, group] of groups) {
    const columns = key.split(',');
    // PostgreSQL takes at most 65,535 parameters a statement: a big group goes out in parts.
    const size = Math.min(maxRowsPerStatement, Math.floor(60000 / (columns.length + 1)));
    for (let from = 0; from < group.length; from += size) updated += await send(target.db, model, columns, group.slice(from, from + size), stamp);
  }
  return updated;
}

/** One statement for `group`, rows that set the same `columns`; how many rows it updated. */
async function send(db: Knex, model: ModelClass, columns: string[], group: Entry[], stamp: Date | undefined): Promise<number> {
  const params: unknown[] = [];
  for (const { id, values } of group) {
    params.push(id);
    for (const column of columns) params.push(values[column]);
  }
  if (stamp) params.push(stamp);
  // SQL given as a value (`db.fn.now()`, `db.raw(…)`) is knex's to put in the statement.
  const prepared = !db.isTransaction && group.length <= preparedRowsLimit && !params.some(isRawValue);
  const sql = updateManyStatement(model, db, columns, group.length, stamp !== undefined, prepared);
  try {
    return (prepared ? await runStatement(db, sql, params) : await runThroughKnex(db, sql, params)).length;
  } catch (error) {
    // An id past an `integer` key names no record, as in `find`: the group goes again without
    // such ids. With none to drop, a value was out of range: a 400, as for `update`.
    const inRange = group.filter((entry) => BigInt(entry.id) <= largestInteger);
    if (!isOutOfRange(error) || inRange.length === group.length) throw translateDatabaseError(error) ?? error;
    return inRange.length === 0 ? 0 : send(db, model, columns, inRange, stamp);
  }
}
