import type { ConnectionStatus } from '../../domain/status';
import { MassiveConnection, type MassiveConnectionOptions } from './connection';
import { MassivePoolConfigError } from './errors';

export const MAX_POOL_CONNECTIONS = 3;

export interface MassivePoolOptions extends Omit<MassiveConnectionOptions, 'id' | 'symbols'> {
  /** The whole universe (`['*']` = everything, which only one socket can carry). */
  symbols: readonly string[];
  /** Sockets to open, 1..3 (fewer are opened when there are fewer symbols than sockets). */
  connections: number;
}

/**
 * Splits symbols into `parts` disjoint sets: deduplicated, sorted, dealt round-robin. Sorting
 * first makes the split stable whatever order the list came in; dealing keeps the sets within
 * one symbol of each other in size. Never returns an empty set.
 */
export function splitSymbols(symbols: readonly string[], parts: number): string[][] {
  if (!Number.isInteger(parts) || parts < 1 || parts > MAX_POOL_CONNECTIONS) {
    throw new MassivePoolConfigError(
      `connections must be an integer in 1..${MAX_POOL_CONNECTIONS} (got ${parts})`,
    );
  }
  const unique = [...new Set(symbols)].sort();
  if (unique.includes('*')) {
    if (unique.length > 1) {
      throw new MassivePoolConfigError('symbols: "*" cannot be combined with explicit symbols');
    }
    if (parts > 1) {
      throw new MassivePoolConfigError(
        `symbols "*" subscribes to everything on one socket; it cannot be split over ${parts} connections (use MAX_CONNECTIONS=1 or list the symbols)`,
      );
    }
    return [['*']];
  }
  if (unique.length === 0) throw new MassivePoolConfigError('symbols must not be empty');
  const sets: string[][] = Array.from({ length: Math.min(parts, unique.length) }, () => []);
  unique.forEach((symbol, index) => sets[index % sets.length].push(symbol));
  return sets;
}

/**
 * 1..3 Massive sockets over disjoint symbol sets, so no event arrives twice. Every socket
 * reports to the same FeedListener (ticks are ticks, whichever socket carried them).
 */
export class MassivePool {
  readonly connections: readonly MassiveConnection[];

  constructor(options: MassivePoolOptions) {
    const sets = splitSymbols(options.symbols, options.connections);
    this.connections = sets.map(
      (symbols, index) => new MassiveConnection({ ...options, id: index + 1, symbols }),
    );
  }

  start(): void {
    for (const connection of this.connections) connection.start();
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((connection) => connection.close()));
  }

  /** The status snapshot's part: the shared ConnectionStatus of each socket, in socket order. */
  status(): ConnectionStatus[] {
    return this.connections.map((connection) => sharedStatus(connection.status()));
  }

  /** True when every socket is live. */
  allLive(): boolean {
    return this.connections.every((connection) => connection.status().state === 'live');
  }
}

/** The ConnectionStatus fields only: a socket's retry counters stay out of the snapshot. */
function sharedStatus(s: ConnectionStatus): ConnectionStatus {
  return {
    id: s.id,
    state: s.state,
    symbolCount: s.symbolCount,
    connectedSince: s.connectedSince,
    lastMessageAgeMs: s.lastMessageAgeMs,
    messagesReceived: s.messagesReceived,
    reconnects: s.reconnects,
    lastDisconnectReason: s.lastDisconnectReason,
    lastError: s.lastError,
    fatalError: s.fatalError,
  };
}
