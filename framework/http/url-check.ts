import { BadRequest, HttpError } from '../support';

const maxUrlLength = 8 * 1024;

/** A URL over 8 KiB (414), with broken percent-encoding or with a NUL byte (400), as an error; else undefined. */
export function malformedUrl(url: string): HttpError | undefined {
  if (url.length > maxUrlLength) return new HttpError(414, `The URL is longer than ${maxUrlLength} characters.`);
  if (!url.includes('%')) return undefined;
  try {
    decodeURIComponent(url);
  } catch {
    return new BadRequest('The URL is not valid: broken percent-encoding.');
  }
  return /%00/.test(url) ? new BadRequest('The URL is not valid: it contains a NUL byte.') : undefined;
}
