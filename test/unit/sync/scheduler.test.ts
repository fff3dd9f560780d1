import { expect } from 'chai';
import { SyncScheduler, type SchedulerOptions, type SyncKind } from '../../../src/sync/scheduler.js';
import { FakeClock, flushAsync } from '../../support/fake-clock.js';

interface Call {
  readonly kind: SyncKind;
  readonly reasons: readonly string[];
  readonly at: number;
}

interface Harness {
  readonly clock: FakeClock;
  readonly scheduler: SyncScheduler;
  readonly calls: Call[];
  readonly abort: AbortController;
  /** Makes the next `n` syncs reject. */
  failNext(n: number): void;
  /** Elapsed fake ms since the harness was built. */
  t(call: Call | undefined): number;
}

function harness(overrides: Partial<SchedulerOptions> = {}, sync?: SchedulerOptions['sync']): Harness {
  const clock = new FakeClock();
  const t0 = clock.now();
  const calls: Call[] = [];
  let failures = 0;
  const scheduler = new SyncScheduler({
    minSyncPeriodMs: 1000,
    syncPeriodMs: 30_000,
    clock,
    sync: async (kind, reasons) => {
      calls.push({ kind, reasons, at: clock.now() });
      if (sync !== undefined) await sync(kind, reasons);
      if (failures > 0) {
        failures--;
        throw new Error('iptables-restore failed');
      }
    },
    ...overrides,
  });
  const abort = new AbortController();
  return {
    clock,
    scheduler,
    calls,
    abort,
    failNext: (n) => {
      failures = n;
    },
    t: (call) => (call === undefined ? NaN : call.at - t0),
  };
}

function started(h: Harness): Harness {
  h.scheduler.start(h.abort.signal);
  h.scheduler.ready();
  return h;
}

describe('SyncScheduler', () => {
  afterEach(async () => {
    await flushAsync();
  });

  it('does not sync before ready, then runs one full sync', async () => {
    const h = harness();
    h.scheduler.start(h.abort.signal);
    h.scheduler.markDirty('service added');
    await h.clock.advance(60_000);
    expect(h.calls).to.have.length(0);
    expect(h.scheduler.state().lastQueuedAt).to.equal(h.clock.now() - 60_000);

    h.scheduler.ready();
    await h.clock.advance(0);
    expect(h.calls).to.have.length(1);
    expect(h.calls[0]!.kind).to.equal('full');
    expect(h.calls[0]!.reasons).to.include.members(['initial sync', 'service added']);
    expect(h.scheduler.state()).to.include({ lastQueuedAt: undefined, lastSyncOk: true, pending: false });
    h.abort.abort();
  });

  it('does not sync before start, even when ready', async () => {
    const h = harness();
    h.scheduler.ready();
    h.scheduler.markDirty('x');
    await h.clock.advance(10_000);
    expect(h.calls).to.have.length(0);
    expect(h.clock.pendingTimers).to.equal(0);
  });

  it('coalesces many events into one partial sync', async () => {
    const h = started(harness());
    await h.clock.advance(5000);
    expect(h.calls).to.have.length(1);
    for (let i = 0; i < 100; i++)
      h.scheduler.markDirty(i % 2 === 0 ? 'endpoints changed' : 'service changed');
    await h.clock.advance(0);
    expect(h.calls).to.have.length(2);
    expect(h.calls[1]!.kind).to.equal('partial');
    expect([...h.calls[1]!.reasons].sort()).to.deep.equal(['endpoints changed', 'service changed']);
    await h.clock.advance(60_000);
    expect(h.calls).to.have.length(2);
    h.abort.abort();
  });

  it('starts syncs at least minSyncPeriod apart', async () => {
    const h = started(harness({ minSyncPeriodMs: 1000 }));
    await h.clock.advance(0);
    expect(h.t(h.calls[0])).to.equal(0);
    h.scheduler.markDirty('a');
    await h.clock.advance(400);
    h.scheduler.markDirty('b');
    await h.clock.advance(500);
    expect(h.calls).to.have.length(1);
    await h.clock.advance(100);
    expect(h.calls).to.have.length(2);
    expect(h.t(h.calls[1])).to.equal(1000);
    expect(h.calls[1]!.reasons).to.deep.equal(['a', 'b']);
    h.abort.abort();
  });

  it('runs a full sync every fullSyncPeriod', async () => {
    const h = started(harness({ fullSyncPeriodMs: 3_600_000 }));
    await h.clock.advance(0);
    await h.clock.advance(1_800_000);
    h.scheduler.markDirty('a');
    await h.clock.advance(1_800_000);
    expect(h.calls.map((c) => [c.kind, h.t(c)])).to.deep.equal([
      ['full', 0],
      ['partial', 1_800_000],
      ['full', 3_600_000],
    ]);
    expect(h.calls[2]!.reasons).to.deep.equal(['periodic full resync']);
    await h.clock.advance(3_600_000);
    expect(h.calls).to.have.length(4);
    expect(h.calls[3]!.kind).to.equal('full');
    h.abort.abort();
  });

  it('retries a failed sync with doubling backoff up to syncPeriod, the retry being full', async () => {
    const h = started(harness({ retryInitialMs: 1000, syncPeriodMs: 5000 }));
    await h.clock.advance(0);
    h.failNext(5);
    h.scheduler.markDirty('endpoints changed');
    await h.clock.advance(1000);
    expect(h.calls[1]!.kind).to.equal('partial');
    expect(h.scheduler.state()).to.include({ lastSyncOk: false, consecutiveFailures: 1, pending: true });
    await h.clock.advance(20_000);
    const gaps = h.calls.slice(1).map((c, i, all) => (i === 0 ? 0 : c.at - all[i - 1]!.at));
    expect(gaps).to.deep.equal([0, 1000, 2000, 4000, 5000, 5000]);
    expect(h.calls.slice(2).every((c) => c.kind === 'full')).to.equal(true);
    expect(h.calls[2]!.reasons).to.include.members(['retry after failed sync', 'endpoints changed']);
    expect(h.scheduler.state()).to.include({ lastSyncOk: true, consecutiveFailures: 0, pending: false });
    h.abort.abort();
  });

  it('keeps the oldest unapplied change time across failures and clears it on success', async () => {
    const h = started(harness());
    await h.clock.advance(0);
    const t1 = h.clock.now() + 2000;
    await h.clock.advance(2000);
    h.failNext(1);
    h.scheduler.markDirty('a');
    await h.clock.advance(0);
    expect(h.calls).to.have.length(2);
    expect(h.scheduler.state().lastQueuedAt).to.equal(t1);
    await h.clock.advance(999);
    expect(h.scheduler.state().lastQueuedAt).to.equal(t1);
    await h.clock.advance(1);
    expect(h.calls).to.have.length(3);
    expect(h.scheduler.state().lastQueuedAt).to.equal(undefined);
    expect(h.scheduler.state().lastSyncedAt).to.equal(h.clock.now());
    h.abort.abort();
  });

  it('runs one sync at a time and exactly one follow-up for events during a sync', async () => {
    let release: () => void = () => undefined;
    let inFlight = 0;
    let maxInFlight = 0;
    const h = started(
      harness({ minSyncPeriodMs: 0 }, async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise<void>((resolve) => (release = resolve));
        inFlight--;
      }),
    );
    await h.clock.advance(0);
    expect(h.calls).to.have.length(1);
    const during = h.clock.now();
    for (let i = 0; i < 10; i++) h.scheduler.markDirty(`event ${i}`);
    await h.clock.advance(5000);
    expect(h.calls).to.have.length(1);
    expect(h.scheduler.state()).to.include({ running: true, lastQueuedAt: during });
    release();
    await h.clock.advance(0);
    expect(h.calls).to.have.length(2);
    expect(h.calls[1]!.reasons).to.have.length(10);
    // The first batch is applied; the events that arrived during it are not yet.
    expect(h.scheduler.state().lastQueuedAt).to.equal(during);
    release();
    await h.clock.advance(60_000);
    expect(h.calls).to.have.length(2);
    expect(maxInFlight).to.equal(1);
    expect(h.scheduler.state().lastQueuedAt).to.equal(undefined);
    h.abort.abort();
  });

  it('makes the next sync full on requestFullSync', async () => {
    const h = started(harness());
    await h.clock.advance(5000);
    h.scheduler.requestFullSync('canary missing');
    await h.clock.advance(0);
    expect(h.calls[1]).to.deep.include({ kind: 'full', reasons: ['canary missing'] });
    h.abort.abort();
  });

  it('ticks onPeriodic every syncPeriod once ready', async () => {
    const ticks: number[] = [];
    const h = harness({ syncPeriodMs: 30_000, onPeriodic: () => void ticks.push(h.clock.now()) });
    h.scheduler.start(h.abort.signal);
    await h.clock.advance(30_000);
    expect(ticks).to.have.length(0);
    h.scheduler.ready();
    await h.clock.advance(90_000);
    expect(ticks).to.have.length(3);
    h.abort.abort();
  });

  it('stops all timers on abort', async () => {
    const h = started(harness({ onPeriodic: () => undefined }));
    await h.clock.advance(0);
    h.scheduler.markDirty('a');
    expect(h.clock.pendingTimers).to.be.greaterThan(0);
    h.abort.abort();
    expect(h.clock.pendingTimers).to.equal(0);
    h.scheduler.markDirty('b');
    await h.clock.advance(7_200_000);
    expect(h.calls).to.have.length(1);
    expect(h.clock.pendingTimers).to.equal(0);
  });

  it('whenIdle waits for the in-flight sync', async () => {
    let release: () => void = () => undefined;
    const h = started(harness({}, () => new Promise<void>((resolve) => (release = resolve))));
    await h.clock.advance(0);
    let idle = false;
    void h.scheduler.whenIdle().then(() => (idle = true));
    await flushAsync();
    expect(idle).to.equal(false);
    h.abort.abort();
    release();
    await flushAsync();
    expect(idle).to.equal(true);
  });
});
