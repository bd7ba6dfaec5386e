/**
 * The soak's database: a scratch PostgreSQL database reached through a TCP proxy (so the drill
 * can cut it), or, when PostgreSQL is not reachable, PGlite on a temp dir. Bars are read back
 * straight from the database, not through the proxy, after the app has stopped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { openDatabase } from '../ormconfig';
import { createScratchDatabase, type ScratchDatabase } from '../testkit/scratch-database';
import { readStoredBars } from '../testkit/stored-bars';
import { TcpProxy } from '../testkit/tcp-proxy';

export class SoakDatabase {
  private constructor(
    /** DATABASE_URL for the app (through the proxy on PostgreSQL). */
    readonly appUrl: string,
    readonly scratch: ScratchDatabase | null,
    readonly proxy: TcpProxy | null,
    readonly pgliteDir: string | null,
  ) {}

  static async open(adminUrl: string, usePostgres: boolean): Promise<SoakDatabase> {
    if (!usePostgres) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'tickstock-soak-'));
      return new SoakDatabase(`pglite://${dir}`, null, null, dir);
    }
    const scratch = await createScratchDatabase(adminUrl, 'tickstock_soak');
    const target = new URL(scratch.url);
    const proxy = await TcpProxy.start(target.hostname || '127.0.0.1', Number(target.port || 5432));
    target.hostname = '127.0.0.1';
    target.port = String(proxy.port);
    return new SoakDatabase(target.toString(), scratch, proxy, null);
  }

  get kind(): 'postgres' | 'pglite' {
    return this.scratch === null ? 'pglite' : 'postgres';
  }

  describe(): string {
    return this.scratch !== null && this.proxy !== null
      ? `PostgreSQL ${this.scratch.name} via TCP proxy :${this.proxy.port}`
      : `PGlite ${this.pgliteDir}`;
  }

  /** Every stored bar, read directly (not through the proxy); call after the app stopped. */
  async readAllBars() {
    if (this.scratch !== null) {
      const client = new Client({ connectionString: this.scratch.url });
      await client.connect();
      try {
        return await readStoredBars(async (sql) => (await client.query(sql)).rows as unknown[]);
      } finally {
        await client.end();
      }
    }
    const dataSource = await openDatabase({ kind: 'pglite', dataDir: this.pgliteDir });
    try {
      return await readStoredBars((sql) => dataSource.query<unknown[]>(sql));
    } finally {
      await dataSource.destroy();
    }
  }

  async close(): Promise<void> {
    await this.proxy?.close();
    await this.scratch?.drop();
    if (this.pgliteDir !== null) rmSync(this.pgliteDir, { recursive: true, force: true });
  }
}
