import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Request } from 'express';
import pluralizeWord from 'pluralize';
import { takeFlash } from '../security';
import { FormBuilder, type FormOptions } from './form-builder';
import { attributes, escapeHtml, formPlumbing, linkTo } from './html';
import { pageLinks } from '../support';

let dateFormat: Intl.DateTimeFormat | undefined;

/** Made on first use: building it loads ICU's locale data, about 8 MB, which an app that shows no dates need not hold. */
function formatter(): Intl.DateTimeFormat {
  return (dateFormat ??= new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: 'numeric' }));
}

interface PagerInfo {
  page: number;
  perPage: number;
  pages: number;
  total: number;
}

/** What builds paths from route names (the URL table). */
export interface UrlBuilder {
  url(name: string, params?: Record<string, string | number>): string;
  has?(name: string): boolean;
}

/** The helpers every view gets, built once per application. */
export function defaultHelpers(routes: UrlBuilder, publicDir: string | undefined): Record<string, unknown> {
  const fingerprints = new Map<string, string>();
  return {
    title: undefined,
    /** Path of a named route: `url('users.show', { id: user.id })`. */
    url: (name: string, params?: Record<string, string | number>) => routes.url(name, params),
    /** Whether every one of `names` is a route of this app: `<% if (hasRoute('users.index')) { %>`. */
    hasRoute: (...names: string[]) => names.every((name) => routes.has?.(name) ?? true),
    /** `26 Nov 2026`. */
    formatDate: (value: Date | string | null | undefined) => (value ? formatter().format(new Date(value)) : ''),
    linkTo,
    escapeHtml,
    /** `3 users`, `1 user`. */
    pluralize: (count: number, word: string) => `${count} ${pluralizeWord(word, count)}`,
    /** `/css/app.css?v=1a2b3c4d`: a public file's path with a digest of its content, so it can be cached long. */
    asset: (file: string) => {
      let versioned = fingerprints.get(file);
      if (versioned === undefined) {
        versioned = file;
        if (publicDir) {
          try {
            const digest = crypto.createHash('sha256').update(fs.readFileSync(path.join(publicDir, file))).digest('hex').slice(0, 10);
            versioned = `${file}?v=${digest}`;
          } catch {
            // a missing file keeps its plain path; the browser's 404 says which
          }
        }
        fingerprints.set(file, versioned);
      }
      return versioned;
    },
    /** Previous/next links and "Page 2 of 5" for a paginated list. */
    pager: (info: PagerInfo, request: Request) => {
      if (info.pages <= 1) return '';
      const links = pageLinks(info, request.path, request.query as Record<string, unknown>);
      const prev = links.find((l) => l.rel === 'prev');
      const next = links.find((l) => l.rel === 'next');
      return (
        `<nav class="pagination" aria-label="Pages">` +
        (prev ? linkTo('← Previous', prev.href, { rel: 'prev' }) : '<span class="disabled">← Previous</span>') +
        `<span class="current">Page ${info.page} of ${info.pages}</span>` +
        (next ? linkTo('Next →', next.href, { rel: 'next' }) : '<span class="disabled">Next →</span>') +
        `</nav>`
      );
    },
  };
}

/** Helpers that depend on the request: its flash messages, and forms carrying its CSRF token. */
export function requestHelpers(request: Request, csrfToken: () => string | undefined): Record<string, unknown> {
  return {
    request,
    flash: takeFlash(request),
    /** The CSRF token, for a form written by hand: `<input type="hidden" name="_csrf" value="<%= csrfToken() %>">`. */
    csrfToken,
    formFor: (values: object | undefined, options: FormOptions) => new FormBuilder(values, { csrfToken, ...options }),
    /** A one-button form, for actions that must not be links (delete, sign out). */
    buttonTo: (text: string, action: string, options: { method?: string; class?: string } = {}) =>
      `<form${attributes({ method: 'post', action, class: 'button-to' })}>${formPlumbing(options.method ?? 'post', csrfToken)}` +
      `<button type="submit"${attributes({ class: options.class ?? 'button' })}>${escapeHtml(text)}</button></form>`,
  };
}
