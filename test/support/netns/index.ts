/** Network-namespace e2e harness: real traffic through real iptables rules, isolated from the host. */
export * from './address-plan.js';
export { splitEndpoint } from './client.js';
export { createTopology, NAMESPACE_PREFIX, TopologyError } from './create-topology.js';
export { iptablesBinary, type IptablesBackend, type IpFamily } from './iptables.js';
export { cleanupAllSync, liveTopologyIds } from './registry.js';
export { NetnsCommandError } from './run.js';
export { describeWithNetns, netnsUnavailableReason, requireNetns } from './skip-policy.js';
export type * from './types.js';
export { namespacesStartingWith, pidsMentioning, resetRules, restoreRules } from './inspect.js';
