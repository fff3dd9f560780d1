import type { IpFamily } from '../model/family.js';
import type { RuleSet, TableName, TableRules } from '../model/ruleset.js';
import { indexSlices } from './endpoints.js';
import {
  assembleChains,
  patchChains,
  type Assembled,
  type Assembly,
  type FixedChains,
  type Pick,
} from './assemble.js';
import type { RenderCache } from './cache.js';
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
import {
  LARGE_CLUSTER_ENDPOINTS,
  buildState,
  entryWarnings,
  patchState,
  type RuleBase,
} from './family-state.js';
import type { RenderInput, RenderWarning } from './input.js';
import { localDetector } from './local-detect.js';
import { nodeFacts } from './node-facts.js';
import { localhostNodePortsEnabled, nodePortDispatch, nodePortScope } from './node-ports.js';
import { compareViews, serviceEntry, type EntryContext } from './service-entry.js';
import type { ServicePortView } from './service-view.js';

export { LARGE_CLUSTER_ENDPOINTS } from './family-state.js';

export interface RenderStats {
  readonly servicePorts: number;
  readonly endpoints: number;
  readonly largeCluster: boolean;
  readonly noLocalEndpoints: { readonly internal: number; readonly external: number };
  /** Rules in each table (all chains; hooks in built-in chains not counted). */
  readonly rules: Readonly<Record<TableName, number>>;
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

function entryContext(input: RenderInput): EntryContext {
  const { snapshot, config, family } = input;
  const node = nodeFacts(snapshot, config, family);
  const nodeHints = featureOn(config.featureGates, 'PreferSameTrafficDistribution', true);
  return { family, node, nodeHints, viewKey: `${node.name}|${node.zone}|${nodeHints}` };
}

/** Every service port of the family as this node sees it, sorted by name. */
export function collectViews(input: RenderInput, warnings: RenderWarning[]): ServicePortView[] {
  const ectx = entryContext(input);
  const slices = indexSlices(input.snapshot.endpointSlices, input.family);
  const views: ServicePortView[] = [];
  for (const svc of input.snapshot.services) {
    const entry = serviceEntry(svc, slices.get(`${svc.namespace}/${svc.name}`) ?? [], ectx);
    if (!entry) continue;
    warnings.push(...entry.warnings);
    views.push(...entry.views);
  }
  return views.sort(compareViews);
}

/**
 * KUBE-SERVICES (nat) is the service ports' lines plus the NodePort dispatch: the previous array
 * is reused while both are the same, so an unchanged chain is never copied or compared line by line.
 */
function natServicesChain(
  previous: NatServicesMemo | undefined,
  parts: readonly string[],
  tail: readonly string[],
): NatServicesMemo {
  if (previous && previous.parts === parts && sameLines(previous.tail, tail)) return previous;
  return { parts, tail, rules: tail.length === 0 ? parts : [...parts, ...tail] };
}

export interface NatServicesMemo {
  readonly parts: readonly string[];
  readonly tail: readonly string[];
  readonly rules: readonly string[];
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

/**
 * Render the rules one family needs on this node. Pure: the same input gives byte-identical
 * output whatever the order of the objects in it, and cluster data never makes it throw.
 */
export function render(input: RenderInput, cache?: RenderCache): RenderResult {
  const { snapshot, config, family, host } = input;
  const warnings: RenderWarning[] = [];
  const ectx = entryContext(input);
  const { node } = ectx;
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
  const base: RuleBase = {
    family,
    detector,
    masqueradeAll: config.iptables.masqueradeAll,
    primaryNodeIP: node.primaryIP,
  };
  const patched = patchState(snapshot, ectx, base, cache);
  const state = patched?.state ?? buildState(snapshot, ectx, base, cache);
  cache?.storeState(family, state);
  warnings.push(...entryWarnings(state));
  const { parts } = state;

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
  const natServices = natServicesChain(cache?.natServices(family), parts.natServices, dispatch.rules);
  cache?.storeNatServices(family, natServices);

  const filterFixed: [string, readonly string[]][] = [
    ['KUBE-SERVICES', parts.filterServices],
    ['KUBE-EXTERNAL-SERVICES', parts.filterExternal],
    ['KUBE-FORWARD', forwardRules(mark, host.tcpBeLiberal)],
    ['KUBE-NODEPORTS', parts.filterNodePorts],
    ['KUBE-PROXY-FIREWALL', parts.filterFirewall],
    [CANARY_CHAIN, []],
  ];
  if (localhostNodePorts) filterFixed.push(['KUBE-FIREWALL', localnetGuardRules()]);
  const natFixed: [string, readonly string[]][] = [
    ['KUBE-SERVICES', natServices.rules],
    ['KUBE-NODEPORTS', parts.natNodePorts],
    ['KUBE-POSTROUTING', postroutingRules(mark, host.randomFully)],
    ['KUBE-MARK-MASQ', markMasqRules(mark)],
    [CANARY_CHAIN, []],
  ];

  const previous = cache?.assembly(family);
  const noChains = (): ReadonlyMap<string, readonly string[]> => NO_CHAINS;
  const fragments = patched ? undefined : [...state.fragmentOf.values()];
  const assemble = (fixed: FixedChains, pick: Pick, prev: Assembly | undefined): Assembled =>
    patched?.patch && prev
      ? patchChains(fixed, patched.patch, pick, prev)
      : assembleChains(fixed, fragments ?? [...state.fragmentOf.values()], pick, prev);
  const filter = assemble(filterFixed, noChains, previous?.tables.filter);
  const nat = assemble(natFixed, (f) => f.natChains, previous?.tables.nat);
  const mangle = assemble([[CANARY_CHAIN, []]], noChains, previous?.tables.mangle);
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
    servicePorts: state.fragmentOf.size,
    endpoints: state.endpoints,
    largeCluster: state.endpoints > LARGE_CLUSTER_ENDPOINTS,
    noLocalEndpoints: { ...state.noLocal },
    rules: { filter: filter.ruleCount, nat: nat.ruleCount, mangle: mangle.ruleCount },
  };
  return { ruleSet, warnings, stats, views: state.views };
}

const NO_CHAINS: ReadonlyMap<string, readonly string[]> = new Map();

export function renderFamilies(
  base: Omit<RenderInput, 'family'>,
  families: readonly IpFamily[],
): Map<IpFamily, RenderResult> {
  return new Map(families.map((family) => [family, render({ ...base, family })]));
}
