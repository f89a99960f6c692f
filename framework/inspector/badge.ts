import { ms, type RequestTimings } from '../observe';
import type { RequestRecord } from './record';
import { repeatedStatements } from './statements';

/** The badge's HTML: status, time so far, queries, and an N+1 warning, linking to the request's record. */
export function badgeFor(record: RequestRecord, status: number, timings: RequestTimings): string {
  const repeated = repeatedStatements(record.queries).length;
  const queries = record.queries.length;
  const kind = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'ok';
  const parts = [
    `<span class="trestle-badge-status">${status}</span>`,
    `<span>${ms(performance.now() - timings.start)} ms</span>`,
    `<span>${queries} ${queries === 1 ? 'query' : 'queries'}</span>`,
  ];
  if (repeated > 0) parts.push(`<span class="trestle-badge-n1">N+1 ×${repeated}</span>`);
  return (
    `<link rel="stylesheet" href="/_trestle/assets/inspector.css">` +
    `<a id="trestle-badge" class="trestle-badge trestle-badge-${kind}" href="/_trestle/requests/${encodeURIComponent(record.id)}" title="Open this request in the Trestle inspector">${parts.join('')}</a>`
  );
}

/** `html` with the badge just before `</body>` (or at the end when there is none). */
export function injectBadge(html: string, badge: string): string {
  const at = html.lastIndexOf('</body>');
  return at === -1 ? html : html.slice(0, at) + badge + html.slice(at);
}
