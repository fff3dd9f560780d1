import type winston from 'winston';
import type { Runner } from '../iptables/runner.js';
import type { IpFamily } from '../model/family.js';
import { CANARY_CHAIN } from '../render/fixed-chains.js';

/**
 * Detects an external flush (firewalld reload, `iptables -X`): KUBE-PROXY-CANARY is part of every
 * rendered ruleset, so once a family has been synced its canary must exist. Checked on each
 * periodic tick in the small mangle and filter tables (saving nat would cost as much as a sync);
 * when one is gone, `onMissing` forgets the applied state and asks for a full sync.
 */

/** Tables whose canary is checked; nat is left out on purpose (its save is large). */
const CHECKED_TABLES = ['mangle', 'filter'] as const;

export interface CanaryOptions {
  readonly runner: Runner;
  /** The families synced so far (no canary is expected before the first sync). */
  readonly families: () => readonly IpFamily[];
  readonly onMissing: (family: IpFamily, table: string) => void;
  readonly logger: winston.Logger;
}

export function hasChain(saveText: string, chain: string): boolean {
  return saveText.split('\n').some((line) => line.startsWith(`:${chain} `));
}

export class CanaryMonitor {
  private readonly log: winston.Logger;

  constructor(private readonly options: CanaryOptions) {
    this.log = options.logger.child({ component: 'canary' });
  }

  /** Checks every synced family; returns the first missing canary (and reports it), if any. */
  async check(): Promise<{ family: IpFamily; table: string } | undefined> {
    for (const family of this.options.families()) {
      for (const table of CHECKED_TABLES) {
        let text: string;
        try {
          text = await this.options.runner.save(family, table);
        } catch (error) {
          this.log.warn('cannot check the canary chain', {
            family,
            table,
            error: error instanceof Error ? error.message : String(error),
          });
          continue;
        }
        if (hasChain(text, CANARY_CHAIN)) continue;
        this.log.warn('canary chain missing: rules were flushed, resyncing', {
          family,
          table,
          chain: CANARY_CHAIN,
        });
        this.options.onMissing(family, table);
        return { family, table };
      }
    }
    return undefined;
  }
}
