import { SYMBOL_PATTERN } from '../domain/symbol';

export interface BackfillArgs {
  symbols: string[];
  from: string;
  to: string;
  /** REST requests per second (the client's limiter). */
  requestsPerSecond: number;
  /** Resume state file. */
  statePath: string;
}

/** A bad command line; the message says what to change. */
export class BackfillArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackfillArgsError';
  }
}

export const BACKFILL_USAGE =
  'usage: npm run backfill -- --symbols AAPL,MSFT --from 2025-11-03 --to 2025-11-28 [--rps 5] [--state .backfill-state.json]';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Parses `--name value` pairs (pure). */
export function parseBackfillArgs(argv: readonly string[]): BackfillArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (!name.startsWith('--') || value === undefined || value.startsWith('--'))
      throw new BackfillArgsError(
        `expected "--name value" pairs near "${name}"\n${BACKFILL_USAGE}`,
      );
    values.set(name.slice(2), value);
  }
  for (const name of values.keys())
    if (!['symbols', 'from', 'to', 'rps', 'state'].includes(name))
      throw new BackfillArgsError(`unknown option --${name}\n${BACKFILL_USAGE}`);
  const symbols = (values.get('symbols') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (symbols.length === 0) throw new BackfillArgsError(`--symbols is required\n${BACKFILL_USAGE}`);
  const bad = symbols.filter((s) => !SYMBOL_PATTERN.test(s));
  if (bad.length > 0) throw new BackfillArgsError(`not valid tickers: ${bad.join(', ')}`);
  const from = values.get('from') ?? '';
  const to = values.get('to') ?? '';
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const)
    if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
      throw new BackfillArgsError(
        `--${name} must be a YYYY-MM-DD New York date\n${BACKFILL_USAGE}`,
      );
  if (from > to) throw new BackfillArgsError('--from must not be after --to');
  const rps = Number(values.get('rps') ?? '5');
  if (!Number.isFinite(rps) || rps <= 0 || rps > 100)
    throw new BackfillArgsError('--rps must be a number in (0, 100]');
  return {
    symbols: [...new Set(symbols)],
    from,
    to,
    requestsPerSecond: rps,
    statePath: values.get('state') ?? `.backfill-${from}-${to}.json`,
  };
}
