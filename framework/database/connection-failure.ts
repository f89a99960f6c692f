/** Error codes meaning "the database could not be reached or would not let us in", from Node and from PostgreSQL. */
const networkCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);
const refusalCodes: Record<string, string> = {
  '28P01': 'check the user and password in DATABASE_URL',
  '28000': 'check the user in DATABASE_URL and the server\'s pg_hba.conf',
  '3D000': 'create the database (createdb) or fix its name in DATABASE_URL',
};

/**
 * One line saying why the database at `url` could not be used, with host, port, the error and
 * what to check; undefined when `error` is not a connection failure (a bad query, say).
 */
export function describeConnectionFailure(error: unknown, url: string | undefined): string | undefined {
  const failure = connectionError(error);
  if (!failure) return undefined;
  const where = url ? hostAndPort(url) : 'the embedded database';
  const hint = failure.code && refusalCodes[failure.code]
    ? refusalCodes[failure.code]
    : url
      ? 'check that PostgreSQL is running there and that DATABASE_URL names the right host and port (unset DATABASE_URL to use the embedded database)'
      : 'check that no other process uses the embedded database (EMBEDDED_DB_DIR)';
  return `database unreachable at ${where}: ${failure.message}; ${hint}`;
}

function connectionError(error: unknown): { code?: string; message: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as NodeJS.ErrnoException).code;
  if (code && (networkCodes.has(code) || code in refusalCodes)) return { code, message: error.message || code };
  // Node reports a name resolving to several addresses (localhost) as an AggregateError of them.
  if (error instanceof AggregateError) return error.errors.map(connectionError).find(Boolean);
  if (/Connection terminated|timeout exceeded when trying to connect/i.test(error.message)) return { message: error.message };
  return undefined;
}

function hostAndPort(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
