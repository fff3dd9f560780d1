import { expect } from 'chai';
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { parseSave } from '../../src/iptables/parse.js';
import { createRunner } from '../../src/iptables/runner.js';
import { describeWithNetns } from '../support/netns/index.js';

/**
 * iptables-nft-save 1.8.9 recurses per rule and dies with SIGSEGV once a table outgrows the stack
 * limit (~150k rules at the default 8 MiB; such a table takes minutes to save, too slow for a
 * test). The mechanism is the same at a smaller scale: with this process's soft stack limit (which
 * children inherit) lowered to 2 MiB, a ~60k-rule nat table crashes the plain save, and
 * runner.save, which runs the save under `prlimit --stack=unlimited`, still reads all of it.
 */

const SERVICES = 2000;
const ENDPOINTS = 10;
const LOW_STACK = 2 * 1024 * 1024;

function bigNatTable(): { text: string; rules: number; chains: number } {
  const chains = [':KUBE-SERVICES - [0:0]'];
  const rules = ['-A PREROUTING -j KUBE-SERVICES'];
  for (let s = 0; s < SERVICES; s++) {
    const svc = `KUBE-SVC-${s.toString(16).padStart(12, '0').toUpperCase()}`;
    chains.push(`:${svc} - [0:0]`);
    rules.push(`-A KUBE-SERVICES -d 10.96.${s >> 8}.${s & 255}/32 -p tcp -m tcp --dport 80 -j ${svc}`);
    for (let e = 0; e < ENDPOINTS; e++) {
      const n = s * ENDPOINTS + e;
      const sep = `KUBE-SEP-${n.toString(16).padStart(12, '0').toUpperCase()}`;
      const ip = `10.${1 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
      chains.push(`:${sep} - [0:0]`);
      rules.push(`-A ${sep} -s ${ip}/32 -j MARK --set-xmark 0x4000/0x4000`);
      rules.push(`-A ${sep} -p tcp -m tcp -j DNAT --to-destination ${ip}:8080`);
      const left = ENDPOINTS - e;
      const pick = left > 1 ? `-m statistic --mode random --probability ${(1 / left).toFixed(11)} ` : '';
      rules.push(`-A ${svc} ${pick}-j ${sep}`);
    }
  }
  const text = ['*nat', ...chains, ...rules, 'COMMIT', ''].join('\n');
  return { text, rules: rules.length, chains: chains.length };
}

async function softStackLimit(): Promise<string> {
  const r = await execa('prlimit', [
    '--pid',
    String(process.pid),
    '--stack',
    '--raw',
    '--noheadings',
    '-o',
    'SOFT',
  ]);
  return r.stdout.trim();
}

async function setSoftStackLimit(value: string): Promise<void> {
  await execa('prlimit', ['--pid', String(process.pid), `--stack=${value}:`]);
}

describeWithNetns('iptables-nft-save of a table too big for the stack', function () {
  this.timeout(120_000);
  const ns = `kpt-sv-${randomBytes(2).toString('hex')}`;
  const table = bigNatTable();
  let saved = '';

  before(async () => {
    saved = await softStackLimit();
    await execa('ip', ['netns', 'add', ns]);
    await execa('ip', ['netns', 'exec', ns, 'iptables-nft-restore'], { input: table.text });
    await setSoftStackLimit(String(LOW_STACK));
  });

  after(async () => {
    if (saved) await setSoftStackLimit(saved);
    await execa('ip', ['netns', 'del', ns], { reject: false });
  });

  it('crashes the plain save under a 2 MiB stack limit', async () => {
    const plain = await execa('ip', ['netns', 'exec', ns, 'iptables-nft-save', '-t', 'nat'], {
      reject: false,
    });
    expect(plain.signal).to.equal('SIGSEGV');
  });

  it('reads the whole ruleset through runner.save', async () => {
    const runner = createRunner({ backend: 'nft', netns: ns });
    const live = parseSave(await runner.save('ipv4'), 'ipv4');
    const nat = live.tables.get('nat');
    expect(nat, 'nat table').to.not.equal(undefined);
    const chains = [...(nat?.chains.values() ?? [])];
    expect(chains.filter((c) => c.policy === '-')).to.have.length(table.chains);
    expect(chains.reduce((sum, c) => sum + c.rules.length, 0)).to.equal(table.rules);
    expect(nat?.chains.get('KUBE-SEP-000000004E1F')?.rules).to.deep.equal([
      '-s 10.1.78.31/32 -j MARK --set-xmark 0x4000/0x4000',
      '-p tcp -m tcp -j DNAT --to-destination 10.1.78.31:8080',
    ]);
  });
});
