import pino, { type Logger } from 'pino';
import type { LogLevel } from './config';

export type { Logger };

/** Structured JSON logs; secrets are redacted by path wherever they might appear. */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({
    level,
    base: { service: 'tickstock' },
    redact: {
      paths: [
        'apiKey',
        'params',
        '*.apiKey',
        '*.params',
        'config.massiveApiKey',
        'headers.authorization',
      ],
      censor: '***',
    },
  });
}

/** A logger for tests and benches: silent unless LOG_LEVEL asks otherwise. */
export function createQuietLogger(): Logger {
  return createLogger((process.env.TEST_LOG_LEVEL as LogLevel | undefined) ?? 'silent');
}

/**
 * Logs at most once per interval for a given key, counting what it suppressed, so a hot path
 * (a flood of malformed frames) cannot flood the log.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
  ) {}

  warn(key: string, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    const entry = this.last.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    this.logger.warn({ ...fields, suppressed: entry?.suppressed ?? 0 }, message);
    this.last.set(key, { at: now, suppressed: 0 });
  }
}
