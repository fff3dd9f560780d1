import { cidrContains } from '../model/ip.js';
import type { IpFamily } from '../model/family.js';
import type { PortEndpoint } from './endpoints.js';
import { emptyFragment, type ServiceFragment } from './fragment.js';
import { detectorMatch, type DetectorMatch, type LocalDetector } from './local-detect.js';
import { endpointChains, serviceChain, type ChainName } from './names.js';
import { statisticMatch } from './probability.js';
import {
  addrtypeMatch,
  commentMatch,
  DNAT_TARGET,
  dportMatch,
  hostCidr,
  hostPrefix,
  recentCheckMatch,
  recentSetMatch,
  rejectTarget,
  ruleText,
} from './rule-text.js';
import type { ServicePortView } from './service-view.js';

/** Everything besides the service port that decides its rules. */
export interface ServiceRuleContext {
  readonly family: IpFamily;
  readonly detector: LocalDetector;
  readonly masqueradeAll: boolean;
  readonly primaryNodeIP: string;
  /** More than 1000 endpoints in total: per-endpoint comments are left out, as kube-proxy does. */
  readonly largeCluster: boolean;
}

const MARK_MASQ = 'KUBE-MARK-MASQ';

interface Verdicts {
  readonly internal: { target: string; comment: string } | undefined;
  readonly external: { target: string; comment: string } | undefined;
}

function verdicts(
  v: ServicePortView,
  hasInternal: boolean,
  hasExternal: boolean,
  family: IpFamily,
): Verdicts {
  if (!v.categorized.hasEndpoints) {
    const reject = { target: rejectTarget(family), comment: `${v.name} has no endpoints` };
    return { internal: reject, external: reject };
  }
  const drop = { target: 'DROP', comment: `${v.name} has no local endpoints` };
  return { internal: hasInternal ? undefined : drop, external: hasExternal ? undefined : drop };
}

export function renderServicePort(v: ServicePortView, ctx: ServiceRuleContext): ServiceFragment {
  const { family } = ctx;
  const { cluster, local, reachable, hasEndpoints } = v.categorized;
  const svcChain = serviceChain('KUBE-SVC-', v.hash);
  const svlChain = serviceChain('KUBE-SVL-', v.hash);
  const extChain = serviceChain('KUBE-EXT-', v.hash);
  const fwChain = serviceChain('KUBE-FW-', v.hash);

  const usesClusterChain = cluster.length > 0;
  const usesLocalChain = local.length > 0;
  const internalChain = v.internalPolicyLocal ? svlChain : svcChain;
  const hasInternal = hasEndpoints && (!v.internalPolicyLocal || local.length > 0);
  const externalPolicyChain = v.externalPolicyLocal ? svlChain : svcChain;
  const hasExternal = hasEndpoints && (!v.externalPolicyLocal || local.length > 0);
  const usesExtChain = hasEndpoints && v.externallyAccessible;
  const usesFwChain = hasEndpoints && v.loadBalancerIPs.length > 0 && v.sourceRanges.length > 0;
  const lbChain = usesFwChain ? fwChain : extChain;
  const verdict = verdicts(v, hasInternal, hasExternal, family);
  const f = emptyFragment({ internal: hasEndpoints && !hasInternal, external: hasEndpoints && !hasExternal });

  const p = v.protocol;
  const dport = dportMatch(p, v.port.port);

  // ClusterIP
  if (hasInternal) {
    f.natServices.push(vipRule(v, family, dport, v.clusterIP, `${v.name} cluster IP`, internalChain));
  } else if (verdict.internal) {
    f.filterServices.push(
      vipRule(v, family, dport, v.clusterIP, verdict.internal.comment, verdict.internal.target),
    );
  }

  // externalIPs
  for (const ip of v.externalIPs) {
    if (hasEndpoints) f.natServices.push(vipRule(v, family, dport, ip, `${v.name} external IP`, extChain));
    if (verdict.external) {
      f.filterExternal.push(vipRule(v, family, dport, ip, verdict.external.comment, verdict.external.target));
    }
  }

  // LoadBalancer ingress IPs
  for (const ip of v.loadBalancerIPs) {
    if (hasEndpoints) f.natServices.push(vipRule(v, family, dport, ip, `${v.name} loadbalancer IP`, lbChain));
    if (usesFwChain) {
      f.filterFirewall.push(
        vipRule(v, family, dport, ip, `${v.name} traffic not accepted by ${fwChain}`, 'DROP'),
      );
    }
  }
  if (verdict.external) {
    for (const ip of v.loadBalancerIPs) {
      f.filterExternal.push(vipRule(v, family, dport, ip, verdict.external.comment, verdict.external.target));
    }
  }

  // NodePort
  if (v.nodePort !== 0) {
    const nodePortMatch = dportMatch(p, v.nodePort);
    if (hasEndpoints) {
      f.natNodePorts.push(
        ruleText({ protocol: p, comment: v.name, matches: [nodePortMatch], target: extChain }),
      );
    }
    if (verdict.external) {
      f.filterExternal.push(
        ruleText({
          protocol: p,
          comment: verdict.external.comment,
          matches: [addrtypeMatch('dst'), nodePortMatch],
          target: verdict.external.target,
        }),
      );
    }
  }

  // Health check NodePort: always accepted, whatever the endpoints.
  if (v.healthCheckNodePort !== 0) {
    f.filterNodePorts.push(
      ruleText({
        protocol: 'tcp',
        comment: `${v.name} health check node port`,
        matches: [dportMatch('tcp', v.healthCheckNodePort)],
        target: 'ACCEPT',
      }),
    );
  }

  // Masquerade ClusterIP traffic that does not come from a local pod (or all of it).
  if (hasInternal) {
    const masq: DetectorMatch | undefined = ctx.masqueradeAll ? {} : detectorMatch(ctx.detector, true);
    if (masq) {
      natChain(f, internalChain).push(
        ruleText({
          // Named rather than spread: spreading then adding fields builds the object slowly.
          src: masq.src,
          inInterface: masq.inInterface,
          dst: { cidr: hostCidr(v.clusterIP, family) },
          protocol: p,
          comment: `${v.name} cluster IP`,
          matches: [dport],
          target: MARK_MASQ,
        }),
      );
    }
  }

  if (usesExtChain)
    writeExternalChain(natChain(f, extChain), v, ctx, { svcChain, externalPolicyChain, hasExternal });
  if (usesFwChain) writeFirewallChain(natChain(f, fwChain), v, ctx, extChain);
  // The port's SEP names, memoised across renders (names.ts): cluster and local are subsets of
  // reachable, so their names come from reachable's.
  const seps = endpointChains(v.name, v.port.protocol);
  const sepNames =
    reachable.length > 0
      ? seps.names(
          ctx.family,
          reachable.map((ep) => ep.address),
        )
      : NO_NAMES;
  const other = (address: string): ChainName => seps.chain(address);
  const shape = endpointRuleShape(v, ctx);
  if (usesClusterChain) {
    const names = cluster === reachable ? sepNames : subsetNames(cluster, reachable, sepNames, other);
    writeEndpointJumps(natChain(f, svcChain), v, cluster, names, shape);
  }
  if (usesLocalChain) {
    const names = local === reachable ? sepNames : subsetNames(local, reachable, sepNames, other);
    writeEndpointJumps(natChain(f, svlChain), v, local, names, shape);
  }
  for (let i = 0; i < reachable.length; i++) {
    writeEndpointChain(f, reachable[i] as PortEndpoint, sepNames[i] as ChainName, shape);
  }
  return f;
}

const NO_NAMES: readonly ChainName[] = [];

/**
 * The SEP names of `subset`'s endpoints, taken from those of `all` (categorize.ts makes the
 * cluster and local lists subsets of reachable; `fallback` names any endpoint that is not).
 */
function subsetNames(
  subset: readonly PortEndpoint[],
  all: readonly PortEndpoint[],
  allNames: readonly ChainName[],
  fallback: (address: string) => ChainName,
): ChainName[] {
  const byAddress = new Map<string, ChainName>();
  for (let i = 0; i < all.length; i++)
    byAddress.set((all[i] as PortEndpoint).address, allNames[i] as ChainName);
  return subset.map((ep) => byAddress.get(ep.address) ?? fallback(ep.address));
}

/** A rule matching a VIP and the service port: the ClusterIP, external IP and LB IP rules. */
function vipRule(
  v: ServicePortView,
  family: IpFamily,
  dport: string,
  ip: string,
  comment: string,
  target: string,
): string {
  return ruleText({
    dst: { cidr: hostCidr(ip, family) },
    protocol: v.protocol,
    comment,
    matches: [dport],
    target,
  });
}

/** The rules of one of the fragment's nat chains, created empty on first use. */
function natChain(f: ServiceFragment, name: string): string[] {
  let rules = f.natChains.get(name);
  if (!rules) {
    rules = [];
    f.natChains.set(name, rules);
  }
  return rules;
}

function writeExternalChain(
  rules: string[],
  v: ServicePortView,
  ctx: ServiceRuleContext,
  chains: { svcChain: string; externalPolicyChain: string; hasExternal: boolean },
): void {
  if (!v.externalPolicyLocal) {
    rules.push(
      ruleText({ comment: `masquerade traffic for ${v.name} external destinations`, target: MARK_MASQ }),
    );
  } else {
    const pods = detectorMatch(ctx.detector, false);
    if (pods) {
      rules.push(
        ruleText({
          src: pods.src,
          inInterface: pods.inInterface,
          comment: `pod traffic for ${v.name} external destinations`,
          target: chains.svcChain,
        }),
      );
    }
    rules.push(
      ruleText({
        comment: `masquerade LOCAL traffic for ${v.name} external destinations`,
        matches: [addrtypeMatch('src')],
        target: MARK_MASQ,
      }),
      ruleText({
        comment: `route LOCAL traffic for ${v.name} external destinations`,
        matches: [addrtypeMatch('src')],
        target: chains.svcChain,
      }),
    );
  }
  if (chains.hasExternal) rules.push(ruleText({ target: chains.externalPolicyChain }));
}

function writeFirewallChain(
  rules: string[],
  v: ServicePortView,
  ctx: ServiceRuleContext,
  extChain: string,
): void {
  const comment = `${v.name} loadbalancer IP`;
  let allowFromNode = false;
  for (const cidr of v.sourceRanges) {
    rules.push(ruleText({ src: { cidr }, comment, target: extChain }));
    if (cidrContains(cidr, ctx.primaryNodeIP)) allowFromNode = true;
  }
  if (allowFromNode) {
    // A request from the node to a VIP bound locally loops back with the VIP as source.
    for (const ip of v.loadBalancerIPs) {
      rules.push(ruleText({ src: { cidr: hostCidr(ip, ctx.family) }, comment, target: extChain }));
    }
  }
  rules.push(ruleText({ comment: `other traffic to ${v.name} will be dropped by KUBE-PROXY-FIREWALL` }));
}

/**
 * The per-endpoint rules (a jump and two SEP rules per endpoint) are most of a large ruleset, so
 * they are written by the builders below rather than ruleText: each is one join of the pieces
 * that vary per endpoint around these per-port constant pieces, in exactly the text ruleText
 * would give (the comment on each builder says which call). That spares a RuleParts object and
 * match array per rule, and the join gives a flat string.
 */
interface EndpointRuleShape {
  readonly family: IpFamily;
  /** Per-endpoint comments in jump rules (`<port> -> <endpoint>`): left out in large clusters. */
  readonly jumpComments: boolean;
  /** ClientIP affinity timeout, or undefined without affinity. */
  readonly affinitySeconds: number | undefined;
  /** What follows `-s <ip>` in the hairpin rule: prefix length, comment and target. */
  readonly hairpinTail: string;
  /** `-p <proto> [comment] `: the start of the DNAT rule. */
  readonly dnatHead: string;
  /** `-m <proto> -j DNAT --to-destination `: the end of the DNAT rule, before the endpoint. */
  readonly dnatTail: string;
}

function endpointRuleShape(v: ServicePortView, ctx: ServiceRuleContext): EndpointRuleShape {
  const { family } = ctx;
  const affinity = v.service.sessionAffinity;
  // The SEP rules' comment is the port name; large clusters leave it out.
  const comment = ctx.largeCluster ? '' : `${commentMatch(v.name)} `;
  return {
    family,
    jumpComments: !ctx.largeCluster,
    affinitySeconds: affinity.kind === 'ClientIP' ? affinity.timeoutSeconds : undefined,
    hairpinTail: `${hostPrefix(family)} ${comment}-j ${MARK_MASQ}`,
    dnatHead: `-p ${v.protocol} ${comment}`,
    dnatTail: `-m ${v.protocol} -j ${DNAT_TARGET} `,
  };
}

/** `-m comment --comment "<port> -> <endpoint>" `, or '' when large clusters leave it out. */
function jumpComment(v: ServicePortView, ep: PortEndpoint, shape: EndpointRuleShape): string {
  return shape.jumpComments ? `${commentMatch(`${v.name} -> ${ep.address}`)} ` : '';
}

function writeEndpointJumps(
  rules: string[],
  v: ServicePortView,
  endpoints: readonly PortEndpoint[],
  sepNames: readonly ChainName[],
  shape: EndpointRuleShape,
): void {
  const count = endpoints.length;
  if (shape.affinitySeconds !== undefined) {
    for (let i = 0; i < count; i++) {
      const ep = endpoints[i] as PortEndpoint;
      const sep = sepNames[i] as ChainName;
      const check = recentCheckMatch(sep, shape.affinitySeconds, shape.family);
      // ruleText({ comment, matches: [check], target: sep })
      rules.push([jumpComment(v, ep, shape), check, ' -j ', sep].join(''));
    }
  }
  for (let i = 0; i < count; i++) {
    const ep = endpoints[i] as PortEndpoint;
    const remaining = count - i;
    const sep = sepNames[i] as ChainName;
    // ruleText({ comment, matches: remaining > 1 ? [statistic] : [], target: sep })
    rules.push(
      remaining > 1
        ? [jumpComment(v, ep, shape), statisticMatch(remaining), ' -j ', sep].join('')
        : [jumpComment(v, ep, shape), '-j ', sep].join(''),
    );
  }
}

/** The endpoint's SEP chain: the hairpin masquerade, then the DNAT. */
function writeEndpointChain(
  f: ServiceFragment,
  ep: PortEndpoint,
  sep: ChainName,
  shape: EndpointRuleShape,
): void {
  // Hairpin: an endpoint reaching itself through the service must be masqueraded.
  // ruleText({ src: { cidr: hostCidr(ep.ip) }, comment, target: MARK_MASQ })
  const hairpin = ['-s ', ep.ip, shape.hairpinTail].join('');
  // ruleText({ protocol, comment, matches: [recentSet?, `-m ${protocol}`], target: `${DNAT_TARGET} ${address}` })
  const remember = shape.affinitySeconds !== undefined ? `${recentSetMatch(sep, shape.family)} ` : '';
  const dnat = [shape.dnatHead, remember, shape.dnatTail, ep.address].join('');
  // An array literal is allocated at its final size, where pushing onto [] reserves 17 slots.
  const rules = f.natChains.get(sep);
  if (rules) rules.push(hairpin, dnat);
  else f.natChains.set(sep, [hairpin, dnat]);
}
