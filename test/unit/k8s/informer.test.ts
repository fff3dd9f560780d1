import { expect } from 'chai';
import { backoffDelay, type Clock } from '../../../src/k8s/informer-clock.js';
import { startWatchdog } from '../../../src/k8s/informer-watchdog.js';
import {
  metadataOnly,
  SupervisedInformer,
  type InformerEvent,
  type InformerSignal,
  type SupervisedInformerOptions,
} from '../../../src/k8s/informer.js';
import { FakeApiServer, type KubeObject, type ResourceName } from '../../support/fake-apiserver/index.js';
import { waitUntil } from '../../support/wait-until.js';

type Obj = KubeObject;

function service(name: string, labels?: Record<string, string>, port = 80): object {
  return { metadata: { name, namespace: 'default', labels }, spec: { ports: [{ port }] } };
}

/** name -> resourceVersion, for comparing the informer's cache with the server's state. */
function versions(objects: readonly Obj[]): Record<string, string | undefined> {
  return Object.fromEntries(objects.map((o) => [o.metadata.name ?? '', o.metadata.resourceVersion]));
}

function eventText(event: InformerEvent<Obj>): string {
  return `${event.kind} ${event.object.metadata.name}`;
}

/** What `metadataOnly` should keep of a Service the server holds (list items carry no kind). */
function slimService(obj: Obj, from: 'list' | 'watch'): object {
  const { name, namespace, uid, resourceVersion } = obj.metadata;
  const metadata = { name, namespace, uid, resourceVersion };
  return from === 'list' ? { metadata } : { apiVersion: 'v1', kind: 'Service', metadata };
}

describe('SupervisedInformer', () => {
  let api: FakeApiServer;
  let stop: AbortController;
  const running: Promise<void>[] = [];

  beforeEach(async () => {
    api = await FakeApiServer.start({ bookmarkIntervalMs: 50 });
    stop = new AbortController();
  });

  afterEach(async () => {
    stop.abort();
    await Promise.all(running.splice(0));
    await api.stop();
  });

  interface Started {
    informer: SupervisedInformer<Obj>;
    events: InformerEvent<Obj>[];
    signals: InformerSignal[];
  }

  function start(
    overrides: Partial<SupervisedInformerOptions<Obj>> = {},
    resource: ResourceName = 'services',
  ): Started {
    const signals: InformerSignal[] = [];
    const path =
      resource === 'endpointslices' ? '/apis/discovery.k8s.io/v1/endpointslices' : `/api/v1/${resource}`;
    const informer = new SupervisedInformer<Obj>({
      kubeConfig: api.kubeConfig(),
      path,
      backoff: { initialMs: 20, maxMs: 200 },
      random: () => 0,
      silenceTimeoutMs: 2000,
      onSignal: (signal) => signals.push(signal),
      ...overrides,
    });
    const events: InformerEvent<Obj>[] = [];
    informer.subscribe((event) => events.push(event));
    running.push(informer.start(stop.signal));
    return { informer, events, signals };
  }

  async function converged(
    informer: SupervisedInformer<Obj>,
    resource: ResourceName = 'services',
  ): Promise<void> {
    const want = JSON.stringify(versions(api.list(resource)));
    await waitUntil(
      () => JSON.stringify(versions(informer.list())) === want,
      'the cache to match the server',
    );
  }

  /**
   * While the watch is down: b deleted, d created, c updated; then history expires, so the
   * informer must relist (410 Gone). Resolves once its cache matches the server again.
   */
  async function relistAfterChanges(informer: SupervisedInformer<Obj>): Promise<void> {
    api.dropWatches();
    api.delete('services', 'b');
    api.create('services', service('d'));
    api.update('services', service('c', undefined, 99));
    api.compact();
    await converged(informer);
  }

  it('syncs a large collection page by page before reporting synced', async () => {
    for (let i = 0; i < 1200; i++) api.create('services', service(`svc-${String(i).padStart(4, '0')}`));
    const { informer, events } = start({ pageSize: 500 });
    expect(informer.hasSynced).to.equal(false);
    await informer.synced;
    expect(informer.hasSynced).to.equal(true);
    expect(informer.list()).to.have.length(1200);
    expect(events).to.have.length(1200);
    expect(api.requests.filter((r) => r.verb === 'list').map((r) => r.query.limit)).to.deep.equal([
      '500',
      '500',
      '500',
    ]);
    expect(informer.stats).to.include({ lists: 1, listPages: 3 });
    await waitUntil(() => api.openWatches === 1, 'the watch');
    const watchQuery = api.requests.find((r) => r.verb === 'watch')!.query;
    expect(watchQuery).to.include({
      allowWatchBookmarks: 'true',
      resourceVersion: informer.lastResourceVersion,
    });
  });

  it('delivers adds, updates and deletes with the raw objects', async () => {
    api.create('services', service('a'));
    const { informer, events } = start();
    await informer.synced;
    await waitUntil(() => api.openWatches === 1, 'the watch');
    api.create('services', service('b'));
    api.update('services', service('a', undefined, 81));
    api.delete('services', 'b');
    await waitUntil(() => events.length === 4, 'four events');
    expect(events.map(eventText)).to.deep.equal(['add a', 'add b', 'update a', 'delete b']);
    const update = events[2]!;
    expect(update.kind === 'update' && update.old.metadata.resourceVersion).to.not.equal(
      update.object.metadata.resourceVersion,
    );
    expect(informer.get('a', 'default')?.spec).to.deep.equal({ ports: [{ port: 81 }] });
    await converged(informer);
  });

  it('with cacheAs caches the slim form while subscribers get the objects as sent', async () => {
    api.create('services', service('a'));
    api.create('services', service('b'));
    const { informer, events } = start({ cacheAs: metadataOnly });
    await informer.synced;
    await waitUntil(() => api.openWatches === 1, 'the watch');
    const listedA = api.get('services', 'a', 'default')!;
    expect(listedA.metadata.uid).to.be.a('string');
    expect(informer.get('a', 'default')).to.deep.equal(slimService(listedA, 'list'));
    const finalB = api.get('services', 'b', 'default')!;
    api.update('services', service('a', undefined, 81));
    api.delete('services', 'b');
    await waitUntil(() => events.length === 4, 'four events');
    expect(events.map(eventText)).to.deep.equal(['add a', 'add b', 'update a', 'delete b']);
    const updatedA = api.get('services', 'a', 'default')!;
    const [addA, , update, deleteB] = events;
    expect(addA!.object).to.deep.include({ metadata: listedA.metadata, spec: listedA.spec });
    expect(update!.object).to.deep.equal(updatedA);
    expect(update!.kind === 'update' && update!.old).to.deep.equal(slimService(listedA, 'list'));
    expect(deleteB!.object.spec).to.deep.equal(finalB.spec);
    expect(informer.list()).to.deep.equal([slimService(updatedA, 'watch')]);
    expect(informer.get('a', 'default')!.metadata).to.not.equal(update!.object.metadata);
  });

  it('with cacheAs dedupes by resourceVersion and deletes on relist', async () => {
    for (const name of ['a', 'b', 'c']) api.create('services', service(name));
    const { informer, events } = start({ cacheAs: metadataOnly });
    await informer.synced;
    await waitUntil(() => api.openWatches === 1, 'the watch');
    const [a, b, c] = ['a', 'b', 'c'].map((name) => api.get('services', name, 'default')!);
    await relistAfterChanges(informer);
    expect(informer.stats).to.include({ lists: 2, gone: 1 });
    // The relist lists a again at the same resourceVersion: no event for it. It applies its
    // pages as they arrive, then deletes what the complete list lacks.
    expect(events.slice(3).map(eventText)).to.deep.equal(['update c', 'add d', 'delete b']);
    const [updateC, , deleteB] = events.slice(3);
    expect(deleteB!.object).to.deep.equal(slimService(b!, 'list'));
    expect(updateC!.kind === 'update' && updateC!.old).to.deep.equal(slimService(c!, 'list'));
    expect(updateC!.object.spec).to.deep.equal({ ports: [{ port: 99 }] });
    expect(informer.get('a', 'default')).to.deep.equal(slimService(a!, 'list'));
    expect(informer.list().map((o) => Object.keys(o))).to.deep.equal([
      ['metadata'],
      ['metadata'],
      ['metadata'],
    ]);
  });

  it('applies a relist page by page and deletes only once a list is complete', async () => {
    for (let i = 0; i < 1200; i++) api.create('services', service(`svc-${String(i).padStart(4, '0')}`));
    const timeline: string[] = [];
    const { informer } = start({
      pageSize: 500,
      onSignal: (s) => {
        if (s.kind === 'listed' || s.kind === 'list-failed') timeline.push(s.kind);
      },
    });
    informer.subscribe((event) => timeline.push(eventText(event)));
    await informer.synced;
    await waitUntil(() => api.openWatches === 1, 'the watch');
    timeline.length = 0;
    api.dropWatches();
    api.delete('services', 'svc-0000');
    api.update('services', service('svc-0001', undefined, 99));
    api.compact();
    api.failNext(1, 500, { verb: 'list', continued: true });
    await converged(informer);
    // The first relist applied its first page, failed on the second and deleted nothing; the
    // second saw svc-0001 unchanged since and deleted svc-0000 once it had every page.
    expect(timeline).to.deep.equal(['update svc-0001', 'list-failed', 'listed', 'delete svc-0000']);
  });

  it('honours label and field selectors', async () => {
    api.create('services', service('mine'));
    api.create('services', service('other', { 'service.kubernetes.io/service-proxy-name': 'x' }));
    api.create('nodes', { metadata: { name: 'node-a' } });
    api.create('nodes', { metadata: { name: 'node-b' } });
    const services = start({ labelSelector: '!service.kubernetes.io/service-proxy-name' });
    const nodes = start({ fieldSelector: 'metadata.name=node-a' }, 'nodes');
    await Promise.all([services.informer.synced, nodes.informer.synced]);
    expect(services.informer.list().map((o) => o.metadata.name)).to.deep.equal(['mine']);
    expect(nodes.informer.list().map((o) => o.metadata.name)).to.deep.equal(['node-a']);
    await waitUntil(() => api.openWatches === 2, 'both watches');
    api.update('nodes', { metadata: { name: 'node-b', labels: { x: 'y' } } });
    api.update('nodes', { metadata: { name: 'node-a', labels: { x: 'y' } } });
    await waitUntil(() => nodes.events.length === 2, 'the node update');
    expect(nodes.events.map(eventText)).to.deep.equal(['add node-a', 'update node-a']);
  });

  it('resumes a dropped watch from its resourceVersion without losing events', async () => {
    for (const name of ['a', 'b', 'c']) api.create('services', service(name));
    const { informer, events } = start();
    await informer.synced;
    await waitUntil(() => api.openWatches === 1, 'the watch');
    api.dropWatches();
    api.create('services', service('d'));
    api.update('services', service('a', undefined, 90));
    api.delete('services', 'b');
    await converged(informer);
    expect(events.slice(3).map(eventText)).to.deep.equal(['add d', 'update a', 'delete b']);
    expect(informer.stats).to.include({ lists: 1, restarts: 1 });
    expect(api.requestCount({ verb: 'watch' })).to.equal(2);
  });

  it('relists after 410 Gone and deletes what vanished meanwhile', async () => {
    for (const name of ['a', 'b', 'c']) api.create('services', service(name));
    const { informer, events, signals } = start();
    await informer.synced;
    await waitUntil(() => api.openWatches === 1, 'the watch');
    await relistAfterChanges(informer);
    // A relist applies its pages as they arrive, then deletes what the complete list lacks.
    expect(events.slice(3).map(eventText)).to.deep.equal(['update c', 'add d', 'delete b']);
    expect(informer.stats).to.include({ lists: 2, gone: 1 });
    expect(signals.some((s) => s.kind === 'watch-ended' && s.reason === 'gone')).to.equal(true);
    // One backoff for the dropped connection; the 410 itself relists at once.
    expect(signals.filter((s) => s.kind === 'retry')).to.deep.equal([
      { kind: 'retry', attempt: 1, delayMs: 20, relist: false },
    ]);
    await waitUntil(() => api.openWatches === 1, 'the new watch');
    api.create('services', service('e'));
    await converged(informer);
  });

  it('keeps a watch that only receives bookmarks, and restarts a stalled one', async () => {
    const { informer } = start({ silenceTimeoutMs: 250 });
    await informer.synced;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(informer.stats.watchdogRestarts).to.equal(0);
    expect(informer.stats.watches).to.equal(1);

    api.stallWatches(true);
    api.create('services', service('a'));
    await waitUntil(() => informer.stats.watchdogRestarts >= 1, 'the watchdog', 2000);
    api.stallWatches(false);
    await converged(informer);
    expect(informer.stats.lists).to.equal(1);
  });

  it('backs off on server errors and recovers', async () => {
    api.create('services', service('a'));
    api.failNext(3, 500, { verb: 'list' });
    const { informer, signals } = start();
    await informer.synced;
    const retries = signals.flatMap((s) => (s.kind === 'retry' ? [s.delayMs] : []));
    expect(retries).to.deep.equal([20, 40, 80]);
    expect(informer.stats.errors).to.equal(3);

    await waitUntil(() => api.openWatches === 1, 'the watch');
    api.create('services', service('b'));
    await converged(informer); // a watch that delivers resets the backoff
    api.failNext(2, 503, { verb: 'watch' });
    api.dropWatches();
    api.create('services', service('c'));
    await converged(informer);
    const later = signals.flatMap((s) => (s.kind === 'retry' ? [s.delayMs] : [])).slice(3);
    expect(later).to.deep.equal([20, 40, 80]);
    expect(informer.stats).to.include({ errors: 6, lists: 1 });
  });

  it('isolates a throwing subscriber', async () => {
    api.create('services', service('a'));
    const { informer, events, signals } = start();
    informer.subscribe(() => {
      throw new Error('boom');
    });
    await informer.synced;
    expect(events).to.have.length(1);
    expect(signals.filter((s) => s.kind === 'handler-failed')).to.have.length(1);
  });

  it('closes everything on abort', async () => {
    const { informer } = start();
    await informer.synced;
    await waitUntil(() => api.openWatches === 1, 'the watch');
    stop.abort();
    await Promise.all(running.splice(0));
    await waitUntil(() => api.openWatches === 0, 'the watch to close');
    api.create('services', service('late'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(informer.list()).to.have.length(0);
  });

  it('rejects synced when stopped before the first list', async () => {
    api.failNext(100, 500);
    const { informer } = start({ backoff: { initialMs: 1000 } });
    await waitUntil(() => api.requestCount() === 1, 'the first list');
    stop.abort();
    await Promise.all(running.splice(0));
    let error: unknown;
    await informer.synced.catch((err: unknown) => (error = err));
    expect(String(error)).to.match(/stopped before it synced/);
  });
});

describe('backoffDelay', () => {
  it('grows by the factor up to the maximum and jitters downwards', () => {
    const options = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 };
    expect([1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, options, () => 0))).to.deep.equal([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(backoffDelay(2, options, () => 0.5)).to.equal(150);
    expect(backoffDelay(1, {}, () => 0)).to.equal(800);
  });
});

/** A clock that only moves when told to. */
class ManualClock implements Clock {
  private time = 0;
  private timers: { at: number; callback: () => void }[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): () => void {
    const timer = { at: this.time + ms, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.callback();
    }
    this.time = until;
  }
}

describe('startWatchdog', () => {
  it('fires once after the silence, counting from the last activity', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    const watchdog = startWatchdog(clock, 1000, (idle) => fired.push(idle));
    clock.advance(900);
    watchdog.touch();
    clock.advance(900);
    expect(fired).to.deep.equal([]);
    clock.advance(100);
    expect(fired).to.deep.equal([1000]);
    clock.advance(5000);
    expect(fired).to.deep.equal([1000]);
  });

  it('never fires once cancelled', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    startWatchdog(clock, 1000, (idle) => fired.push(idle)).cancel();
    clock.advance(5000);
    expect(fired).to.deep.equal([]);
  });
});
