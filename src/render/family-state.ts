import type { ClusterSnapshot } from '../model/cluster.js';
import { findService, findServiceSlices } from '../model/snapshot.js';
import { indexSlices } from './endpoints.js';
import { entryCurrent, type FamilyState, type RenderCache } from './cache.js';
import { buildFixedParts, sameContributions } from './fixed-parts.js';
import type { ServiceFragment } from './fragment.js';
import type { RenderWarning } from './input.js';
import { renderServicePort, type ServiceRuleContext } from './service-rules.js';
import {
  compareViews,
  familySlices,
  serviceEntry,
  type EntryContext,
  type ServiceEntry,
} from './service-entry.js';
import type { ServicePortView } from './service-view.js';

/**
 * The per-service half of a render: every service's views and rule fragments, and their
 * contributions to the shared chains, as a FamilyState. Built from scratch (reusing cached entries
 * and fragments), or patched from the previous state when the snapshot lists what changed.
 */

/** Above this many endpoints in total, per-endpoint comments are left out (kube-proxy's threshold). */
export const LARGE_CLUSTER_ENDPOINTS = 1000;

/** The rule context minus largeCluster, which follows from the endpoint count. */
export type RuleBase = Omit<ServiceRuleContext, 'largeCluster'>;

export interface StateResult {
  readonly state: FamilyState;
  /** For a patch: the fragments that left and joined (the assembly patches only their chains). */
  readonly patch?: {
    readonly removed: readonly ServiceFragment[];
    readonly added: readonly ServiceFragment[];
  };
}

const ruleKeyOf = (base: RuleBase, largeCluster: boolean): string =>
  `${base.family}|${JSON.stringify(base.detector)}|${base.masqueradeAll}|${base.primaryNodeIP}|${largeCluster}`;

const viewEndpoints = (views: readonly ServicePortView[]): number =>
  views.reduce((n, v) => n + v.endpoints.length, 0);

function fragmentFor(
  view: ServicePortView,
  ctx: ServiceRuleContext,
  key: string,
  cache: RenderCache | undefined,
): ServiceFragment {
  let fragment = cache?.fragment(view, key);
  if (!fragment) {
    fragment = renderServicePort(view, ctx);
    cache?.storeFragment(view, key, fragment);
  }
  return fragment;
}

/** Every service of the snapshot, from scratch (cached entries and fragments are reused). */
export function buildState(
  snapshot: ClusterSnapshot,
  ectx: EntryContext,
  base: RuleBase,
  cache: RenderCache | undefined,
): FamilyState {
  const previous = cache?.state(ectx.family);
  const slices = indexSlices(snapshot.endpointSlices, ectx.family);
  const entries = new Map<string, ServiceEntry>();
  const warned = new Map<string, ServiceEntry>();
  const views: ServicePortView[] = [];
  for (const svc of snapshot.services) {
    const key = `${svc.namespace}/${svc.name}`;
    const svcSlices = slices.get(key) ?? [];
    const old = previous?.entries.get(key);
    const entry = entryCurrent(old, svc, svcSlices, ectx.viewKey) ? old : serviceEntry(svc, svcSlices, ectx);
    if (!entry) continue;
    entries.set(key, entry);
    if (entry.warnings.length > 0) warned.set(key, entry);
    for (const view of entry.views) views.push(view);
  }
  if (!isSorted(views)) views.sort(compareViews);
  const endpoints = viewEndpoints(views);
  const largeCluster = endpoints > LARGE_CLUSTER_ENDPOINTS;
  const ctx: ServiceRuleContext = { ...base, largeCluster };
  const ruleKey = ruleKeyOf(base, largeCluster);
  const fragmentOf = new Map<ServicePortView, ServiceFragment>();
  const noLocal = { internal: 0, external: 0 };
  for (const entry of entries.values()) {
    for (const view of entry.unique) {
      const fragment = fragmentFor(view, ctx, ruleKey, cache);
      fragmentOf.set(view, fragment);
      countNoLocal(noLocal, fragment, 1);
    }
  }
  return {
    version: snapshot.version,
    viewKey: ectx.viewKey,
    ruleKey,
    entries,
    warned,
    views,
    fragmentOf,
    endpoints,
    noLocal,
    parts: buildFixedParts(views, fragmentOf),
  };
}

/**
 * The previous state patched with the services the snapshot lists as changed, or undefined when
 * it cannot be patched (no previous state of this series and version, other node facts or rule
 * context, or the endpoint count crossed the large-cluster threshold).
 */
export function patchState(
  snapshot: ClusterSnapshot,
  ectx: EntryContext,
  base: RuleBase,
  cache: RenderCache | undefined,
): StateResult | undefined {
  const previous = cache?.state(ectx.family);
  const { version, changes } = snapshot;
  if (!previous?.version || !version || !changes) return undefined;
  if (previous.version.series !== version.series || previous.version.number !== changes.since)
    return undefined;
  if (previous.viewKey !== ectx.viewKey) return undefined;

  // First everything that can fail or bail out, then the mutations.
  const updates: { key: string; old: ServiceEntry | undefined; next: ServiceEntry | undefined }[] = [];
  let endpoints = previous.endpoints;
  for (const key of changes.services) {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const old = previous.entries.get(key);
    const svc = findService(snapshot, namespace, name);
    let next: ServiceEntry | undefined;
    if (svc) {
      const slices = familySlices(findServiceSlices(snapshot, namespace, name), ectx.family);
      next = entryCurrent(old, svc, slices, ectx.viewKey) ? old : serviceEntry(svc, slices, ectx);
    }
    if (next === old) continue;
    updates.push({ key, old, next });
    endpoints += viewEndpoints(next?.views ?? []) - viewEndpoints(old?.views ?? []);
  }
  const largeCluster = endpoints > LARGE_CLUSTER_ENDPOINTS;
  const ruleKey = ruleKeyOf(base, largeCluster);
  if (ruleKey !== previous.ruleKey) return undefined;
  const ctx: ServiceRuleContext = { ...base, largeCluster };
  const rendered = updates.map((u) => ({
    ...u,
    oldFragments: (u.old?.unique ?? []).map((v) => previous.fragmentOf.get(v)).filter(isFragment),
    newFragments: (u.next?.unique ?? []).map((v) => fragmentFor(v, ctx, ruleKey, cache)),
  }));

  // The previous state is the cache's alone: its maps are patched in place, its view list copied.
  const entries = previous.entries as Map<string, ServiceEntry>;
  const warned = previous.warned as Map<string, ServiceEntry>;
  const fragmentOf = previous.fragmentOf as Map<ServicePortView, ServiceFragment>;
  const views = [...previous.views];
  const noLocal = { ...previous.noLocal };
  const removed: ServiceFragment[] = [];
  const added: ServiceFragment[] = [];
  let partsChanged = false;
  for (const { key, old, next, oldFragments, newFragments } of rendered) {
    for (const view of old?.views ?? []) removeView(views, view);
    for (const view of old?.unique ?? []) fragmentOf.delete(view);
    for (const f of oldFragments) countNoLocal(noLocal, f, -1);
    removed.push(...oldFragments);
    for (const view of next?.views ?? []) insertView(views, view);
    next?.unique.forEach((view, i) => fragmentOf.set(view, newFragments[i] as ServiceFragment));
    for (const f of newFragments) countNoLocal(noLocal, f, 1);
    added.push(...newFragments);
    if (next) entries.set(key, next);
    else entries.delete(key);
    if (next && next.warnings.length > 0) warned.set(key, next);
    else warned.delete(key);
    partsChanged ||= !sameContributions(oldFragments, newFragments);
  }
  // Same node facts, rule context and (patched) maps as before; the rest is new.
  const state: FamilyState = {
    ...previous,
    version,
    views,
    endpoints,
    noLocal,
    parts: partsChanged ? buildFixedParts(views, fragmentOf) : previous.parts,
  };
  return { state, patch: { removed, added } };
}

/** The duplicate-port warnings of every service, in service order. */
export function entryWarnings(state: FamilyState): RenderWarning[] {
  const entries = [...state.warned.values()];
  entries.sort(
    (a, b) =>
      compareKey(a.service.namespace, b.service.namespace) || compareKey(a.service.name, b.service.name),
  );
  return entries.flatMap((e) => e.warnings);
}

const compareKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const isFragment = (f: ServiceFragment | undefined): f is ServiceFragment => f !== undefined;

function countNoLocal(
  counts: { internal: number; external: number },
  fragment: ServiceFragment,
  sign: 1 | -1,
): void {
  if (fragment.noLocalEndpoints.internal) counts.internal += sign;
  if (fragment.noLocalEndpoints.external) counts.external += sign;
}

function isSorted(views: readonly ServicePortView[]): boolean {
  for (let i = 1; i < views.length; i++) if (compareViews(views[i - 1]!, views[i]!) > 0) return false;
  return true;
}

/** First index whose view sorts at or after `view`. */
function lowerBound(views: readonly ServicePortView[], view: ServicePortView): number {
  let lo = 0;
  let hi = views.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareViews(views[mid]!, view) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function removeView(views: ServicePortView[], view: ServicePortView): void {
  for (let at = lowerBound(views, view); at < views.length && compareViews(views[at]!, view) === 0; at++) {
    if (views[at] === view) {
      views.splice(at, 1);
      return;
    }
  }
  throw new Error(`render cache: view ${view.name}/${view.protocol} missing from the previous state`);
}

/** After any equal views (a duplicate port keeps its spec order). */
function insertView(views: ServicePortView[], view: ServicePortView): void {
  let at = lowerBound(views, view);
  while (at < views.length && compareViews(views[at]!, view) === 0) at++;
  views.splice(at, 0, view);
}
