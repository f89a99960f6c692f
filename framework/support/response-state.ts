import type { ServerResponse } from 'node:http';

const ending = Symbol('trestle.ending');

type MarkedResponse = ServerResponse & { [ending]?: true };

/** Marks a response whose `end()` was called but is held back (while its session is saved). */
export function markEnding(response: ServerResponse): void {
  (response as MarkedResponse)[ending] = true;
}

/** Whether the response has been answered: headers sent, or an `end()` on its way. */
export function responseStarted(response: ServerResponse): boolean {
  return response.headersSent || response.writableEnded || (response as MarkedResponse)[ending] === true;
}
