import type { RequestRecord } from './record';

/** One bar of the timeline, as percentages of the request's total time (SVG attributes: the CSP allows no inline style). */
export interface TimelineBar {
  kind: 'sql' | 'view' | 'partial';
  label: string;
  x: number;
  width: number;
  at: number;
  ms: number;
}

const percent = (value: number, total: number) => Math.round((Math.max(0, Math.min(value, total)) / total) * 1000) / 10;

/** The statements and renders of a request on one time axis, in the order they started. */
export function timeline(record: RequestRecord): TimelineBar[] {
  const total = Math.max(record.ms, 0.1);
  const bars: TimelineBar[] = [
    // A statement's `at` is when it finished; a render's is when it began.
    ...record.queries.map((query) => ({ kind: 'sql' as const, label: query.sql, start: query.at - query.ms, ms: query.ms })),
    ...record.views.map((view) => ({ kind: view.partial ? ('partial' as const) : ('view' as const), label: view.name, start: view.at, ms: view.ms })),
  ]
    .sort((a, b) => a.start - b.start)
    .map(({ kind, label, start, ms }) => ({ kind, label, at: Math.round(start * 10) / 10, ms, x: percent(start, total), width: Math.max(percent(ms, total), 0.4) }));
  return bars;
}
