import type { Argv } from 'yargs';
import type { Backend } from '../iptables/runner.js';

export interface IptablesArgs {
  'iptables-backend': Backend;
}

/** --iptables-backend, shared by every command that touches iptables. */
export function withIptablesBackend<T>(y: Argv<T>): Argv<T & IptablesArgs> {
  return y.option('iptables-backend', {
    choices: ['auto', 'nft', 'legacy'] as const,
    default: 'auto' as const,
    describe: 'auto: the iptables-save/-restore on PATH; nft or legacy: iptables-nft-* or iptables-legacy-*',
  });
}
