import net from 'node:net';

/**
 * A real TCP proxy on 127.0.0.1:<free port> in front of a server, for fault drills in the soak
 * and in tests: `cut()` resets every live connection and refuses new ones (accepted, then reset
 * at once) until `restore()`; `holdReplies()` silently discards server→client bytes, so a
 * statement can commit while its reply never arrives (an ambiguous failure once cut).
 */
export class TcpProxy {
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private refusing = false;
  private discardReplies = false;
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

  holdReplies(hold: boolean): void {
    this.discardReplies = hold;
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
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      if (!this.discardReplies) client.write(chunk);
    });
  }
}
