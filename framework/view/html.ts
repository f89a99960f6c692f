/** Small HTML-building pieces shared by the view helpers. Everything interpolated is escaped. */

const htmlSpecial = /[&<>'"]/;

/**
 * Escapes text for HTML content and attribute values (`&amp;`, `&lt;`, `&gt;`, `&#34;`, `&#39;`;
 * nothing for `null` or `undefined`), exactly as EJS's own `escapeXML` does: it is what `<%= %>`
 * uses. Most values have nothing to escape, and those come back as they are, with no replace
 * calling back per character.
 */
export function escapeHtml(value: unknown): string {
  const text = value == null ? '' : typeof value === 'string' ? value : String(value);
  if (!htmlSpecial.test(text)) return text;
  let escaped = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    let entity: string;
    switch (text.charCodeAt(i)) {
      case 38: entity = '&amp;'; break;
      case 60: entity = '&lt;'; break;
      case 62: entity = '&gt;'; break;
      case 34: entity = '&#34;'; break;
      case 39: entity = '&#39;'; break;
      default: continue;
    }
    escaped += text.slice(from, i) + entity;
    from = i + 1;
  }
  return escaped + text.slice(from);
}

/** ` name="value"` pairs; `true` writes a bare attribute, `false`/`undefined` none. */
export function attributes(attrs: Record<string, unknown> = {}): string {
  let out = '';
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    out += value === true ? ` ${name}` : ` ${name}="${escapeHtml(value)}"`;
  }
  return out;
}

/** `<a href="…">text</a>`. */
export function linkTo(text: unknown, href: string, attrs: Record<string, unknown> = {}): string {
  return `<a${attributes({ href, ...attrs })}>${escapeHtml(text)}</a>`;
}

/** Hidden inputs that make a POST form act as PUT/PATCH/DELETE and carry the CSRF token. */
export function formPlumbing(method: string, csrfToken: CsrfTokenSource): string {
  const verb = method.toUpperCase();
  let out = '';
  if (verb !== 'GET' && verb !== 'POST') out += `<input type="hidden" name="_method" value="${escapeHtml(verb)}">`;
  // Asked for only here, so a page without a form does not start a session.
  const token = verb === 'GET' ? undefined : typeof csrfToken === 'function' ? csrfToken() : csrfToken;
  if (token) out += `<input type="hidden" name="_csrf" value="${escapeHtml(token)}">`;
  return out;
}

/** A CSRF token, or a function that makes one when a form needs it. */
export type CsrfTokenSource = string | undefined | (() => string | undefined);
