import WebSocket from 'ws';

const noop = (): void => undefined;

/** The text of one frame, whatever shape `ws` delivered it in. */
export function frameText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

/** Detaches every handler and kills the socket at once (a session that ended). */
export function discardSocket(ws: WebSocket): void {
  ws.removeAllListeners();
  ws.on('error', noop);
  ws.terminate();
}

/** Detaches every handler and closes the socket: close handshake, terminated after `graceMs`. */
export async function closeSocket(ws: WebSocket, graceMs: number): Promise<void> {
  ws.removeAllListeners();
  ws.on('error', noop);
  if (ws.readyState === WebSocket.CLOSED) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, graceMs);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(1000, 'client closing');
  });
}

/** What a Massive session does with its socket's events. */
export interface SocketHandlers {
  open(): void;
  message(data: WebSocket.RawData): void;
  pong(): void;
  error(error: Error): void;
  /** `detail` is the close code and reason as text, for logs and status. */
  close(detail: string): void;
}

/** Dials `url` (no compression, `handshakeTimeoutMs` for the HTTP upgrade) and wires `handlers`. */
export function openSocket(
  url: string,
  handshakeTimeoutMs: number,
  handlers: SocketHandlers,
): WebSocket {
  const ws = new WebSocket(url, { handshakeTimeout: handshakeTimeoutMs, perMessageDeflate: false });
  ws.on('open', () => handlers.open());
  ws.on('message', (data: WebSocket.RawData) => handlers.message(data));
  ws.on('pong', () => handlers.pong());
  ws.on('error', (error: Error) => handlers.error(error));
  ws.on('close', (code: number, reason: Buffer) => {
    const text = reason.toString('utf8');
    handlers.close(`code ${code}${text ? `: ${text}` : ''}`);
  });
  return ws;
}
