/** Time, injected so tests control it. `setTimeout` returns a function that cancels the timer. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): () => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      cancel();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const cancel = clock.setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export interface BackoffOptions {
  /** Delay before the first retry. Default 800 ms (client-go's reflector). */
  readonly initialMs?: number;
  /** Upper bound of any delay. Default 30 s. */
  readonly maxMs?: number;
  /** Growth per consecutive failure. Default 2. */
  readonly factor?: number;
  /** Fraction of the delay that is random, 0..1: delay is base * (1 - jitter * random()). Default 0.5. */
  readonly jitter?: number;
}

/** The delay before retry number `attempt` (1 = first retry after a failure). Pure. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const { initialMs = 800, maxMs = 30_000, factor = 2, jitter = 0.5 } = options;
  const base = Math.min(maxMs, initialMs * factor ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - jitter * random()));
}
