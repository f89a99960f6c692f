import { type FieldErrors, ValidationFailed, fieldErrors } from '../support';
import { translateDatabaseError } from '../database';
import type { ModelClass } from './types';

type Id = number | string;

/** Whether an id can name a row at all (a positive whole number), before asking the database. */
export function isValidId(id: Id): boolean {
  return typeof id === 'number' ? Number.isSafeInteger(id) && id > 0 : /^[1-9]\d{0,17}$/.test(id);
}

/** Mass-assignment guard and validation: only the schema's fields pass, each checked. */
export function permit(model: ModelClass, attributes: object, partial: boolean): Record<string, unknown> {
  const errors: FieldErrors = {};
  let values: Record<string, unknown> = { ...attributes };
  if (model.schema) {
    const result = (partial ? model.schema.partial() : model.schema).safeParse(attributes);
    if (result.success) {
      values = result.data as Record<string, unknown>;
      // An update changes what was sent, not the fields whose schema has a default.
      if (partial) for (const key of Object.keys(values)) if (!Object.hasOwn(attributes, key)) delete values[key];
    }
    else Object.assign(errors, fieldErrors(result.error));
  }
  for (const [field, value] of Object.entries(values)) {
    if (typeof value === 'string' && value.includes('\u0000')) (errors[field] ??= []).push('contains a NUL byte, which cannot be stored');
  }
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  return values;
}

/** A number beyond its column's range (22003): for an id, it names no row. */
export function isOutOfRange(error: unknown): boolean {
  return (error as { code?: string }).code === '22003' || (error as { cause?: { code?: string } }).cause?.code === '22003';
}

/** An id beyond the column's range matches no row. */
export function outOfRangeAsNone(error: unknown): never[] {
  if (isOutOfRange(error)) return [];
  throw error;
}

export async function write<T>(run: () => PromiseLike<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw translateDatabaseError(error) ?? error;
  }
}
