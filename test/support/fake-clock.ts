import type { Clock, TimerHandle } from '../../src/sync/clock.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/** Lets promise callbacks and I/O callbacks queued so far run. */
export async function flushAsync(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A clock that only moves when told to. Timers due at the same time fire in the order they were
 * set. `advance` lets async work started by a timer settle before the next timer fires; `tick` is
 * the synchronous variant for code without promises.
 */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  clearTimeout(handle: TimerHandle): void {
    handle();
  }

  /** Timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order and settling async work after each. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    await flushAsync();
    for (let next = this.nextDue(until); next !== undefined; next = this.nextDue(until)) {
      this.fire(next);
      await flushAsync();
    }
    this.time = until;
    await flushAsync();
  }

  /** Synchronous `advance`: fires due timers without waiting for promises in between. */
  tick(ms: number): void {
    const until = this.time + ms;
    for (let next = this.nextDue(until); next !== undefined; next = this.nextDue(until)) this.fire(next);
    this.time = until;
  }

  private nextDue(until: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) {
      if (t.at > until) continue;
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }

  private fire(timer: Timer): void {
    this.timers = this.timers.filter((t) => t !== timer);
    this.time = Math.max(this.time, timer.at);
    timer.callback();
  }
}
