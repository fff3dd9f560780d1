import { cidrContains } from '../model/ip.js';
import type { IpFamily } from '../model/family.js';
import type { PortEndpoint } from './endpoints.js';
import { emptyFragment, type ServiceFragment } from './fragment.js';
import { detectorMatch, type LocalDetector } from './local-detect.js';
import { endpointChain, serviceChain } from './names.js';
import { statisticMatch } from './probability.js';
import {
  addrtypeMatch,
  dnatTarget,
  dportMatch,
  hostCidr,
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
  const f: ServiceFragment = {
    ...emptyFragment(),
    noLocalEndpoints: { internal: hasEndpoints && !hasInternal, external: hasEndpoints && !hasExternal },
  };

  const p = v.protocol;
  const dport = dportMatch(p, v.port.port);
  const vipRule = (ip: string, comment: string, target: string): string =>
    ruleText({ dst: { cidr: hostCidr(ip, family) }, protocol: p, comment, matches: [dport], target });

  // ClusterIP
  if (hasInternal) f.natServices.push(vipRule(v.clusterIP, `${v.name} cluster IP`, internalChain));
  else if (verdict.internal)
    f.filterServices.push(vipRule(v.clusterIP, verdict.internal.comment, verdict.internal.target));

  // externalIPs
  for (const ip of v.externalIPs) {
    if (hasEndpoints) f.natServices.push(vipRule(ip, `${v.name} external IP`, extChain));
    if (verdict.external)
      f.filterExternal.push(vipRule(ip, verdict.external.comment, verdict.external.target));
  }

  // LoadBalancer ingress IPs
  for (const ip of v.loadBalancerIPs) {
    if (hasEndpoints) f.natServices.push(vipRule(ip, `${v.name} loadbalancer IP`, lbChain));
    if (usesFwChain)
      f.filterFirewall.push(vipRule(ip, `${v.name} traffic not accepted by ${fwChain}`, 'DROP'));
  }
  if (verdict.external) {
    for (const ip of v.loadBalancerIPs) {
      f.filterExternal.push(vipRule(ip, verdict.external.comment, verdict.external.target));
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

  const chain = (name: string): string[] => {
    let rules = f.natChains.get(name);
    if (!rules) {
      rules = [];
      f.natChains.set(name, rules);
    }
    return rules;
  };

  // Masquerade ClusterIP traffic that does not come from a local pod (or all of it).
  if (hasInternal) {
    const masq = ctx.masqueradeAll ? {} : detectorMatch(ctx.detector, true);
    if (masq) {
      chain(internalChain).push(
        ruleText({
          ...masq,
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
    writeExternalChain(chain(extChain), v, ctx, { svcChain, externalPolicyChain, hasExternal });
  if (usesFwChain) writeFirewallChain(chain(fwChain), v, ctx, extChain);
  const sepNames = new Map(
    reachable.map((ep) => [ep.address, endpointChain(v.name, v.port.protocol, ep.address)]),
  );
  const sepOf = (ep: PortEndpoint): string => sepNames.get(ep.address) ?? '';
  if (usesClusterChain) writeEndpointJumps(chain(svcChain), v, cluster, sepOf, ctx);
  if (usesLocalChain) writeEndpointJumps(chain(svlChain), v, local, sepOf, ctx);
  for (const ep of reachable) writeEndpointChain(chain(sepOf(ep)), v, ep, sepOf(ep), ctx);
  return f;
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
          ...pods,
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

function writeEndpointJumps(
  rules: string[],
  v: ServicePortView,
  endpoints: readonly PortEndpoint[],
  sepOf: (ep: PortEndpoint) => string,
  ctx: ServiceRuleContext,
): void {
  const comment = (ep: PortEndpoint): string | undefined =>
    ctx.largeCluster ? undefined : `${v.name} -> ${ep.address}`;
  const affinity = v.service.sessionAffinity;
  if (affinity.kind === 'ClientIP') {
    for (const ep of endpoints) {
      const sep = sepOf(ep);
      const check = recentCheckMatch(sep, affinity.timeoutSeconds, ctx.family);
      rules.push(ruleText({ comment: comment(ep), matches: [check], target: sep }));
    }
  }
  endpoints.forEach((ep, i) => {
    const sep = sepOf(ep);
    const remaining = endpoints.length - i;
    const matches = remaining > 1 ? [statisticMatch(remaining)] : [];
    rules.push(ruleText({ comment: comment(ep), matches, target: sep }));
  });
}

function writeEndpointChain(
  rules: string[],
  v: ServicePortView,
  ep: PortEndpoint,
  sep: string,
  ctx: ServiceRuleContext,
): void {
  const comment = ctx.largeCluster ? undefined : v.name;
  // Hairpin: an endpoint reaching itself through the service must be masqueraded.
  rules.push(ruleText({ src: { cidr: hostCidr(ep.ip, ctx.family) }, comment, target: MARK_MASQ }));
  const matches = v.service.sessionAffinity.kind === 'ClientIP' ? [recentSetMatch(sep, ctx.family)] : [];
  matches.push(`-m ${v.protocol}`);
  rules.push(ruleText({ protocol: v.protocol, comment, matches, target: dnatTarget(ep.address) }));
}
