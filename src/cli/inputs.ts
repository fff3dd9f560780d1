import { hostname as osHostname } from 'node:os';
import type winston from 'winston';
import { loadConfigFile } from '../config/load.js';
import type { ProxyConfig } from '../config/types.js';
import { loadObjects } from '../input/load-objects.js';
import { convertObjects } from '../k8s/convert.js';
import type { ClusterSnapshot } from '../model/cluster.js';
import type { IpFamily } from '../model/family.js';
import { buildSnapshot } from '../model/snapshot.js';
import type { HostFacts } from '../render/input.js';

/** The config file and object files of the offline commands (render, apply, diff, trace). */
export interface OfflineInputs {
  readonly config: ProxyConfig;
  readonly snapshot: ClusterSnapshot;
}

export async function loadOfflineInputs(
  configPath: string,
  objectPaths: readonly string[],
  log: winston.Logger,
): Promise<OfflineInputs> {
  const { config, warnings } = await loadConfigFile(configPath, { hostname: osHostname() });
  for (const w of warnings) log.warn(w, { file: configPath });
  const converted = convertObjects(await loadObjects([...objectPaths]));
  for (const w of converted.warnings) log.warn(`${w.object}: ${w.message}`);
  const snapshot = buildSnapshot(converted.services, converted.endpointSlices, converted.nodes);
  return { config, snapshot };
}

/**
 * Host facts for offline rendering: the local Node object's addresses stand in for the interface
 * addresses (plus loopback), MASQUERADE --random-fully is assumed (iptables >= 1.6.2), and
 * tcpBeLiberal comes from the config.
 */
export function offlineHostFacts(inputs: OfflineInputs): HostFacts {
  const node = inputs.snapshot.nodes.find((n) => n.name === inputs.config.hostname);
  return {
    localAddresses: ['127.0.0.1', '::1', ...(node?.addresses.map((a) => a.address) ?? [])],
    randomFully: true,
    tcpBeLiberal: inputs.config.conntrack.tcpBeLiberal ?? false,
  };
}

/** The families a node serves: those of its cluster CIDRs, node addresses and service IPs. */
export function clusterFamilies(inputs: OfflineInputs): IpFamily[] {
  const seen = new Set<IpFamily>();
  const add = (ip: string): void => void seen.add(ip.includes(':') ? 'ipv6' : 'ipv4');
  inputs.config.clusterCIDRs.forEach(add);
  for (const svc of inputs.snapshot.services) svc.clusterIPs.forEach(add);
  return (['ipv4', 'ipv6'] as const).filter((f) => seen.has(f));
}
