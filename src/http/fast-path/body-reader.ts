import express, { type RequestHandler } from 'express';
import type { IncomingMessage } from 'node:http';

/** Bodies read by the fast path before handing a request on to Express (see jsonBody). */
const preRead = new WeakMap<IncomingMessage, Buffer>();

/**
 * The body's length when the fast path may read it itself: a JSON body (utf-8, no content
 * coding) of declared length within `limit`. Anything else is left to body-parser untouched,
 * so every refusal (413, 415, chunked bodies) stays its own.
 */
export function plainJsonLength(req: IncomingMessage, limit: number): number | null {
  const { headers } = req;
  if (headers['content-encoding'] !== undefined || headers['transfer-encoding'] !== undefined)
    return null;
  const type = headers['content-type']?.toLowerCase().replace(/\s+/g, '');
  if (type !== 'application/json' && type !== 'application/json;charset=utf-8') return null;
  const length = Number(headers['content-length']);
  return Number.isInteger(length) && length > 0 && length <= limit ? length : null;
}

/** Reads exactly `length` bytes; null when the request broke off. */
export function readBody(
  req: IncomingMessage,
  length: number,
  done: (body: Buffer | null) => void,
): void {
  const chunks: Buffer[] = [];
  let received = 0;
  let finished = false;
  const finish = (body: Buffer | null) => {
    if (finished) return;
    finished = true;
    req.off('data', onData);
    done(body);
  };
  const onData = (chunk: Buffer) => {
    chunks.push(chunk);
    received += chunk.length;
  };
  req.on('data', onData);
  req.once('end', () => {
    if (received !== length) finish(null);
    else finish(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
  });
  req.once('error', () => finish(null));
  req.once('close', () => finish(null));
}

/** Hands a body the fast path read on to jsonBody (the request stream is used up). */
export function keepBody(req: IncomingMessage, body: Buffer): void {
  preRead.set(req, body);
}

const decoder = new TextDecoder('utf-8');

/** body-parser's error shape (status + type), which jsonErrorHandler answers 400. */
function parseFailed(message: string, body: string): Error {
  return Object.assign(new SyntaxError(message), {
    status: 400,
    statusCode: 400,
    expose: true,
    type: 'entity.parse.failed',
    body,
  });
}

/**
 * `express.json({ limit })`, except for a body the fast path already read: that one is parsed
 * as body-parser's strict mode does (utf-8 without BOM; empty → {}; only an object or array).
 */
export function jsonBody(limit: number): RequestHandler {
  const parser = express.json({ limit });
  return (req, res, next) => {
    const body = preRead.get(req);
    if (body === undefined) {
      parser(req, res, next);
      return;
    }
    preRead.delete(req);
    const text = decoder.decode(body);
    // Any other leading space fails JSON.parse below: the same 400 either way.
    const first = text.trimStart().charAt(0);
    if (text.length === 0) req.body = {};
    else if (first !== '{' && first !== '[') {
      next(parseFailed('Unexpected token in JSON', text));
      return;
    } else {
      try {
        req.body = JSON.parse(text) as unknown;
      } catch (error) {
        next(parseFailed((error as Error).message, text));
        return;
      }
    }
    next();
  };
}
