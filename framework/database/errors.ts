import { BadRequest, Conflict, HttpError, ServiceUnavailable, ValidationFailed } from '../support';

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
  column?: string;
}

// pg reports a connection lost mid-query by message only.
const lostConnection = /Connection terminated|connection error|Connection ended|timeout exceeded when trying to connect/i;

const connectionErrorCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P03', '08000', '08003', '08006']);

/**
 * Turns an error raised by PostgreSQL (through knex and pg) into the HTTP error a user should see,
 * or returns undefined when it is not a database error the client caused or can retry.
 */
export function translateDatabaseError(error: unknown): HttpError | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const pg = error as PgError & { message?: string; name?: string };
  const code = pg.code;
  if (typeof code !== 'string') {
    if (pg.name === 'KnexTimeoutError' || lostConnection.test(pg.message ?? '')) return new ServiceUnavailable(undefined, { cause: error });
    return undefined;
  }
  if (connectionErrorCodes.has(code)) return new ServiceUnavailable(undefined, { cause: error });
  const field = fieldOf(pg);
  switch (code) {
    case '23505': // unique_violation
      return new ValidationFailed({ [field ?? 'base']: ['has already been taken'] }, 'The data you sent is not valid.', { cause: error });
    case '23503': // foreign_key_violation: a write points at nothing, or a delete would orphan rows
      if (/is not present in table/.test(pg.detail ?? '')) {
        return new ValidationFailed({ [field ?? 'base']: ['does not refer to an existing record'] }, undefined, { cause: error });
      }
      return new Conflict('Other records still refer to this one.', {}, { cause: error });
    case '23001': // restrict_violation
      return new Conflict('Other records still refer to this one.', {}, { cause: error });
    case '23502': // not_null_violation
      return new ValidationFailed({ [pg.column ?? 'base']: ["can't be blank"] }, undefined, { cause: error });
    case '23514': // check_violation
      return new ValidationFailed({ [field ?? 'base']: ['is not valid'] }, undefined, { cause: error });
    case '22001': // string_data_right_truncation
      return new ValidationFailed({ [pg.column ?? 'base']: ['is too long'] }, undefined, { cause: error });
    case '22021': // character_not_in_repertoire (NUL bytes)
    case '22P05': // untranslatable_character
      return new ValidationFailed({ base: ['contains characters that cannot be stored (such as NUL bytes)'] }, undefined, { cause: error });
    case '22P02': // invalid_text_representation (e.g. 'abc' for an integer)
    case '22003': // numeric_value_out_of_range
    case '22007': // invalid_datetime_format
    case '22008': // datetime_field_overflow
      return new BadRequest('A value in the request has the wrong type or is out of range.', { cause: error });
    default:
      return undefined;
  }
}

/** The column named in a constraint violation: from `Key (email)=(…)` or the constraint name. */
function fieldOf(error: PgError): string | undefined {
  const fromDetail = error.detail?.match(/^Key \(([^)]+)\)=/)?.[1];
  if (fromDetail) return fromDetail.split(',')[0]!.trim().replace(/"/g, '');
  if (error.column) return error.column;
  const constraint = error.constraint?.match(/^[a-z0-9]+_(.+)_(?:unique|foreign|key|fkey|check)$/)?.[1];
  return constraint;
}
