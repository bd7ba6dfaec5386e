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
