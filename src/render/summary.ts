import { collectViews } from './render.js';
import type { RenderInput } from './input.js';
import { endpointChain, serviceChain } from './names.js';
import type { ServicePortView } from './service-view.js';

/** `kproxy render --format summary`: one row per service port, for reading instead of grepping. */

function endpointStates(v: ServicePortView): string {
  let ready = 0;
  let terminating = 0;
  let notReady = 0;
  for (const { endpoint } of v.endpoints) {
    if (endpoint.ready) ready++;
    else if (endpoint.serving && endpoint.terminating) terminating++;
    else notReady++;
  }
  const local = v.endpoints.filter((e) => e.local).length;
  return `${ready} ready, ${terminating} terminating, ${notReady} not ready (${local} local)`;
}

function chains(v: ServicePortView): string {
  const c = v.categorized;
  const names: string[] = [];
  if (c.cluster.length > 0) names.push(serviceChain('KUBE-SVC-', v.hash));
  if (c.local.length > 0) names.push(serviceChain('KUBE-SVL-', v.hash));
  if (c.hasEndpoints && v.externallyAccessible) names.push(serviceChain('KUBE-EXT-', v.hash));
  if (c.hasEndpoints && v.loadBalancerIPs.length > 0 && v.sourceRanges.length > 0) {
    names.push(serviceChain('KUBE-FW-', v.hash));
  }
  names.push(...c.reachable.map((ep) => endpointChain(v.name, v.port.protocol, ep.address)));
  return names.length > 0 ? names.join(' ') : '-';
}

function row(v: ServicePortView): string[] {
  const ips = [
    v.clusterIP,
    ...v.externalIPs.map((ip) => `ext:${ip}`),
    ...v.loadBalancerIPs.map((ip) => `lb:${ip}`),
  ];
  const ports = `${v.port.port}/${v.protocol}${v.nodePort ? ` np:${v.nodePort}` : ''}`;
  const policy = `ext=${v.service.externalTrafficPolicy} int=${v.service.internalTrafficPolicy}${
    v.service.sessionAffinity.kind === 'ClientIP'
      ? ` affinity=${v.service.sessionAffinity.timeoutSeconds}s`
      : ''
  }${v.categorized.topology !== 'none' ? ` topology=${v.categorized.topology}` : ''}`;
  const verdict = v.categorized.hasEndpoints ? '' : ' (REJECT)';
  return [v.name, v.service.type, ips.join(','), ports, policy, endpointStates(v) + verdict, chains(v)];
}

export function formatSummary(input: RenderInput): string {
  const header = ['SERVICE', 'TYPE', 'IPS', 'PORT', 'POLICY', 'ENDPOINTS', 'CHAINS'];
  const rows = [header, ...collectViews(input, []).map(row)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return (
    rows
      .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '))
      .join('\n') + '\n'
  );
}
