import type { Knex } from 'knex';
import { underscore } from '../support';
import type { ModelClass, Relation } from './types';

export type { Relation } from './types';

type Target = () => ModelClass;

/** `Post` has a `user_id` pointing at `User`: `author: belongsTo(() => User, { foreignKey: 'user_id' })`. */
export function belongsTo(target: Target, options: { foreignKey?: string; key?: string } = {}): Relation {
  return { kind: 'belongsTo', target, ...options };
}

/** `User` is pointed at by many `Post.user_id`: `posts: hasMany(() => Post)`. */
export function hasMany(target: Target, options: { foreignKey?: string; key?: string } = {}): Relation {
  return { kind: 'hasMany', target, ...options };
}

/** Like `hasMany`, for at most one row. */
export function hasOne(target: Target, options: { foreignKey?: string; key?: string } = {}): Relation {
  return { kind: 'hasOne', target, ...options };
}

type Row = Record<string, unknown>;

function relationOf(model: ModelClass, name: string): Relation {
  const relation = model.relations[name];
  if (!relation) {
    const known = Object.keys(model.relations);
    throw new Error(`${model.name} has no relation "${name}"${known.length ? ` (it has: ${known.join(', ')})` : ''}.`);
  }
  return relation;
}

/** The columns a relation joins on: `[column on the owner rows, column on the related rows]`. */
function joinColumns(owner: ModelClass, name: string, relation: Relation): [string, string] {
  const target = relation.target();
  if (relation.kind === 'belongsTo') return [relation.foreignKey ?? `${underscore(name)}_id`, relation.key ?? target.primaryKey];
  return [relation.key ?? owner.primaryKey, relation.foreignKey ?? `${underscore(owner.name)}_id`];
}

/** A query for the records related to `record` through `name` (lazy loading of one record). */
export function relatedQuery(owner: ModelClass, record: object, name: string): Knex.QueryBuilder {
  const relation = relationOf(owner, name);
  const [ownColumn, relatedColumn] = joinColumns(owner, name, relation);
  const target = relation.target() as ModelClass & { query(): Knex.QueryBuilder };
  return target.query().where(relatedColumn, (record as unknown as Row)[ownColumn] as Knex.Value);
}

/**
 * Eager loading: fills `name` on every record with one query per relation (`WHERE key IN (…)`),
 * never one per record. Dotted names (`posts.comments`) load the next level on what was loaded.
 */
export async function preload(owner: ModelClass, records: object[], names: readonly string[]): Promise<void> {
  if (records.length === 0) return;
  const levels = new Map<string, string[]>();
  for (const path of names) {
    const [head, ...rest] = path.split('.');
    const nested = levels.get(head!) ?? [];
    if (rest.length) nested.push(rest.join('.'));
    levels.set(head!, nested);
  }
  for (const [name, nested] of levels) {
    const relation = relationOf(owner, name);
    const target = relation.target() as ModelClass & { query(): Knex.QueryBuilder };
    const [ownColumn, relatedColumn] = joinColumns(owner, name, relation);
    const rows = records as unknown as Row[];
    const keys = [...new Set(rows.map((r) => r[ownColumn]).filter((v) => v !== null && v !== undefined))] as Knex.Value[];
    const related = (keys.length ? await target.query().whereIn(relatedColumn, keys).orderBy(target.primaryKey) : []) as unknown as Row[];
    const byKey = new Map<unknown, Row[]>();
    for (const row of related) {
      const key = row[relatedColumn];
      const group = byKey.get(key);
      if (group) group.push(row);
      else byKey.set(key, [row]);
    }
    for (const row of rows) {
      const group = byKey.get(row[ownColumn]);
      row[name] = relation.kind === 'hasMany' ? (group ?? []) : (group?.[0] ?? null);
    }
    if (nested.length) await preload(target, related, nested);
  }
}

/** A model's relations, by name. */
export type Relations = Record<string, Relation>;
