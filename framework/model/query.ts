import type { Knex } from 'knex';
import type { ModelClass, Page } from './types';
import { preload } from './relations';

const preloadKey = Symbol('trestle.preload');
const ownerKey = Symbol('trestle.owner');

interface EagerBuilder extends Knex.QueryBuilder {
  [preloadKey]?: string[];
  [ownerKey]?: ModelClass;
}

let builderThen: Knex.QueryBuilder['then'] | undefined;
let builderWith: ((...args: unknown[]) => Knex.QueryBuilder) | undefined;

/**
 * Gives a model query `.with('author', 'posts.comments')`: after the rows arrive, each named
 * relation is loaded with one more query. `with` keeps its knex meaning (a CTE) when called
 * with anything but relation names.
 */
export function installEagerLoading<B extends Knex.QueryBuilder>(builder: B, model: ModelClass): B {
  const eager = builder as unknown as EagerBuilder;
  if (!builderWith) {
    const proto = Object.getPrototypeOf(builder) as { with: typeof builderWith; then: typeof builderThen };
    builderWith = proto.with;
    builderThen = proto.then;
  }
  eager[ownerKey] = model;
  (eager as unknown as { with: typeof withRelations }).with = withRelations;
  return builder;
}

function withRelations(this: EagerBuilder, ...args: unknown[]): Knex.QueryBuilder {
  const model = this[ownerKey]!;
  const names = args.every((a) => typeof a === 'string') ? (args as string[]) : undefined;
  if (!names || names.length === 0 || !names.every((n) => n.split('.')[0]! in model.relations)) {
    if (names && names.length === 1) throw new Error(`${model.name} has no relation "${names[0]}" (it has: ${Object.keys(model.relations).join(', ') || 'none'}).`);
    return builderWith!.apply(this, args);
  }
  (this[preloadKey] ??= []).push(...names);
  (this as unknown as { then: typeof thenWithPreload }).then = thenWithPreload;
  return this;
}

function thenWithPreload(this: EagerBuilder, onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown): Promise<unknown> {
  const names = this[preloadKey]!;
  const model = this[ownerKey]!;
  const rows = (builderThen as unknown as (this: Knex.QueryBuilder) => Promise<unknown>).call(this);
  return rows
    .then(async (result) => {
      const records = (Array.isArray(result) ? result : result ? [result] : []) as object[];
      await preload(model, records, names);
      return result;
    })
    .then(onFulfilled, onRejected);
}

declare module 'knex' {
  namespace Knex {
    /** `.with('author', 'posts.comments')` on a model query: eager-load relations by name. */
    interface With<TRecord extends {} = any, TResult = unknown[]> {
      (...relations: string[]): QueryBuilder<TRecord, TResult>;
    }
  }
}

/** One page of `base` (at most 100 rows; page and size made whole and at least 1) with the totals a pager needs. */
export async function pageOf<M>(base: Knex.QueryBuilder, page: number, perPage: number): Promise<Page<M>> {
  const size = Math.min(Math.max(Math.trunc(perPage) || 1, 1), 100);
  const current = Math.max(Math.trunc(page) || 1, 1);
  const counted = base.clone().clearSelect().clearOrder().clear('limit').clear('offset').queryContext(null).count({ count: '*' }).first();
  const total = Number(((await counted) as unknown as { count: string }).count);
  const data = (await base.limit(size).offset((current - 1) * size)) as unknown as M[];
  return { data, page: current, perPage: size, total, pages: Math.max(Math.ceil(total / size), 1) };
}
