/**
 * Synchronous listeners of one kind (tick listeners, bar-closed listeners). A listener that
 * throws is counted and reported to `onError`, never propagated: a faulty consumer (the pattern
 * engine) must not stop ticks from being counted or bars from being built.
 */
export class ListenerSet<T> {
  private readonly listeners: ((value: T) => void)[];
  private thrown = 0;

  constructor(
    listeners: readonly ((value: T) => void)[] = [],
    private readonly onError?: (error: unknown, value: T) => void,
  ) {
    this.listeners = [...listeners];
  }

  get size(): number {
    return this.listeners.length;
  }

  /** Calls that threw, since construction. */
  get errors(): number {
    return this.thrown;
  }

  add(listener: (value: T) => void): void {
    this.listeners.push(listener);
  }

  /** Calls every listener in order; nothing is allocated per call. */
  emit(value: T): void {
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i](value);
      } catch (error) {
        this.thrown++;
        this.onError?.(error, value);
      }
    }
  }
}
