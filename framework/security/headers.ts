import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { Environment } from '../support';

/** Headers to add to responses: some to every response, the rest only to HTML documents. */
export interface SecurityHeaders {
  /** For every response (nosniff; HSTS in production). */
  all: ReadonlyArray<readonly [string, string]>;
  /** For HTML documents only: CSP, framing, cross-origin and referrer policies only mean something there. */
  documents: ReadonlyArray<readonly [string, string]>;
}

const everyResponse = new Set(['x-content-type-options', 'strict-transport-security']);

/**
 * Security headers (helmet): a Content-Security-Policy that allows only this site's own scripts,
 * styles and forms (no inline script), no framing, nosniff, a strict Referrer-Policy, and HSTS in
 * production. The policy has no per-request part, so helmet runs once at start; responses get the
 * resulting headers from a list (documents all of them, other responses the ones that apply).
 */
export function securityHeaders(env: Environment): SecurityHeaders {
  const production = env === 'production';
  const configured = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        // Only where the site is served over HTTPS; on http://localhost it would break every asset.
        ...(production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: production ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginEmbedderPolicy: false,
    xFrameOptions: { action: 'deny' },
  });
  const headers: Array<[string, string]> = [];
  const probe = { setHeader: (name: string, value: string) => void headers.push([name, String(value)]), removeHeader: () => undefined };
  configured({} as IncomingMessage, probe as unknown as ServerResponse, () => undefined);
  return {
    all: headers.filter(([name]) => everyResponse.has(name.toLowerCase())),
    documents: headers.filter(([name]) => !everyResponse.has(name.toLowerCase())),
  };
}
