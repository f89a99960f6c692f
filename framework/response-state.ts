import type { ServerResponse } from 'node:http';

const ending = new WeakSet<ServerResponse>();

/** Marks a response whose `end()` was called but is held back (while its session is saved). */
export function markEnding(response: ServerResponse): void {
  ending.add(response);
}

/** Whether the response has been answered: headers sent, or an `end()` on its way. */
export function responseStarted(response: ServerResponse): boolean {
  return response.headersSent || response.writableEnded || ending.has(response);
}
