import type { RouteTable } from './router';

const dateFormat = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: 'numeric' });

/** The helpers every view gets: `url(name, params)` and `formatDate(date)`. */
export function defaultHelpers(routes: RouteTable): Record<string, unknown> {
  return {
    url: (name: string, params?: Record<string, string | number>) => routes.url(name, params),
    formatDate: (value: Date | string | null | undefined) => (value ? dateFormat.format(new Date(value)) : ''),
    title: undefined,
  };
}
