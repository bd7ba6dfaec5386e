import { ConfigError, describeConfig, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('gives the zero-setup defaults: embedded database, simulator, port 4000', () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ kind: 'pglite', dataDir: './data' });
    expect(config.massiveApiKey).toBeNull();
    expect(config.port).toBe(4000);
    expect(config.symbols).toEqual(['*']);
    expect(config.maxConnections).toBe(1);
    expect(config.flushIntervalMs).toBe(250);
  });

  it('reads a real PostgreSQL, in-memory PGlite and a symbol list', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@h/db',
    });
    expect(loadConfig({ DATABASE_URL: 'memory://' }).database).toEqual({
      kind: 'pglite',
      dataDir: null,
    });
    // Issue 9 changed this: tickers are case-sensitive, kept as written (deduplicated, trimmed).
    expect(loadConfig({ SYMBOLS: 'BCpC, MSFT,BCPC,MSFT' }).symbols).toEqual([
      'BCpC',
      'MSFT',
      'BCPC',
    ]);
    expect(() => loadConfig({ SYMBOLS: 'aapl,MSFT' })).toThrow(
      /invalid tickers: aapl .*case-sensitive/,
    );
  });

  it('lists every bad key in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        MAX_CONNECTIONS: '4',
        PORT: 'abc',
        SYMBOLS: 'AAPL,$$$',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const key of ['MAX_CONNECTIONS', 'PORT', 'SYMBOLS', 'LOG_LEVEL', 'DATABASE_URL']) {
      expect(problems).toContain(key);
    }
  });

  it('reads when repeated evictions stop a socket (another client on the key), with checked bounds', () => {
    expect(loadConfig({})).toMatchObject({
      feedEvictionLimit: 2,
      feedEvictionWindowMs: 600_000,
      feedEvictionBackoffMs: 60_000,
    });
    expect(
      loadConfig({
        FEED_EVICTION_LIMIT: '0',
        FEED_EVICTION_WINDOW_MS: '3600000',
        FEED_EVICTION_BACKOFF_MS: '200',
      }),
    ).toMatchObject({
      feedEvictionLimit: 0,
      feedEvictionWindowMs: 3_600_000,
      feedEvictionBackoffMs: 200,
    });
    expect(() =>
      loadConfig({
        FEED_EVICTION_LIMIT: '-1',
        FEED_EVICTION_WINDOW_MS: '5',
        FEED_EVICTION_BACKOFF_MS: 'x',
      }),
    ).toThrow(/FEED_EVICTION_LIMIT[\s\S]*FEED_EVICTION_WINDOW_MS[\s\S]*FEED_EVICTION_BACKOFF_MS/);
  });

  it('never exposes the API key or a database password in what it logs', () => {
    const config = loadConfig({
      MASSIVE_API_KEY: 'sekret-key',
      DATABASE_URL: 'postgres://u:pw123@h/db',
    });
    const logged = JSON.stringify(describeConfig(config));
    expect(logged).not.toContain('sekret-key');
    expect(logged).not.toContain('pw123');
  });
});
