import type { z } from 'zod';

// The model layer's shared types. A leaf: it imports nothing from the other model files, so
// model.ts and its helpers (queries, statements, relations) all depend on it and not on each other's types.

/** A zod object schema of a model's writable fields. */
export type ModelSchema = z.ZodObject<any>;

/** A model class as its static methods and helpers see it (`this` in `User.find`); `M` is its instance type. */
export interface ModelClass<M extends object = object> {
  new (...args: never[]): M;
  readonly name: string;
  table: string;
  primaryKey: string;
  timestamps: boolean;
  hidden: readonly string[];
  schema?: ModelSchema;
  relations: Record<string, Relation>;
}

/** How two models are linked. Declared in a model's `static relations`. */
export interface Relation {
  readonly kind: 'belongsTo' | 'hasMany' | 'hasOne';
  /** The related model (a function, so models can refer to each other). */
  readonly target: () => ModelClass;
  /** Column holding the link: on this model for belongsTo, on the target for hasMany/hasOne. */
  readonly foreignKey?: string;
  /** Column the foreign key points at (default the primary key). */
  readonly key?: string;
}

/** Marks a query whose rows come back as instances of `model` (the knex query context). */
export interface ModelContext {
  model: ModelClass;
}

/** One page of records and where it sits among them (`Model.paginate`). */
export interface Page<M> {
  data: M[];
  page: number;
  perPage: number;
  total: number;
  pages: number;
}
