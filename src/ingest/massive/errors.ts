/**
 * One named error per failure of the Massive client. Messages never contain the API key: URLs
 * are passed through `redactUrl` before they reach a message.
 */

/** Base class, so callers can tell feed failures from everything else. */
export class MassiveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The server answered `auth_failed`: fatal for that socket, retrying would only be refused again. */
export class MassiveAuthError extends MassiveError {
  constructor(readonly serverMessage: string) {
    super(`Massive rejected the API key (auth_failed: "${serverMessage}"); check MASSIVE_API_KEY`);
  }
}

/** The server answered `max_connections`: the key already has as many sockets as its plan allows. */
export class MassiveMaxConnectionsError extends MassiveError {
  constructor(readonly serverMessage: string) {
    super(
      `Massive refused the socket (max_connections: "${serverMessage}"); another process may use the same key, or MAX_CONNECTIONS exceeds the plan`,
    );
  }
}

/**
 * Massive evicted this socket again and again (`max_connections`): another client uses the same
 * key (Massive serves one socket per key and evicts the oldest), and reconnecting would only
 * evict that one in turn. Fatal for this socket, so the two stop flapping.
 */
export class MassiveKeyInUseError extends MassiveError {
  constructor(
    readonly evictions: number,
    readonly windowMs: number,
    readonly serverMessage: string,
  ) {
    super(
      `another client is using this key: Massive evicted this socket ${evictions} times within ${Math.round(windowMs / 60_000)} min (max_connections: "${serverMessage}"); stopped reconnecting so the two stop evicting each other. Stop the other client or give it its own key (or lower MAX_CONNECTIONS to the plan's limit), then restart`,
    );
  }
}

/** The socket did not reach `live` (connected → auth → subscribed) in time. */
export class MassiveConnectTimeoutError extends MassiveError {
  constructor(
    readonly timeoutMs: number,
    readonly stage: string,
  ) {
    super(`Massive socket did not become live within ${timeoutMs} ms (stuck while ${stage})`);
  }
}

/** The socket stopped answering pings or stopped delivering data. */
export class MassiveHeartbeatError extends MassiveError {
  constructor(
    readonly kind: 'missed_pongs' | 'no_data',
    readonly detail: string,
  ) {
    super(`Massive socket heartbeat failed (${kind}: ${detail})`);
  }
}

/** The transport failed (DNS, TCP, TLS, HTTP upgrade, abrupt close). */
export class MassiveSocketError extends MassiveError {}

/** The pool was configured in a way that cannot work (e.g. `*` over several sockets). */
export class MassivePoolConfigError extends MassiveError {}

/** A REST aggregates request failed for good (non-retryable status, or retries exhausted). */
export class BackfillRequestError extends MassiveError {
  constructor(
    message: string,
    /** HTTP status, or null for a network error / timeout. */
    readonly status: number | null,
    /** Request URL with the API key redacted. */
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The backfill client was closed while a request was pending. */
export class BackfillClosedError extends MassiveError {
  constructor() {
    super('Backfill client closed');
  }
}
