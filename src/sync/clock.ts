/**
 * Time, injected so tests control it. A timer handle is a function that cancels the timer, so a
 * `Clock` is also a valid `src/k8s/informer-clock.ts` clock (whose `setTimeout` returns a canceller).
 */
export type TimerHandle = () => void;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once after `ms`; the handle cancels it (as `clearTimeout(handle)` does). */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
  clearTimeout: (handle) => handle(),
};
