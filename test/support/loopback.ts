import http from 'node:http';
import net from 'node:net';

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** One JSON request to 127.0.0.1:`port`, on a fresh connection. */
export function call(port: number, method: string, urlPath: string, options: { body?: unknown; cookie?: string; https?: boolean } = {}): Promise<Reply> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        agent: false,
        headers: {
          Accept: 'application/json',
          ...(payload ? { 'Content-Type': 'application/json' } : {}),
          ...(options.cookie ? { Cookie: options.cookie } : {}),
          // As a TLS-terminating proxy would say: the session cookie is Secure in production.
          ...(options.https ? { 'X-Forwarded-Proto': 'https' } : {}),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** Polls `GET /readyz` on `port` until it answers 200 (up to 15 s). */
export async function waitUntilReady(port: number): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if ((await call(port, 'GET', '/readyz').catch(() => undefined))?.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the app on port ${port} never became ready`);
}

/** The `name=value` pairs of a reply's Set-Cookie headers, as a Cookie header. */
export function cookiesOf(reply: Reply): string {
  return (reply.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
}
