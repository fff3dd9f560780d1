/**
 * A Runner whose "kernel" is an in-memory ruleset per family: restore applies the input the way
 * `iptables-restore --noflush` would (`:CHAIN` creates or flushes, -A, -I, -D, -X), save prints
 * the state as iptables-save does. Records every restore input; failures can be injected.
 */
import { RestoreError } from '../../src/errors.js';
import { emptyLiveRuleSet, sortChains, type LiveRuleSet, type LiveTable } from '../../src/iptables/live.js';
import type { RestoreOp } from '../../src/iptables/restore-plan.js';
import {
  inputText,
  type IptablesVersion,
  type RestoreInput,
  type Runner,
} from '../../src/iptables/runner.js';
import { applyOpsToTable } from '../../src/iptables/simulate.js';
import type { IpFamily } from '../../src/model/family.js';

export interface RestoreCall {
  readonly family: IpFamily;
  readonly input: string;
}

function parseOp(line: string): RestoreOp {
  const declare = /^:(\S+) /.exec(line);
  if (declare) return { kind: 'declare', chain: declare[1]! };
  const m = /^-(A|I|D|X) (\S+)(?: (.*))?$/.exec(line);
  if (!m) throw new Error(`fake kernel: cannot parse ${line}`);
  const [, op, chain = '', rest = ''] = m;
  switch (op as 'A' | 'I' | 'D' | 'X') {
    case 'A':
      return { kind: 'append', chain, rule: rest };
    case 'I': {
      const at = /^(\d+)(?: (.*))?$/.exec(rest);
      if (!at) throw new Error(`fake kernel: -I without a position: ${line}`);
      const position = Number(at[1]);
      return position === 1
        ? { kind: 'insert', chain, rule: at[2] ?? '' }
        : { kind: 'insert', chain, rule: at[2] ?? '', position };
    }
    case 'D':
      return /^\d+$/.test(rest)
        ? { kind: 'delete-at', chain, position: Number(rest) }
        : { kind: 'delete-rule', chain, rule: rest };
    case 'X':
      return { kind: 'delete-chain', chain };
  }
}

export function saveText(live: LiveRuleSet, table?: string): string {
  const lines: string[] = [];
  for (const [name, t] of live.tables) {
    if (table !== undefined && name !== table) continue;
    lines.push(`*${name}`);
    const chains = sortChains(t.chains);
    for (const [chain, c] of chains) lines.push(`:${chain} ${c.policy ?? '-'} [0:0]`);
    for (const [chain, c] of chains)
      for (const r of c.rules) lines.push(r === '' ? `-A ${chain}` : `-A ${chain} ${r}`);
    lines.push('COMMIT');
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

export class FakeKernel implements Runner {
  readonly backend = 'auto' as const;
  readonly restores: RestoreCall[] = [];
  saves = 0;
  /** The next `failRestores` restore calls fail (and change nothing). */
  failRestores = 0;
  private readonly state = new Map<IpFamily, LiveRuleSet>();

  live(family: IpFamily): LiveRuleSet {
    return this.state.get(family) ?? emptyLiveRuleSet(family);
  }

  /** Deletes every chain of every table (an external `iptables -F; iptables -X` on all tables). */
  flushAll(): void {
    this.state.clear();
  }

  save(family: IpFamily, table?: string): Promise<string> {
    this.saves++;
    return Promise.resolve(saveText(this.live(family), table));
  }

  /** The save text in chunks of 1000 characters, so lines span chunks as they do in a real pipe. */
  async saveTo(family: IpFamily, sink: (chunk: string) => void): Promise<void> {
    const text = await this.save(family);
    for (let i = 0; i < text.length; i += 1000) sink(text.slice(i, i + 1000));
  }

  restore(family: IpFamily, restoreInput: RestoreInput): Promise<void> {
    const input = inputText(restoreInput);
    this.restores.push({ family, input });
    if (this.failRestores > 0) {
      this.failRestores--;
      return Promise.reject(
        new RestoreError('injected restore failure', {
          binary: family === 'ipv6' ? 'ip6tables-restore' : 'iptables-restore',
          exitCode: 1,
          stderr: 'injected',
          line: 1,
          lineText: '',
          context: [],
          table: undefined,
          chain: undefined,
        }),
      );
    }
    const tables = new Map<string, LiveTable>(this.live(family).tables);
    let table: string | undefined;
    let ops: RestoreOp[] = [];
    for (const line of input.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      if (line.startsWith('*')) {
        table = line.slice(1);
        ops = [];
      } else if (line === 'COMMIT') {
        if (table === undefined) throw new Error('fake kernel: COMMIT outside a table');
        tables.set(table, applyOpsToTable(tables.get(table), table, ops));
        table = undefined;
      } else {
        ops.push(parseOp(line));
      }
    }
    this.state.set(family, { family, tables });
    return Promise.resolve();
  }

  version(): Promise<IptablesVersion> {
    return Promise.resolve({
      major: 1,
      minor: 8,
      patch: 9,
      mode: 'nf_tables',
      text: 'iptables v1.8.9 (nf_tables)',
    });
  }

  supportsRandomFully(): Promise<boolean> {
    return Promise.resolve(true);
  }
}
