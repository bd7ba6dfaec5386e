/**
 * The Massive (ex-Polygon) WebSocket protocol, as plain functions: frame text → typed messages,
 * and the client/server message builders. No I/O; shared by the client and the simulator.
 *
 * Wire facts (checked against polygon-io/client-go `websocket/polygon.go` and client-python
 * `polygon/websocket/__init__.py`): every server frame is a JSON array of events; control
 * messages are `{"ev":"status","status":…,"message":…}` with statuses `connected`,
 * `auth_success`, `auth_failed`, `success` (subscription acks), `error` and `max_connections`;
 * the client sends `{"action":"auth","params":KEY}` and
 * `{"action":"subscribe","params":"A.AAPL,A.MSFT"}` (or `A.*`).
 */
import { fromAggregate, type TickValidationOptions } from '../tick-validation';
import { type AggregateEventType, type RejectReason, type TickData } from '../../domain/tick';

/** Known status values; others are passed through as strings. */
export type KnownStatus =
  | 'connected'
  | 'auth_success'
  | 'auth_failed'
  | 'success'
  | 'error'
  | 'max_connections'
  | DisconnectWarning;

/**
 * Statuses with which Massive announces that it is closing the socket (or warns it will):
 * `slow_consumer` (the client reads too slowly), `force_disconnect` (the server ended it),
 * `auth_timeout` (no auth in time). Not fatal: the client reconnects.
 */
export type DisconnectWarning = 'slow_consumer' | 'force_disconnect' | 'auth_timeout';

export interface StatusMessage {
  status: KnownStatus | (string & {});
  message: string;
}

export interface FrameReject {
  reason: RejectReason;
  detail: string;
}

/** One frame, parsed. `statuses`/`rejects` share a frozen empty array when there are none. */
export interface ParsedFrame {
  events: TickData[];
  statuses: readonly StatusMessage[];
  rejects: readonly FrameReject[];
  /** Data elements in the frame (valid or not), i.e. everything but status messages. */
  dataCount: number;
}

export type ParseOptions = TickValidationOptions;

const NONE: readonly never[] = Object.freeze([]);

function frameReject(reason: RejectReason, detail: string): ParsedFrame {
  return { events: [], statuses: NONE, rejects: [{ reason, detail }], dataCount: 1 };
}

/**
 * Parses one server frame. Never throws: anything wrong becomes a reject with its reason.
 * One `JSON.parse` per frame; per event only the TickData (and a reject entry for bad ones).
 */
export function parseFrame(text: string, options: ParseOptions): ParsedFrame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return frameReject('malformed_json', text.slice(0, 80));
  }
  if (!Array.isArray(parsed)) return frameReject('not_an_array', typeof parsed);

  const events: TickData[] = [];
  let statuses: StatusMessage[] | null = null;
  let rejects: FrameReject[] | null = null;
  let dataCount = 0;
  for (let i = 0; i < parsed.length; i++) {
    const element: unknown = parsed[i];
    if (typeof element !== 'object' || element === null || Array.isArray(element)) {
      dataCount++;
      (rejects ??= []).push({
        reason: 'not_an_object',
        detail: element === null ? 'null' : typeof element,
      });
      continue;
    }
    const raw = element as Record<string, unknown>;
    const ev = raw.ev;
    if (ev === 'status') {
      const status = typeof raw.status === 'string' ? raw.status : '';
      const message = typeof raw.message === 'string' ? raw.message : '';
      (statuses ??= []).push({ status, message });
      continue;
    }
    dataCount++;
    let eventType: AggregateEventType;
    if (ev === 'A') eventType = 'A';
    else if (ev === 'AM') eventType = 'AM';
    else {
      const detail = ev === undefined ? 'no ev' : JSON.stringify(ev).slice(0, 20);
      (rejects ??= []).push({
        reason: ev === undefined ? 'missing_field' : 'unknown_event',
        detail,
      });
      continue;
    }
    const result = fromAggregate(raw, eventType, options);
    if (result.ok) events.push(result.tick);
    else (rejects ??= []).push({ reason: result.reason, detail: result.detail });
  }
  return { events, statuses: statuses ?? NONE, rejects: rejects ?? NONE, dataCount };
}

/** `{"action":"auth","params":KEY}`. The result contains the key: never log it. */
export function authMessage(apiKey: string): string {
  return JSON.stringify({ action: 'auth', params: apiKey });
}

/** Channel list for `symbols` (`['*']` → `A.*`). */
export function subscriptionParams(
  symbols: readonly string[],
  prefix: AggregateEventType = 'A',
): string {
  return symbols.map((symbol) => `${prefix}.${symbol}`).join(',');
}

export function subscribeMessage(
  symbols: readonly string[],
  prefix: AggregateEventType = 'A',
): string {
  return JSON.stringify({ action: 'subscribe', params: subscriptionParams(symbols, prefix) });
}

export function unsubscribeMessage(
  symbols: readonly string[],
  prefix: AggregateEventType = 'A',
): string {
  return JSON.stringify({ action: 'unsubscribe', params: subscriptionParams(symbols, prefix) });
}

/**
 * Subscribe messages in chunks of `chunkSize` symbols, so a 10,000-symbol set does not become
 * one huge frame the server may refuse.
 */
export function subscribeMessages(
  symbols: readonly string[],
  chunkSize: number,
  prefix: AggregateEventType = 'A',
): string[] {
  if (!(chunkSize >= 1)) throw new RangeError(`chunkSize must be >= 1 (got ${chunkSize})`);
  const messages: string[] = [];
  for (let i = 0; i < symbols.length; i += chunkSize) {
    messages.push(subscribeMessage(symbols.slice(i, i + chunkSize), prefix));
  }
  return messages;
}

/** A client → server message, as the simulator reads it. */
export interface ClientAction {
  action: 'auth' | 'subscribe' | 'unsubscribe' | (string & {});
  params: string;
}

/** Parses a client message; null when it is not `{action: string, params: string}`. */
export function parseClientAction(text: string): ClientAction | null {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { action, params } = parsed as Record<string, unknown>;
    if (typeof action !== 'string' || typeof params !== 'string') return null;
    return { action, params };
  } catch {
    return null;
  }
}

/** Splits `"A.AAPL, A.MSFT"` into `[{prefix:'A', symbol:'AAPL'}, …]`; malformed entries are skipped. */
export function parseChannels(params: string): { prefix: string; symbol: string }[] {
  const channels: { prefix: string; symbol: string }[] = [];
  for (const part of params.split(',')) {
    const trimmed = part.trim();
    const dot = trimmed.indexOf('.');
    if (dot <= 0 || dot === trimmed.length - 1) continue;
    channels.push({ prefix: trimmed.slice(0, dot), symbol: trimmed.slice(dot + 1) });
  }
  return channels;
}

/** A server frame carrying one status message. */
export function statusFrame(status: KnownStatus | (string & {}), message: string): string {
  return JSON.stringify([{ ev: 'status', status, message }]);
}
