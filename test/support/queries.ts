import type { Database, QueryEvent } from '../../framework';

/** Runs `work` and returns it along with every SQL statement it issued. */
export async function recordQueries<T>(db: Database, work: () => Promise<T>): Promise<{ result: T; queries: QueryEvent[] }> {
  const queries: QueryEvent[] = [];
  const stop = db.onQuery((event) => queries.push(event));
  try {
    return { result: await work(), queries };
  } finally {
    stop();
  }
}
