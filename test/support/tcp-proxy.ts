import net from 'node:net';

/**
 * A loopback TCP proxy in front of a database, which a test can cut and restore: while cut, open
 * connections are dropped and new ones are closed as soon as they arrive, as a database that went
 * away would. It forwards bytes only, so it works for the embedded database and PostgreSQL alike.
 */
export class TcpProxy {
  private readonly open = new Set<net.Socket>();
  private cutOff = false;

  private constructor(
    private readonly server: net.Server,
    /** The loopback port to connect to instead of the target's. */
    readonly port: number,
  ) {}

  /** Listens on a free loopback port and forwards every connection to `target`. */
  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = net.createServer((client) => proxy!.accept(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  /** `postgres://…@host:port/db` with the host and port replaced by the proxy's. */
  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /** Drops every open connection and refuses new ones until `restore`. */
  cut(): void {
    this.cutOff = true;
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }

  /** Forwards connections again. */
  restore(): void {
    this.cutOff = false;
  }

  /** Drops every connection and stops listening. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    if (this.cutOff) return void client.destroy();
    const upstream = net.connect(target.port, target.host);
    this.open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.open.delete(client);
      this.open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
