import { redactUrl } from '../../config';
import type { Logger } from '../../logger';
import { backoffDelay, parseRetryAfter } from '../../lib/backoff';
import type { BackfillClientStatus, BackfillClientTuning } from './backfill-options';
import { BackfillClosedError, BackfillRequestError } from './errors';
import type { RequestLimiter } from './request-limiter';

/** One page of the REST aggregates endpoint, unvalidated. */
export interface AggregatesPage {
  status?: unknown;
  results?: unknown;
  next_url?: unknown;
  error?: unknown;
  message?: unknown;
}

export interface AggregatesRequestDeps {
  tuning: BackfillClientTuning;
  limiter: RequestLimiter;
  /** Aborts in-flight requests and retry waits (the client closed). */
  signal: AbortSignal;
  apiKey: string;
  log: Logger;
  random: () => number;
  /** The client's counters this updates. */
  counters: Pick<BackfillClientStatus, 'requests' | 'retries' | 'lastRequestAt'>;
}

/**
 * GETs one aggregates page under the shared rate limit, retrying 429/5xx/network errors with
 * capped jittered backoff (or the server's Retry-After); anything else fails at once. The API
 * key never reaches an error message.
 */
export class AggregatesRequest {
  constructor(private readonly deps: AggregatesRequestDeps) {}

  async get(url: string): Promise<AggregatesPage> {
    const { tuning, limiter, signal, counters } = this.deps;
    const safeUrl = redactUrl(url);
    for (let attempt = 1; ; attempt++) {
      await limiter.acquire();
      let retryAfterMs: number | null = null;
      let failure: BackfillRequestError;
      try {
        counters.requests++;
        counters.lastRequestAt = new Date().toISOString();
        const response = await fetch(url, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.any([signal, AbortSignal.timeout(tuning.requestTimeoutMs)]),
        });
        if (response.ok) {
          const body = (await response.json()) as AggregatesPage;
          if (body.status === 'OK' || body.status === 'DELAYED') return body;
          throw new BackfillRequestError(
            `unexpected status "${this.describeBody(body)}"`,
            response.status,
            safeUrl,
          );
        }
        const text = await response.text().catch(() => '');
        failure = new BackfillRequestError(
          `HTTP ${response.status}${text ? `: ${this.redactKey(text.slice(0, 200))}` : ''}`,
          response.status,
          safeUrl,
        );
        if (response.status !== 429 && response.status < 500) throw failure;
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      } catch (error) {
        if (signal.aborted) throw new BackfillClosedError();
        if (
          error instanceof BackfillRequestError &&
          (error.status === null || error.status < 500) &&
          error.status !== 429
        ) {
          throw error;
        }
        failure =
          error instanceof BackfillRequestError
            ? error
            : new BackfillRequestError(
                `request failed: ${error instanceof Error ? error.message : String(error)}`,
                null,
                safeUrl,
                { cause: error },
              );
      } finally {
        limiter.release();
      }
      if (attempt >= tuning.maxAttempts) {
        throw new BackfillRequestError(
          `gave up after ${attempt} attempts: ${failure.message}`,
          failure.status,
          safeUrl,
          { cause: failure },
        );
      }
      const delay =
        retryAfterMs !== null
          ? Math.min(retryAfterMs, tuning.maxRetryAfterMs)
          : backoffDelay(tuning.retryBackoff, attempt - 1, this.deps.random);
      counters.retries++;
      this.deps.log.info(
        { url: safeUrl, attempt, delayMs: delay, status: failure.status },
        'backfill request retry',
      );
      await this.sleep(delay);
    }
  }

  private describeBody(body: AggregatesPage): string {
    const parts = [body.status, body.error, body.message].filter(
      (p): p is string => typeof p === 'string',
    );
    return this.redactKey(parts.join(': ').slice(0, 200));
  }

  private redactKey(text: string): string {
    const { apiKey } = this.deps;
    return apiKey ? text.split(apiKey).join('***') : text;
  }

  private sleep(ms: number): Promise<void> {
    const { signal } = this.deps;
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(new BackfillClosedError());
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new BackfillClosedError());
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
