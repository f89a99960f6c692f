import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import type { TrestleApp } from '../../framework';

/** Debian's Chromium; playwright-core drives it (no browser download). */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The network is closed: without these flags Chromium stalls on its background services. */
const launchArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** True when Chromium is on this machine. */
export const browserAvailable = existsSync(chromiumPath);

/** CI sets REQUIRE_BROWSER=1: a missing Chromium is then a failure, not a skip. */
export const browserRequired = process.env.REQUIRE_BROWSER === '1';

/**
 * `describe` for browser tests: runs them when Chromium is here; otherwise fails loudly when
 * REQUIRE_BROWSER=1, or skips the whole block (with a note) so `npm test` passes on a machine
 * with only Node.
 */
export function describeBrowser(name: string, body: () => void): void {
  if (browserAvailable) {
    describe(name, body);
    return;
  }
  if (browserRequired) {
    describe(name, () => {
      test('needs Chromium', () => {
        throw new Error(`REQUIRE_BROWSER=1 but there is no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`);
      });
    });
    return;
  }
  // eslint-disable-next-line no-console
  console.warn(`Skipping the browser tests "${name}": no Chromium at ${chromiumPath}. Install it (apt-get install chromium) or set REQUIRE_BROWSER=1 to make this an error.`);
  describe.skip(`${name} (skipped: no Chromium at ${chromiumPath})`, body);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: launchArgs, timeout: 30_000 });
}

export interface Served {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  origin: string;
  close(): Promise<void>;
}

/** Serves the Express app on a free port of 127.0.0.1. */
export async function serve(app: TrestleApp): Promise<Served> {
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Chromium keeps connections alive: drop them so close() does not wait for their timeout.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** One thing that went wrong in the page: a console error/warning, a CSP violation, an uncaught error. */
export interface PageProblem {
  kind: 'console' | 'csp' | 'pageerror' | 'requestfailed';
  text: string;
  /** The page's URL when it happened, or the resource's URL. */
  url: string;
}

/**
 * Records every console error and warning, uncaught exception, failed request and CSP violation
 * of the page and of every page it goes to. CSP violations are caught twice: Chromium logs
 * "Refused to …" on the console, and a `securitypolicyviolation` listener (installed before any
 * page script, and not subject to the page's CSP) keeps them in the document until `collect()`
 * reads them: call it after each navigation, before the next one.
 */
export async function watchPage(page: Page): Promise<{ collect(): Promise<PageProblem[]> }> {
  const seen: PageProblem[] = [];
  page.on('console', (message: ConsoleMessage) => {
    const text = message.text();
    const isCsp = /Content Security Policy|Refused to/i.test(text);
    if (message.type() === 'error' || message.type() === 'warning' || isCsp) {
      seen.push({ kind: isCsp ? 'csp' : 'console', text, url: message.location().url || page.url() });
    }
  });
  page.on('pageerror', (error) => seen.push({ kind: 'pageerror', text: String(error), url: page.url() }));
  page.on('requestfailed', (request) => seen.push({ kind: 'requestfailed', text: request.failure()?.errorText ?? 'failed', url: request.url() }));
  await page.addInitScript(() => {
    const violations: string[] = [];
    Object.defineProperty(window, '__cspViolations', { value: violations });
    document.addEventListener('securitypolicyviolation', (event) => {
      violations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile || location.href}:${event.lineNumber}`);
    });
  });
  return {
    async collect() {
      // Violation events are dispatched as a task: let them arrive first.
      const fromEvents = await page.evaluate(() => new Promise<string[]>((resolve) => setTimeout(() => resolve((window as unknown as { __cspViolations?: string[] }).__cspViolations?.splice(0) ?? []), 50)));
      seen.push(...fromEvents.map((text) => ({ kind: 'csp' as const, text, url: page.url() })));
      return [...seen];
    },
  };
}
