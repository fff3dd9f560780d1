/** Names of the iptables tools per backend and family, for tests that apply rules in a namespace. */

export type IptablesBackend = 'nft' | 'legacy';
export type IpFamily = 4 | 6;
export type IptablesTool = 'iptables' | 'save' | 'restore';

/** e.g. ('nft', 4, 'restore') -> 'iptables-nft-restore', ('legacy', 6, 'iptables') -> 'ip6tables-legacy'. */
export function iptablesBinary(backend: IptablesBackend, family: IpFamily, tool: IptablesTool): string {
  const base = `${family === 6 ? 'ip6tables' : 'iptables'}-${backend}`;
  return tool === 'iptables' ? base : `${base}-${tool}`;
}
