import type { Clock } from './informer-clock.js';

export interface Watchdog {
  /** Records activity (any event, bookmarks included). */
  touch(): void;
  cancel(): void;
}

/**
 * Calls `onSilent` once when `touch` has not been called for `silenceMs`. One timer at a time: when
 * it fires early (there was activity), it re-arms for the remainder.
 */
export function startWatchdog(clock: Clock, silenceMs: number, onSilent: (idleMs: number) => void): Watchdog {
  let lastActivity = clock.now();
  let cancelTimer = (): void => undefined;
  const arm = (ms: number): void => {
    cancelTimer = clock.setTimeout(() => {
      const idle = clock.now() - lastActivity;
      if (idle < silenceMs) arm(silenceMs - idle);
      else onSilent(idle);
    }, ms);
  };
  arm(silenceMs);
  return {
    touch: () => {
      lastActivity = clock.now();
    },
    cancel: () => cancelTimer(),
  };
}
