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
