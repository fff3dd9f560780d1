/**
 * The fixed address plan of a test topology. Everything lives inside namespaces the harness
 * creates; nothing here is ever configured in the host's own network namespace.
 *
 *   ext (192.168.60.2) --eth0/eth1--> node (192.168.60.1 | 192.168.50.1) <--eth0/eth0-- node2 (192.168.50.2)
 *   node: local pods 10.244.1.11.. and client pods 10.244.1.101.., each on its own veth kpv<name>
 *   node2: remote pods 10.244.2.11.., each on its own veth kpv<name>
 */

export const CLUSTER_CIDR = '10.244.0.0/16';
export const CLUSTER_CIDR_V6 = 'fd00:10:244::/48';

/** Suggested service range for tests (never configured anywhere, only matched by rules). */
export const SERVICE_CIDR = '10.96.0.0/16';
export const SERVICE_CIDR_V6 = 'fd00:10:96::/112';

/** Node-side veths of every pod (both nodes) start with this, for interface-prefix local detection. */
export const POD_INTERFACE_PREFIX = 'kpv';

/** node's link to node2 and to ext (pods always use eth0 towards their node). */
export const NODE_TO_NODE2_IFACE = 'eth0';
export const NODE_TO_EXT_IFACE = 'eth1';

export const NODE_IP = '192.168.50.1';
export const NODE_IP_V6 = 'fd00:192:168:50::1';
export const NODE2_IP = '192.168.50.2';
export const NODE2_IP_V6 = 'fd00:192:168:50::2';
export const NODE_LINK_PREFIX = 24;
export const NODE_LINK_PREFIX_V6 = 64;

export const NODE_EXT_SIDE_IP = '192.168.60.1';
export const NODE_EXT_SIDE_IP_V6 = 'fd00:192:168:60::1';
export const EXT_IP = '192.168.60.2';
export const EXT_IP_V6 = 'fd00:192:168:60::2';
export const EXT_CIDR = '192.168.60.0/24';
export const EXT_CIDR_V6 = 'fd00:192:168:60::/64';

export interface PodNetwork {
  readonly cidr: string;
  readonly cidrV6: string;
  /** Put on every node-side veth as a /32 (/128); the pods' default gateway. */
  readonly gateway: string;
  readonly gatewayV6: string;
  /** `prefix + n` is a pod address (IPv4 last octet, IPv6 last group written the same way). */
  readonly prefix: string;
  readonly prefixV6: string;
}

export const LOCAL_POD_NETWORK: PodNetwork = {
  cidr: '10.244.1.0/24',
  cidrV6: 'fd00:10:244:1::/64',
  gateway: '10.244.1.1',
  gatewayV6: 'fd00:10:244:1::1',
  prefix: '10.244.1.',
  prefixV6: 'fd00:10:244:1::',
};

export const REMOTE_POD_NETWORK: PodNetwork = {
  cidr: '10.244.2.0/24',
  cidrV6: 'fd00:10:244:2::/64',
  gateway: '10.244.2.1',
  gatewayV6: 'fd00:10:244:2::1',
  prefix: '10.244.2.',
  prefixV6: 'fd00:10:244:2::',
};

/** Host numbers: backend pods get 11, 12, ...; client pods 101, 102, ... */
export const BACKEND_HOST_BASE = 10;
export const CLIENT_HOST_BASE = 100;
export const MAX_BACKENDS = 89;
export const MAX_CLIENTS = 150;
