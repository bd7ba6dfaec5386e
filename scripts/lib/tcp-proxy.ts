import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1:<free port> in front of a server, for fault drills outside jest
 * (the same idea as test/helpers/tcp-proxy.ts, which scripts cannot import): `cut()` resets
 * every live connection and refuses new ones until `restore()`.
 */
export class TcpProxy {
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private refusing = false;
  /** Connections accepted since start, and those refused while cut. */
  accepted = 0;
  refused = 0;
  /** Live connections reset by cut(). */
  resets = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | null = null;
    const server = net.createServer((client) => proxy!.accept(client, targetHost, targetPort));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  /** Resets every live connection and refuses new ones; returns how many were reset. */
  cut(): number {
    this.refusing = true;
    const count = this.pairs.size;
    for (const { client, upstream } of this.pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.pairs.clear();
    this.resets += count;
    return count;
  }

  restore(): void {
    this.refusing = false;
  }

  get liveConnections(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, host: string, port: number): void {
    this.accepted++;
    if (this.refusing) {
      this.refused++;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect({ host, port });
    const pair = { client, upstream };
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
