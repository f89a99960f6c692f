import type { z } from 'zod';
import { ValidationFailed, type FieldErrors } from './errors';

/** zod's issues as `{ field: [messages] }`; issues about the whole input go under `base`. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? issue.path.map(String).join('.') : 'base';
    (errors[field] ??= []).push(issue.message);
  }
  return errors;
}

/** Parses `input` with `schema`, or throws `ValidationFailed` (422) with a message per field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationFailed(fieldErrors(result.error));
}

/** zod, loaded when a field type is first built: an app without schemas does not load it. */
const zod = () => (require('zod') as typeof import('zod')).z;

const lastOf = (value: unknown) => (Array.isArray(value) ? value[value.length - 1] : value);

/** Field types for input that arrives as strings (HTML forms, query strings) as well as JSON. */
export const fields = {
  /**
   * A checkbox or JSON boolean: true/false, 'true'/'false', '1'/'0', 'on'. A form sends a hidden
   * 'false' before a ticked box's 'true'; the last value wins.
   */
  boolean: () => {
    const z = zod();
    return z.preprocess(
      lastOf,
      z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'on'], { message: 'must be true or false' }).transform((v) => v === 'true' || v === '1' || v === 'on')]),
    );
  },
  /** A date or time: a Date, an ISO string, or empty (null) from a form. */
  date: () => zod().preprocess((value) => (value === '' ? null : value), zod().coerce.date({ message: 'is not a valid date' }).nullable()).optional(),
  /**
   * Any JSON value, given as a value (JSON body) or as JSON text (a form's textarea), stored as
   * JSON text so arrays are not taken for PostgreSQL arrays.
   */
  json: () =>
    zod()
      .unknown()
      .transform((value, context) => {
        if (typeof value !== 'string') return value ?? {};
        try {
          return JSON.parse(value) as unknown;
        } catch {
          context.addIssue({ code: 'custom', message: 'is not valid JSON' });
          return zod().NEVER;
        }
      })
      .transform((value) => JSON.stringify(value)),
  /** A reference to a row (a serial id): a whole number from 1 to 2147483647. */
  id: () =>
    zod()
      .coerce.number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be chosen')
      .max(2147483647, 'does not refer to an existing record'),
};
