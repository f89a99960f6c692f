import type { Knex } from 'knex';
import { NotFound, PromiseContext } from '../support';
import { onPrimary, runStatement, transformRows, translateDatabaseError } from '../database';
import { allStatement, findStatement, isRawValue, updateStatement } from './statements';
import { installEagerLoading, pageOf } from './query';
import { isOutOfRange, isValidId, outOfRangeAsNone, permit, write } from './support';
import type { ModelClass, ModelContext, ModelSchema, Page, Relation } from './types';
import { preload, relatedQuery } from './relations';
import { updateMany } from './update-many';
import type { Input, Writable } from './attributes';

export type { ModelClass, ModelSchema, Page } from './types';

/** The row type a model instance was declared with (`Model<Row, Write>`). */
export type RowOf<M> = M extends ModelBase<infer R, object> ? R : never;
/** What `create` takes, typed: the model's write type minus the id and timestamps. */
export type Attributes<M> = M extends ModelBase<object, infer W> ? Writable<W> : never;
type Conditions<M> = Partial<RowOf<M>>;
/** Instances of `M` with only the columns `K` (what `select` returns). */
export type Selected<M, K extends keyof RowOf<M>> = Omit<M, Exclude<keyof RowOf<M>, K>>;
/** A query on a model's table; awaiting it gives model instances. `.with('relation')` eager-loads. */
export type ModelQuery<M> = Knex.QueryBuilder<RowOf<M> & object, M[]>;
type Id = number | string;
type Statics<M extends ModelBase<object>> = ModelClass<M> & typeof ModelBase;
/** Only at the type level: the row and write types, so `RowOf`/`Attributes` can read them off an instance. */
declare const modelTypes: unique symbol;

let connection: Knex | undefined;
const transactions = new PromiseContext<Knex.Transaction>();

/**
 * Base of the application's models: one class per table, rows as typed instances, queries close to
 * knex. Public only as `Model` (below), whose constructor type gives instances the row's fields.
 * Declare one as
 *
 *     export class User extends Model<Users, UsersInsert> { static table = 'users'; }
 *
 * (row and insert types from db/schema.ts, which `npm run db:types` writes) and every static method
 * (`User.find(1)`) returns `User` instances whose fields are `Users`'s; `create` takes `UsersInsert`.
 */
class ModelBase<R extends object, W extends object = Partial<R>> {
  declare readonly [modelTypes]?: { row: R; write: W };

  /** Table name; by convention the plural of the class name, written out. */
  static table = '';
  static primaryKey = 'id';
  /** Whether `updated_at` is set on every update (the table's defaults fill both on insert). */
  static timestamps = true;
  /** Fields left out of `toJSON()` (password hashes, tokens). */
  static hidden: readonly string[] = [];
  /** Zod schema of writable fields: input is validated with it, and fields outside it are dropped. */
  static schema?: ModelSchema;
  /** Links to other models, by name: `{ author: belongsTo(() => User, { foreignKey: 'user_id' }) }`. */
  static relations: Record<string, Relation> = {};

  constructor(attributes?: Partial<R>) {
    if (attributes) Object.assign(this, attributes);
  }

  /** Gives every model the application's database. Called by `createApp`. */
  static useDatabase(db: Knex): void {
    connection = db;
  }

  /** The knex to query with: the current transaction's, when inside `Model.transaction`. */
  static get db(): Knex {
    const current = transactions.get();
    if (current) return current;
    if (!connection) throw new Error('No database: createApp({ db }) connects the models.');
    return connection;
  }

  /** Runs `work` with every read on the primary, even where a replica would serve it (a read that must be current). */
  static onPrimary<T>(work: () => T): T {
    return onPrimary(work);
  }

  /**
   * Runs `work` in one transaction: every model call inside it, however deep, uses it without
   * passing it around, and everything is rolled back if `work` throws. Nested calls use savepoints.
   * "Inside" follows `await` and `.then`; a timer or event callback started inside is outside it.
   */
  static transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return ModelBase.db.transaction((trx) => transactions.run(trx, () => work(trx)));
  }

  /** A knex query builder on this model's table whose rows come back as model instances. */
  static query<M extends ModelBase<object>>(this: ModelClass<M>): ModelQuery<M> {
    return queryOf(this);
  }

  /** Every record, by primary key. (For a query to refine, start from `query()`, `where()` or `orderBy()`.) */
  static async all<M extends ModelBase<object>>(this: ModelClass<M>): Promise<M[]> {
    const db = ModelBase.db;
    if (db.isTransaction) return (await queryOf(this).orderBy(this.primaryKey)) as unknown as M[];
    const rows = await runStatement(db, allStatement(this, db), []);
    return rows.map((row) => hydrate(this, row) as M);
  }

  static where<M extends ModelBase<object>>(this: ModelClass<M>, conditions: Conditions<M>): ModelQuery<M> {
    return queryOf(this).where(conditions as object) as ModelQuery<M>;
  }

  static orderBy<M extends ModelBase<object>>(this: ModelClass<M>, column: keyof RowOf<M> & string, direction: 'asc' | 'desc' = 'asc'): ModelQuery<M> {
    return queryOf(this).orderBy(column, direction);
  }

  /** A query for only these columns, by primary key: `User.select('id', 'name')`. */
  static select<M extends ModelBase<object>, K extends keyof RowOf<M> & string>(this: ModelClass<M>, ...columns: K[]): Knex.QueryBuilder<RowOf<M> & object, Selected<M, K>[]> {
    return queryOf(this).select(columns).orderBy(this.primaryKey) as never;
  }

  /** One column's values, by primary key: `await User.pluck('email')`. */
  static async pluck<M extends ModelBase<object>, K extends keyof RowOf<M> & string>(this: ModelClass<M>, column: K): Promise<RowOf<M>[K][]> {
    return (await ModelBase.db(this.table).orderBy(this.primaryKey).pluck(column)) as RowOf<M>[K][];
  }

  static limit<M extends ModelBase<object>>(this: ModelClass<M>, count: number): ModelQuery<M> {
    return queryOf(this).orderBy(this.primaryKey).limit(count);
  }

  /** Starts a query that eager-loads the named relations: `Post.with('author')`. */
  static with<M extends ModelBase<object>>(this: ModelClass<M>, ...relations: string[]): ModelQuery<M> {
    return (queryOf(this) as unknown as { with(...names: string[]): ModelQuery<M> }).with(...relations);
  }

  static async find<M extends ModelBase<object>>(this: ModelClass<M>, id: Id): Promise<M | undefined> {
    if (!isValidId(id)) return undefined;
    try {
      const db = ModelBase.db;
      if (db.isTransaction) return (await queryOf(this).where(this.primaryKey, id).first()) as M | undefined;
      // The hottest query of all: compiled once per model, run without the builder.
      const [row] = await runStatement(db, findStatement(this, db), [id]);
      return row === undefined ? undefined : (hydrate(this, row) as M);
    } catch (error) {
      // An id beyond the column's range (22003) cannot name a row: not found, rather than an error.
      if ((error as { code?: string }).code === '22003') return undefined;
      throw error;
    }
  }

  /** Like `find`, but a missing record is a `NotFound` (404). */
  static async findOrFail<M extends ModelBase<object>>(this: ModelClass<M>, id: Id): Promise<M> {
    const record = await (this as Statics<M>).find(id);
    if (!record) throw new NotFound(`${this.name} ${String(id).slice(0, 40)} does not exist.`);
    return record as M;
  }

  static async findBy<M extends ModelBase<object>>(this: ModelClass<M>, conditions: Conditions<M>): Promise<M | undefined> {
    return (await queryOf(this).where(conditions as object).first()) as M | undefined;
  }

  /** The first record (by primary key) matching `conditions`, if any. */
  static async first<M extends ModelBase<object>>(this: ModelClass<M>, conditions: Conditions<M> = {}): Promise<M | undefined> {
    return (await queryOf(this).where(conditions as object).orderBy(this.primaryKey).first()) as M | undefined;
  }

  static async count<M extends ModelBase<object>>(this: ModelClass<M>, conditions: Conditions<M> = {}): Promise<number> {
    const row = (await ModelBase.db(this.table).where(conditions as object).count({ count: '*' }).first()) as { count: string | number };
    return Number(row.count);
  }

  static async exists<M extends ModelBase<object>>(this: ModelClass<M>, conditions: Conditions<M>): Promise<boolean> {
    const row = await ModelBase.db(this.table).where(conditions as object).select(ModelBase.db.raw('1')).first();
    return row !== undefined;
  }

  /** Validates `attributes` with the schema, inserts them, and returns the stored record. Typed input must be exactly the model's write type; request input (`this.body`) is checked by the schema. */
  static async create<M extends ModelBase<object>, T extends object>(this: ModelClass<M>, attributes: Input<T, Attributes<M>>): Promise<M> {
    const values = permit(this, attributes, false);
    if (hasBeforeSave(this)) await (this as Statics<M>).beforeSave(values, true);
    const rows = await write(() => queryOf(this).insert(values as never).returning('*'));
    return (rows as unknown as M[])[0]!;
  }

  /** Updates the record with this id; returns it, or throws `NotFound`. */
  static async update<M extends ModelBase<object>, T extends object>(this: ModelClass<M>, id: Id, attributes: Input<T, Partial<Attributes<M>>>): Promise<M> {
    const values = permit(this, attributes, true);
    if (hasBeforeSave(this)) await (this as Statics<M>).beforeSave(values, false);
    if (this.timestamps) values.updated_at = new Date();
    // One async frame, awaiting the statement itself: an update waiting for a busy pool holds
    // everything between it and the driver, and under load that wait outlives young collections.
    let row: unknown;
    if (isValidId(id)) {
      try {
        [row] = await updateRow(this, id, values);
      } catch (error) {
        if (!isOutOfRange(error)) throw translateDatabaseError(error) ?? error;
      }
    }
    if (row === undefined) throw new NotFound(`${this.name} ${String(id).slice(0, 40)} does not exist.`);
    return hydrate(this, row) as M;
  }

  /**
   * Updates many records in one statement (per set of fields): `World.updateMany([{ id: 1,
   * randomNumber: 7 }, …])`. Each row names its record by primary key; its other fields are
   * validated and passed to `beforeSave` as in `update`. For an id given twice the last row wins;
   * an id that names no record is skipped. Returns how many records were updated.
   */
  static async updateMany<M extends ModelBase<object>>(this: ModelClass<M>, rows: ReadonlyArray<Partial<RowOf<M>>>): Promise<number> {
    const beforeSave = hasBeforeSave(this) ? (this as Statics<M>).beforeSave.bind(this) : undefined;
    return updateMany({ model: this, db: ModelBase.db, beforeSave }, rows);
  }

  /** Deletes the record with this id; returns whether one was deleted. */
  static async delete<M extends ModelBase<object>>(this: ModelClass<M>, id: Id): Promise<boolean> {
    if (!isValidId(id)) return false;
    const deleted = await write(() => ModelBase.db(this.table).where(this.primaryKey, id).delete()).catch(outOfRangeAsNone);
    return Number(deleted) > 0;
  }

  /** One page of `query` (all rows by primary key by default) with the totals a pager needs. */
  static async paginate<M extends ModelBase<object>>(this: ModelClass<M>, page: number, perPage: number, query?: ModelQuery<M>): Promise<Page<M>> {
    return pageOf<M>(query ?? queryOf(this).orderBy(this.primaryKey), page, perPage);
  }

  /**
   * Called with the validated values before every insert and update: derive columns here
   * (User hashes `password` into `password_hash`). `values` may be changed in place.
   */
  static async beforeSave(_values: Record<string, unknown>, _creating: boolean): Promise<void> {}

  /** Eager-loads relations onto records already in hand, one query per relation. */
  static async load<M extends ModelBase<object>>(this: ModelClass<M>, records: M[], ...relations: string[]): Promise<M[]> {
    await preload(this, records, relations);
    return records;
  }

  /** A query for the records linked to this one: `await user.related('posts')`. */
  related(name: string): Knex.QueryBuilder {
    return relatedQuery(this.constructor as ModelClass, this, name);
  }

  /** Saves changed attributes of this record and refreshes it from the database; loaded relations are dropped (they may be stale). */
  async update<T extends object>(attributes: Input<T, Partial<Writable<W>>>): Promise<this> {
    const model = this.constructor as typeof ModelBase;
    const fresh = await model.update(primaryKeyOf(this), attributes as never);
    for (const name of Object.keys(model.relations)) delete (this as Record<string, unknown>)[name];
    Object.assign(this, fresh);
    return this;
  }

  /** Deletes this record. */
  async delete(): Promise<boolean> {
    return (this.constructor as typeof ModelBase).delete(primaryKeyOf(this));
  }

  /** The row's fields (and loaded relations), minus the model's `hidden` ones. */
  toJSON(): Record<string, unknown> {
    const hidden = (this.constructor as typeof ModelBase).hidden;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(this)) if (!hidden.includes(key)) out[key] = (this as Record<string, unknown>)[key];
    return out;
  }
}

/** The constructor type of `Model<Row>`: instances carry the row's fields as typed properties. */
export type ModelConstructor = Omit<typeof ModelBase, 'prototype'> & {
  new <R extends object, W extends object = Partial<R>>(attributes?: Partial<R>): ModelBase<R, W> & R;
  prototype: ModelBase<object>;
};

/** Extend `Model<Row>` to declare a model. */
export const Model = ModelBase as unknown as ModelConstructor;
/** A model instance: its own methods and the row's fields. */
export type Model<R extends object = object, W extends object = Partial<R>> = ModelBase<R, W> & R;

transformRows(hydrateRows);

/** Rows of a model query (marked by its query context) become instances of that model. */
function hydrateRows(result: unknown, context: unknown): unknown {
  const model = (context as ModelContext | undefined)?.model;
  if (!model) return result;
  if (Array.isArray(result)) {
    for (let i = 0; i < result.length; i++) result[i] = hydrate(model, result[i]);
    return result;
  }
  return hydrate(model, result);
}

function hydrate(model: ModelClass, row: unknown): unknown {
  if (row === null || typeof row !== 'object' || row instanceof ModelBase) return row;
  return Object.assign(Object.create(model.prototype as object) as object, row);
}

/**
 * `update … set <columns> where <key> = $n returning *` for one row: a statement compiled once per
 * model and set of columns, unless inside a transaction or given raw SQL values (the builder's job).
 * The compiled statement's rows are plain; the builder's are already model instances.
 */
function updateRow(model: ModelClass<ModelBase<object>>, id: Id, values: Record<string, unknown>): PromiseLike<unknown[]> {
  const db = ModelBase.db;
  const columns = Object.keys(values);
  const compiled = !db.isTransaction && columns.length > 0 && columns.every((column) => !isRawValue(values[column]));
  if (!compiled) return queryOf(model).where(model.primaryKey, id).update(values as never).returning('*') as unknown as PromiseLike<unknown[]>;
  const sql = updateStatement(model, db, columns);
  const params = columns.map((column) => values[column]);
  params.push(id);
  return runStatement(db, sql, params);
}

/** Whether `model` (or a model it extends) has its own `beforeSave`: the default does nothing, and is not worth a turn of the event loop. */
function hasBeforeSave(model: ModelClass): boolean {
  return (model as unknown as typeof ModelBase).beforeSave !== ModelBase.beforeSave;
}

function queryOf<M extends ModelBase<object>>(model: ModelClass<M>): ModelQuery<M> {
  const context: ModelContext = { model };
  return installEagerLoading(ModelBase.db<RowOf<M> & object, M[]>(model.table).queryContext(context), model);
}

function primaryKeyOf(record: ModelBase<object>): Id {
  return (record as unknown as Record<string, unknown>)[(record.constructor as ModelClass).primaryKey] as Id;
}

