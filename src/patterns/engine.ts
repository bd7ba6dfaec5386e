import type { PatternEvent } from '../domain/pattern-event';
import type { MinuteBar } from '../domain/minute-bar';
import type { TickData } from '../domain/tick';
import { RateLimitedLog, type Logger } from '../logger';
import {
  PATTERN_NAMES,
  PATTERN_VALIDITY_MS,
  safeRatio,
  type PatternMatch,
  type PatternName,
} from './pattern-catalog';
import { RollingWindow } from './ring-buffer';
import type { Candle, CandleContext, CandleRule } from './rules/candle-geometry';
import { SINGLE_CANDLE_RULES } from './rules/single-candle.rules';
import { STREAM_RULES, type StreamContext } from './rules/stream.rules';
import { THREE_CANDLE_RULES } from './rules/three-candle.rules';
import { TWO_CANDLE_RULES } from './rules/two-candle.rules';

/** Receives each detected pattern, synchronously; must be cheap (the sink only enqueues). */
export type PatternEventSink = (event: PatternEvent) => void;

export interface PatternEngineOptions {
  sink: PatternEventSink;
  logger?: Logger;
  /** Per-second ticks per symbol the stream rules look back over. */
  windowSize?: number;
  /** Closed bars kept per symbol for multi-candle rules and trend context. */
  barHistory?: number;
}

/** Counters of the engine itself (the sink counts persistence and publishing). */
export interface PatternEngineStatus {
  detectedByPattern: Record<PatternName, number>;
  ticksEvaluated: number;
  /** Non-`A` events, duplicates and out-of-order seconds: not evaluated. */
  ticksIgnored: number;
  barsEvaluated: number;
  /** Bars at or before the symbol's last evaluated minute (re-closed or out of order). */
  barsIgnored: number;
  /** Exceptions caught inside onTick/onBarClosed or thrown by the sink; never rethrown. */
  errors: number;
  symbols: number;
}

export const DEFAULT_WINDOW_SIZE = 100;
export const DEFAULT_BAR_HISTORY = 5;

/**
 * Confidence and priceChange are stored as `real` (float4). Four decimals survive float4 →
 * text → double unchanged, so the event pushed to subscribers and Redis equals the stored row.
 */
const round4 = (value: number) => Math.round(value * 1e4) / 1e4;

const CANDLE_RULES: readonly CandleRule[] = [
  ...SINGLE_CANDLE_RULES,
  ...TWO_CANDLE_RULES,
  ...THREE_CANDLE_RULES,
];

interface SymbolState {
  readonly window: RollingWindow;
  lastClose: number;
  lastTickStartMs: number;
  /** Oldest first, at most barHistory entries (copies: the aggregator owns its bar objects). */
  readonly bars: Candle[];
  lastBarStartMs: number;
}

/**
 * The pattern engine: per-symbol state, rule dispatch, event construction. Both entry points
 * are synchronous, O(1) per call (fixed windows, a fixed rule list), do no I/O and never throw
 * into the caller: handleTick and the bar aggregator call them inline.
 */
export class PatternEngine {
  private readonly symbols = new Map<string, SymbolState>();
  private readonly sink: PatternEventSink;
  private readonly windowSize: number;
  private readonly barHistory: number;
  private readonly log: RateLimitedLog | null;
  // One reused context: the tick path allocates nothing unless a pattern fires.
  private readonly ctx: StreamContext = {
    open: 0,
    close: 0,
    volume: 0,
    previousClose: Number.NaN,
    windowCount: 0,
    windowVolumeSum: 0,
  };
  private readonly counters: PatternEngineStatus;

  constructor(options: PatternEngineOptions) {
    this.sink = options.sink;
    this.windowSize = options.windowSize ?? DEFAULT_WINDOW_SIZE;
    this.barHistory = Math.max(2, options.barHistory ?? DEFAULT_BAR_HISTORY);
    this.log = options.logger ? new RateLimitedLog(options.logger) : null;
    this.counters = {
      detectedByPattern: Object.fromEntries(PATTERN_NAMES.map((name) => [name, 0])) as Record<
        PatternName,
        number
      >,
      ticksEvaluated: 0,
      ticksIgnored: 0,
      barsEvaluated: 0,
      barsIgnored: 0,
      errors: 0,
      symbols: 0,
    };
  }

  /**
   * Evaluates the stream rules on one per-second aggregate. Never throws. Bound, so it can be
   * passed as a TickListener as is.
   */
  readonly onTick = (tick: TickData): void => {
    try {
      this.evaluateTick(tick);
    } catch (error) {
      this.fail('tick', tick?.symbol, error);
    }
  };

  /** Evaluates the candle rules on one closed minute bar. Never throws. Bound: a BarClosedListener as is. */
  readonly onBarClosed = (bar: MinuteBar): void => {
    try {
      this.evaluateBar(bar);
    } catch (error) {
      this.fail('bar', bar?.symbol, error);
    }
  };

  status(): PatternEngineStatus {
    return {
      ...this.counters,
      detectedByPattern: { ...this.counters.detectedByPattern },
      symbols: this.symbols.size,
    };
  }

  private evaluateTick(tick: TickData): void {
    // Stream rules compare consecutive seconds: minute aggregates (AM) would distort the window.
    if (tick.eventType !== 'A') {
      this.counters.ticksIgnored++;
      return;
    }
    const state = this.stateOf(tick.symbol);
    // A re-delivered or late second would compare against the wrong neighbour and fire twice.
    if (tick.startMs <= state.lastTickStartMs) {
      this.counters.ticksIgnored++;
      return;
    }
    this.counters.ticksEvaluated++;
    const ctx = this.ctx;
    ctx.open = tick.open;
    ctx.close = tick.close;
    ctx.volume = tick.volume;
    ctx.previousClose = state.lastClose;
    ctx.windowCount = state.window.count;
    ctx.windowVolumeSum = state.window.sum;
    for (const rule of STREAM_RULES) {
      const match = rule(ctx);
      if (match !== null) this.emit(tick.symbol, match, tick.close, tick.startMs);
    }
    state.window.push(tick.volume);
    state.lastClose = tick.close;
    state.lastTickStartMs = tick.startMs;
  }

  private evaluateBar(bar: MinuteBar): void {
    const state = this.stateOf(bar.symbol);
    if (bar.minuteStartMs <= state.lastBarStartMs) {
      this.counters.barsIgnored++;
      return;
    }
    this.counters.barsEvaluated++;
    const candle: Candle = {
      open: bar.open,
      high: bar.high,
      low: bar.low,
      close: bar.close,
      volume: bar.volume,
    };
    let priorVolume = 0;
    for (const prior of state.bars) priorVolume += prior.volume;
    const context: CandleContext = {
      bar: candle,
      prior: state.bars,
      relativeVolume: safeRatio(candle.volume, safeRatio(priorVolume, state.bars.length)),
    };
    for (const rule of CANDLE_RULES) {
      const match = rule(context);
      if (match !== null) this.emit(bar.symbol, match, bar.close, bar.minuteStartMs);
    }
    state.bars.push(candle);
    if (state.bars.length > this.barHistory) state.bars.shift();
    state.lastBarStartMs = bar.minuteStartMs;
  }

  private stateOf(symbol: string): SymbolState {
    let state = this.symbols.get(symbol);
    if (state === undefined) {
      state = {
        window: new RollingWindow(this.windowSize),
        lastClose: Number.NaN,
        lastTickStartMs: Number.NEGATIVE_INFINITY,
        bars: [],
        lastBarStartMs: Number.NEGATIVE_INFINITY,
      };
      this.symbols.set(symbol, state);
    }
    return state;
  }

  private emit(symbol: string, match: PatternMatch, price: number, timestampMs: number): void {
    this.counters.detectedByPattern[match.pattern]++;
    const event: PatternEvent = {
      symbol,
      pattern: match.pattern,
      direction: match.direction,
      confidence: round4(match.confidence),
      price,
      priceChange: round4(match.priceChange),
      timestamp: new Date(timestampMs),
      expiresAt: new Date(timestampMs + PATTERN_VALIDITY_MS[match.pattern]),
      indicators: match.indicators,
      source: 'tickstock',
    };
    try {
      this.sink(event);
    } catch (error) {
      this.fail('sink', symbol, error);
    }
  }

  private fail(stage: 'tick' | 'bar' | 'sink', symbol: unknown, error: unknown): void {
    this.counters.errors++;
    this.log?.warn(
      `pattern-engine:${stage}`,
      {
        stage,
        symbol: typeof symbol === 'string' ? symbol : null,
        err: error,
        errors: this.counters.errors,
      },
      'pattern engine error (input skipped; ingest unaffected)',
    );
  }
}
