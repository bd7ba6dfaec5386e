import net from 'node:net';

export interface TcpProxyOptions {
  /**
   * What a connect meets while cut, until restore(): 'reset' (default) accepts and resets it at
   * once, the port staying bound (a server that drops every session); 'unlisten' finds nothing
   * listening, and restore() binds the same port again (a server that went away and came back,
   * like a Redis restart).
   */
  whileCut?: 'reset' | 'unlisten';
}

/** Which bytes hold() swallows while the sockets stay open. */
export type HeldTraffic = 'none' | 'replies' | 'both';

/**
 * A real TCP proxy on 127.0.0.1:<free port> in front of a server, for fault drills in tests and
 * the soak: `cut()` resets every live connection and refuses new ones until `restore()`;
 * `hold('replies')` silently discards server→client bytes, so a statement can commit while its
 * reply never arrives (an ambiguous failure once cut); `hold('both')` makes the peer look hung.
 */
export class TcpProxy {
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private refusing = false;
  private held: HeldTraffic = 'none';
  private server: net.Server | null;
  /** Connections accepted since start, and those refused while cut. */
  accepted = 0;
  refused = 0;
  /** Live connections reset by cut(). */
  resets = 0;

  private constructor(
    server: net.Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
    private readonly whileCut: 'reset' | 'unlisten',
  ) {
    this.server = server;
  }

  static async start(
    targetHost: string,
    targetPort: number,
    options: TcpProxyOptions = {},
  ): Promise<TcpProxy> {
    let proxy: TcpProxy | null = null;
    const server = net.createServer((client) => proxy!.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as net.AddressInfo;
    proxy = new TcpProxy(
      server,
      port,
      { host: targetHost, port: targetPort },
      options.whileCut ?? 'reset',
    );
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
    if (this.whileCut === 'unlisten' && this.server !== null) {
      // close() stops accepting at once; its callback only reports that the last socket is gone.
      this.server.close();
      this.server = null;
    }
    return count;
  }

  /** Accepts connections again (on the same port). */
  restore(): void {
    this.refusing = false;
    if (this.server === null) {
      const server = net.createServer((client) => this.accept(client));
      // Binding is synchronous; a failure to re-bind is an error event, which throws if unheard.
      server.listen(this.port, '127.0.0.1');
      this.server = server;
    }
  }

  hold(traffic: HeldTraffic): void {
    this.held = traffic;
  }

  get liveConnections(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    this.cut();
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.accepted++;
    if (this.refusing) {
      this.refused++;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.target);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => {
      if (this.held !== 'both') upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.held === 'none') client.write(chunk);
    });
  }
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
