import type { IpFamily } from '../model/family.js';
import { compareBytes, type RuleSet, type TableName, type TableRules } from '../model/ruleset.js';
import { indexSlices } from './endpoints.js';
import { assembleChains } from './assemble.js';
import { RenderCache, sameSlices } from './cache.js';
import {
  CANARY_CHAIN,
  filterHooks,
  forwardRules,
  localnetGuardRules,
  markMasqRules,
  masqueradeMark,
  natHooks,
  postroutingRules,
} from './fixed-chains.js';
import type { ServiceFragment } from './fragment.js';
import type { RenderInput, RenderWarning } from './input.js';
import { localDetector } from './local-detect.js';
import { nodeFacts } from './node-facts.js';
import { localhostNodePortsEnabled, nodePortDispatch, nodePortScope } from './node-ports.js';
import { renderServicePort, type ServiceRuleContext } from './service-rules.js';
import { serviceClusterIP, servicePortView, type ServicePortView } from './service-view.js';

/** Above this many endpoints in total, per-endpoint comments are left out (kube-proxy's threshold). */
export const LARGE_CLUSTER_ENDPOINTS = 1000;

export interface RenderStats {
  readonly servicePorts: number;
  readonly endpoints: number;
  readonly largeCluster: boolean;
  readonly noLocalEndpoints: { readonly internal: number; readonly external: number };
}

export interface RenderResult {
  readonly ruleSet: RuleSet;
  readonly warnings: readonly RenderWarning[];
  readonly stats: RenderStats;
  /** Every service port of the family as this node sees it, sorted by name. */
  readonly views: readonly ServicePortView[];
}

const featureOn = (gates: Readonly<Record<string, boolean>>, name: string, byDefault: boolean): boolean =>
  gates[name] ?? byDefault;

/** Every service port of the family as this node sees it, sorted by name. */
export function collectViews(
  input: RenderInput,
  warnings: RenderWarning[],
  cache?: RenderCache,
): ServicePortView[] {
  const { snapshot, config, family } = input;
  const node = nodeFacts(snapshot, config, family);
  const slices = indexSlices(snapshot.endpointSlices, family);
  const nodeHints = featureOn(config.featureGates, 'PreferSameTrafficDistribution', true);
  const viewKey = `${node.name}|${node.zone}|${nodeHints}`;
  const views: ServicePortView[] = [];
  for (const svc of snapshot.services) {
    const clusterIP = serviceClusterIP(svc, family);
    if (clusterIP === undefined) continue;
    const svcSlices = slices.get(`${svc.namespace}/${svc.name}`) ?? [];
    const cached = cache?.entry(family, svc);
    if (cached && cached.viewKey === viewKey && sameSlices(cached.slices, svcSlices)) {
      views.push(...cached.views);
      continue;
    }
    const ctx = { family, node, nodeHints, slices: svcSlices };
    const own = svc.ports.map((port) => servicePortView(svc, port, clusterIP, ctx));
    cache?.store(family, svc, { slices: svcSlices, viewKey, views: own });
    views.push(...own);
  }
  const byName = (a: ServicePortView, b: ServicePortView): number =>
    compareBytes(a.name, b.name) || compareBytes(a.protocol, b.protocol);
  if (!isSorted(views, byName)) views.sort(byName);
  for (let i = 1; i < views.length; i++) {
    const prev = views[i - 1];
    const cur = views[i];
    if (prev && cur && prev.hash === cur.hash) {
      warnings.push({
        object: `Service ${cur.service.namespace}/${cur.service.name}`,
        message: `duplicate port ${cur.name}`,
      });
    }
  }
  return views;
}

function isSorted<T>(list: readonly T[], cmp: (a: T, b: T) => number): boolean {
  for (let i = 1; i < list.length; i++) if (cmp(list[i - 1] as T, list[i] as T) > 0) return false;
  return true;
}

/** The fragments of every view, reusing a view's fragment while the view and the rule context are unchanged. */
function renderFragments(
  views: readonly ServicePortView[],
  ctx: ServiceRuleContext,
  cache: RenderCache | undefined,
): ServiceFragment[] {
  const key = `${ctx.family}|${JSON.stringify(ctx.detector)}|${ctx.masqueradeAll}|${ctx.primaryNodeIP}|${ctx.largeCluster}`;
  const fragments: ServiceFragment[] = [];
  const seen = new Set<string>();
  for (const view of views) {
    if (seen.has(view.hash)) continue;
    seen.add(view.hash);
    let fragment = cache?.fragment(view, key);
    if (!fragment) {
      fragment = renderServicePort(view, ctx);
      cache?.storeFragment(view, key, fragment);
    }
    fragments.push(fragment);
  }
  return fragments;
}

const NO_CHAINS: ReadonlyMap<string, readonly string[]> = new Map();

/**
 * Render the rules one family needs on this node. Pure: the same input gives byte-identical
 * output whatever the order of the objects in it, and cluster data never makes it throw.
 */
export function render(input: RenderInput, cache?: RenderCache): RenderResult {
  const { snapshot, config, family, host } = input;
  const warnings: RenderWarning[] = [];
  const node = nodeFacts(snapshot, config, family);
  if (!node.node && config.hostname !== '') {
    warnings.push({
      object: `Node ${config.hostname}`,
      message:
        'not found: no endpoint counts as local, no topology zone, and the primary IP falls back to loopback',
    });
  }
  const detector = localDetector(config, node.podCIDRs, family);
  if (detector.kind === 'none' && config.detectLocalMode !== 'ClusterCIDR') {
    warnings.push({ object: `config detectLocalMode ${config.detectLocalMode}`, message: detector.reason });
  }

  const views = collectViews(input, warnings, cache);
  const endpoints = views.reduce((n, v) => n + v.endpoints.length, 0);
  const ctx: ServiceRuleContext = {
    family,
    detector,
    masqueradeAll: config.iptables.masqueradeAll,
    primaryNodeIP: node.primaryIP,
    largeCluster: endpoints > LARGE_CLUSTER_ENDPOINTS,
  };
  const fragments = renderFragments(views, ctx, cache);

  const scope = nodePortScope(config.nodePortAddresses, family, node.primaryIP);
  const localhostNodePorts = localhostNodePortsEnabled(config.iptables.localhostNodePorts, scope, family);
  const dispatch = nodePortDispatch(scope, family, localhostNodePorts, host.localAddresses);
  for (const ip of dispatch.skippedLoopback) {
    warnings.push({
      object: 'config nodePortAddresses',
      message: `NodePorts on loopback address ${ip} are not supported here`,
    });
  }
  const mark = masqueradeMark(config.iptables.masqueradeBit);
  const all = (pick: (f: ServiceFragment) => readonly string[]): string[] => fragments.flatMap(pick);

  const filterFixed: [string, readonly string[]][] = [
    ['KUBE-SERVICES', all((f) => f.filterServices)],
    ['KUBE-EXTERNAL-SERVICES', all((f) => f.filterExternal)],
    ['KUBE-FORWARD', forwardRules(mark, host.tcpBeLiberal)],
    ['KUBE-NODEPORTS', all((f) => f.filterNodePorts)],
    ['KUBE-PROXY-FIREWALL', all((f) => f.filterFirewall)],
    [CANARY_CHAIN, []],
  ];
  if (localhostNodePorts) filterFixed.push(['KUBE-FIREWALL', localnetGuardRules()]);
  const natFixed: [string, readonly string[]][] = [
    ['KUBE-SERVICES', [...all((f) => f.natServices), ...dispatch.rules]],
    ['KUBE-NODEPORTS', all((f) => f.natNodePorts)],
    ['KUBE-POSTROUTING', postroutingRules(mark, host.randomFully)],
    ['KUBE-MARK-MASQ', markMasqRules(mark)],
    [CANARY_CHAIN, []],
  ];

  const previous = cache?.assembly(family);
  const noChains = (): ReadonlyMap<string, readonly string[]> => NO_CHAINS;
  const filter = assembleChains(filterFixed, fragments, noChains, previous?.tables.filter);
  const nat = assembleChains(natFixed, fragments, (f) => f.natChains, previous?.tables.nat);
  const mangle = assembleChains([[CANARY_CHAIN, []]], fragments, noChains, previous?.tables.mangle);
  const tables: Record<TableName, TableRules> = {
    filter: { chains: filter.chains, hooks: filterHooks(localhostNodePorts) },
    nat: { chains: nat.chains, hooks: natHooks() },
    mangle: { chains: mangle.chains, hooks: [] },
  };
  const delta =
    previous && filter.changed && nat.changed && mangle.changed
      ? {
          base: previous.ruleSet,
          chains: { filter: filter.changed, nat: nat.changed, mangle: mangle.changed },
        }
      : undefined;
  const ruleSet: RuleSet = delta ? { family, tables, delta } : { family, tables };
  cache?.storeAssembly(family, { ruleSet, tables: { filter, nat, mangle } });
  const stats: RenderStats = {
    servicePorts: fragments.length,
    endpoints,
    largeCluster: ctx.largeCluster,
    noLocalEndpoints: {
      internal: fragments.filter((f) => f.noLocalEndpoints.internal).length,
      external: fragments.filter((f) => f.noLocalEndpoints.external).length,
    },
  };
  return { ruleSet, warnings, stats, views };
}

export function renderFamilies(
  base: Omit<RenderInput, 'family'>,
  families: readonly IpFamily[],
): Map<IpFamily, RenderResult> {
  return new Map(families.map((family) => [family, render({ ...base, family })]));
}
