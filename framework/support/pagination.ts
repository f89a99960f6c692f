/** Links to the other pages of a paginated list, for `Link` headers and the HTML pager. */
export interface PageLink {
  rel: 'first' | 'prev' | 'next' | 'last';
  href: string;
  page: number;
}

interface PageInfo {
  page: number;
  perPage: number;
  pages: number;
}

/** `path?…&page=N&per_page=M` for the first, previous, next and last pages that exist. */
export function pageLinks(info: PageInfo, path: string, query: Record<string, unknown> = {}): PageLink[] {
  const href = (page: number) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (key !== 'page' && key !== 'per_page' && typeof value === 'string') params.set(key, value);
    }
    params.set('page', String(page));
    params.set('per_page', String(info.perPage));
    return `${path}?${params.toString()}`;
  };
  const links: PageLink[] = [];
  if (info.page > 1) {
    links.push({ rel: 'first', href: href(1), page: 1 });
    links.push({ rel: 'prev', href: href(Math.min(info.page - 1, info.pages)), page: Math.min(info.page - 1, info.pages) });
  }
  if (info.page < info.pages) {
    links.push({ rel: 'next', href: href(info.page + 1), page: info.page + 1 });
    links.push({ rel: 'last', href: href(info.pages), page: info.pages });
  }
  return links;
}
