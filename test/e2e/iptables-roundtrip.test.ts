import { expect } from 'chai';
import { execa } from 'execa';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BinaryNotFoundError, RestoreError } from '../../src/errors.js';
import { Applier } from '../../src/iptables/applier.js';
import { createConntrack } from '../../src/iptables/conntrack.js';
import type { LiveRuleSet } from '../../src/iptables/live.js';
import { parseSave, parseSaveWithCounters } from '../../src/iptables/parse.js';
import { ruleTarget } from '../../src/iptables/rule-text.js';
import { binaryName, createRunner, type Backend, type Runner } from '../../src/iptables/runner.js';
import { liveToRuleSet } from '../../src/iptables/to-ruleset.js';
import type { IpFamily } from '../../src/model/family.js';
import type { RuleSet, TableName } from '../../src/model/ruleset.js';
import { foreignLines } from '../support/save-text.js';
import { requireNetns } from '../support/netns/index.js';

/**
 * Real iptables-restore/-save in private network namespaces, on both backends and both families:
 * a kube-proxy-style ruleset (every match form of docs/dataplane.md §15, in save form) applied by
 * the Applier must read back exactly; re-applies send nothing or only the changed chain; foreign
 * rules survive apply and cleanup byte for byte; a failing restore leaves the rules in place.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const BACKENDS: readonly Exclude<Backend, 'auto'>[] = ['nft', 'legacy'];
const FAMILIES: readonly IpFamily[] = ['ipv4', 'ipv6'];

const FOREIGN: Record<IpFamily, string> = {
  ipv4: `*filter
:USER-FILTER - [0:0]
-A INPUT -s 192.0.2.1/32 -j USER-FILTER
-A FORWARD -i eth9 -j ACCEPT
-A USER-FILTER -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
*nat
:USER-NAT - [0:0]
-A PREROUTING -d 198.51.100.1/32 -j USER-NAT
-A POSTROUTING -o eth9 -j MASQUERADE
-A USER-NAT -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.0.2.10:80
COMMIT
`,
  ipv6: `*filter
:USER-FILTER - [0:0]
-A INPUT -s 2001:db8:9::1/128 -j USER-FILTER
-A FORWARD -i eth9 -j ACCEPT
-A USER-FILTER -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
*nat
:USER-NAT - [0:0]
-A PREROUTING -d 2001:db8:9::2/128 -j USER-NAT
-A POSTROUTING -o eth9 -j MASQUERADE
-A USER-NAT -p tcp -m tcp --dport 8080 -j DNAT --to-destination [2001:db8:9::10]:80
COMMIT
`,
};

let nsCounter = 0;

/** The desired ruleset of a family, read from its save-form fixture. */
async function desiredRuleSet(family: IpFamily): Promise<RuleSet> {
  const text = await readFile(path.join(here, 'iptables-roundtrip', `${family}.rules`), 'utf8');
  return liveToRuleSet(parseSave(text, family));
}

/** kproxy's part of a live ruleset: KUBE-* chains and jumps from built-in chains into them. */
function kubePart(live: LiveRuleSet): RuleSet {
  return liveToRuleSet(live, (_t, chain, hookRule) =>
    hookRule === undefined ? chain.startsWith('KUBE-') : (ruleTarget(hookRule) ?? '').startsWith('KUBE-'),
  );
}

function withoutComments(save: string): string {
  return save
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
}

function withChains(
  rs: RuleSet,
  table: TableName,
  changes: Record<string, readonly string[] | undefined>,
): RuleSet {
  const chains = new Map(rs.tables[table].chains);
  for (const [name, rules] of Object.entries(changes)) {
    if (rules === undefined) chains.delete(name);
    else chains.set(name, rules);
  }
  return { ...rs, tables: { ...rs.tables, [table]: { chains, hooks: rs.tables[table].hooks } } };
}

describe('e2e: iptables round trip through the Applier', function () {
  this.timeout(60_000);

  before(async function () {
    await requireNetns(this);
  });

  for (const backend of BACKENDS) {
    for (const family of FAMILIES) {
      describe(`${backend} ${family}`, function () {
        let ns = '';
        let runner: Runner;
        let desired: RuleSet;
        let foreignBefore: string[];

        beforeEach(async function () {
          ns = `kpt-rt-${process.pid}-${++nsCounter}`;
          await execa('ip', ['netns', 'add', ns]);
          runner = createRunner({ backend, netns: ns });
          await runner.restore(family, FOREIGN[family], { noflush: true, counters: false });
          foreignBefore = foreignLines(await runner.save(family));
          desired = await desiredRuleSet(family);
        });

        afterEach(async function () {
          if (ns) await execa('ip', ['netns', 'del', ns], { reject: false });
          ns = '';
        });

        it('applies the ruleset so that save -> parse gives it back exactly', async function () {
          const applier = new Applier(runner);
          const result = await applier.apply([desired], { full: true });
          expect(result.families[0]!.sent).to.equal(true);
          const saved = await runner.save(family);
          expect(kubePart(parseSave(saved, family))).to.deep.equal(desired);
          expect(foreignLines(saved)).to.deep.equal(foreignBefore);
          expect(applier.lastAppliedState(family)).to.deep.equal(parseSave(saved, family));
        });

        it('sends nothing on an unchanged re-apply, partial or full', async function () {
          const applier = new Applier(runner);
          await applier.apply([desired], { full: true });
          const partial = await applier.apply([desired], { full: false });
          expect(partial.families[0]).to.include({ sent: false, readLive: false });
          const full = await applier.apply([desired], { full: true });
          expect(full.families[0]).to.include({ sent: false, readLive: true });
          expect(full.families[0]!.plan.empty).to.equal(true);
        });

        it('rewrites only a changed chain; unchanged chains keep their counters', async function () {
          const applier = new Applier(runner);
          await applier.apply([desired], { full: true });
          // Count a packet in nat KUBE-SERVICES (its last rule matches local destinations). Sending a
          // packet works on every backend; ip6tables-nft-restore ignores [p:b] rule prefixes.
          await execa('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
          const local = family === 'ipv4' ? '127.0.0.1' : '::1';
          await execa('ip', ['netns', 'exec', ns, 'bash', '-c', `echo x > /dev/udp/${local}/9`]);
          const countersOf = async (): Promise<unknown> => {
            const text = await runner.save(family, 'nat', { counters: true });
            return parseSaveWithCounters(text, family).tables.get('nat')!.chains.get('KUBE-SERVICES')!
              .counters;
          };
          const countedBefore = await countersOf();
          expect(
            JSON.stringify(countedBefore, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)),
          ).to.match(/"packets":[1-9]/);
          const sep = 'KUBE-SEP-UKSFD7AGPMPPLUHC';
          const changed = withChains(desired, 'nat', {
            [sep]: desired.tables.nat.chains.get(sep)!.map((r) => r.replace(/:53$/, ':5353')),
          });
          for (const full of [false, true]) {
            const fresh = full ? new Applier(runner) : applier;
            const plan = (await fresh.diff([changed]))[0]!;
            expect(plan.chainsWritten).to.deep.equal([{ table: 'nat', chain: sep }]);
          }
          const result = await applier.apply([changed], { full: false });
          const plan = result.families[0]!.plan;
          expect(plan.tables.map((t) => t.table)).to.deep.equal(['nat']);
          expect(plan.tables[0]!.lines.filter((l) => !l.includes(sep))).to.deep.equal(['*nat', 'COMMIT']);
          expect(await countersOf()).to.deep.equal(countedBefore);
          expect(kubePart(parseSave(await runner.save(family), family))).to.deep.equal(changed);
        });

        it('edits a long chain in place by position; its other rules keep their counters', async function () {
          // nat KUBE-SERVICES grows to 70 rules; then a few are inserted, one deleted, one appended.
          const vip = (i: number): string => (family === 'ipv4' ? `10.96.9.${i}/32` : `fd00:96:9::${i}/128`);
          const filler = (i: number): string => `-d ${vip(i)} -p tcp -m tcp --dport 80 -j RETURN`;
          const services = desired.tables.nat.chains.get('KUBE-SERVICES')!;
          const long = [...Array.from({ length: 70 }, (_, i) => filler(i + 1)), ...services];
          const grown = withChains(desired, 'nat', { 'KUBE-SERVICES': long });
          const applier = new Applier(runner);
          await applier.apply([grown], { full: true });
          await execa('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
          const local = family === 'ipv4' ? '127.0.0.1' : '::1';
          await execa('ip', ['netns', 'exec', ns, 'bash', '-c', `echo x > /dev/udp/${local}/9`]);
          // The NodePort dispatch rule (matches local destinations) counts the packet.
          const dispatch = services.at(-1)!;
          const lastCounter = async (): Promise<string> => {
            const text = await runner.save(family, 'nat', { counters: true });
            const chain = parseSaveWithCounters(text, family).tables.get('nat')!.chains.get('KUBE-SERVICES')!;
            return JSON.stringify(chain.counters[chain.rules.indexOf(dispatch)], (_k, v: unknown) =>
              typeof v === 'bigint' ? Number(v) : v,
            );
          };
          const counted = await lastCounter();
          expect(counted).to.match(/"packets":[1-9]/);

          const edited = [...long];
          edited.splice(40, 1);
          edited.splice(10, 0, filler(201));
          edited.splice(50, 0, filler(202), filler(203));
          edited.push(filler(204));
          const changed = withChains(desired, 'nat', { 'KUBE-SERVICES': edited });
          const result = await applier.apply([changed], { full: false });
          const plan = result.families[0]!.plan;
          expect(plan.changes.map((c) => `${c.kind} ${c.chain}`)).to.deep.equal(['edited KUBE-SERVICES']);
          expect(plan.tables[0]!.lines).to.have.length(2 + 5);
          expect(plan.tables[0]!.lines).to.include('-D KUBE-SERVICES 41');
          expect(plan.tables[0]!.lines).to.include(`-I KUBE-SERVICES 11 ${filler(201)}`);
          expect(kubePart(parseSave(await runner.save(family), family))).to.deep.equal(changed);
          expect(await lastCounter()).to.equal(counted);
        });

        it('deletes a chain that is no longer wanted, in the same restore', async function () {
          const applier = new Applier(runner);
          await applier.apply([desired], { full: true });
          const ext = 'KUBE-EXT-X27LE4BHSL4DOUIK';
          const smaller = withChains(desired, 'nat', {
            'KUBE-SVL-GNZBNJ2PO5MGZ6GT': undefined,
            [ext]: desired.tables.nat.chains.get(ext)!.filter((r) => !r.includes('KUBE-SVL-')),
          });
          const result = await applier.apply([smaller], { full: false });
          expect(result.families[0]!.plan.chainsDeleted).to.deep.equal([
            { table: 'nat', chain: 'KUBE-SVL-GNZBNJ2PO5MGZ6GT' },
          ]);
          const saved = await runner.save(family);
          expect(kubePart(parseSave(saved, family))).to.deep.equal(smaller);
          expect(foreignLines(saved)).to.deep.equal(foreignBefore);
        });

        it('restores missing hooks without duplicating present ones', async function () {
          const applier = new Applier(runner);
          await applier.apply([desired], { full: true });
          const hook = desired.tables.nat.hooks.find((h) => h.chain === 'OUTPUT')!;
          await runner.restore(
            family,
            `*nat\n-D OUTPUT ${hook.rule}\n-A PREROUTING ${desired.tables.nat.hooks[0]!.rule}\nCOMMIT\n`,
            {
              noflush: true,
              counters: false,
            },
          );
          const result = await applier.apply([desired], { full: true });
          expect(result.families[0]!.plan.hooksAdded).to.have.length(1);
          expect(result.families[0]!.plan.hooksRemoved).to.have.length(1);
          expect(kubePart(parseSave(await runner.save(family), family))).to.deep.equal(desired);
        });

        it('cleanup removes every KUBE chain and jump and leaves foreign rules byte for byte', async function () {
          const applier = new Applier(runner);
          await applier.apply([desired], { full: true });
          const plans = await applier.cleanup([family]);
          expect(plans[0]!.empty).to.equal(false);
          const saved = await runner.save(family);
          expect(saved.split('\n').filter((l) => l.includes('KUBE-'))).to.deep.equal([]);
          expect(foreignLines(saved)).to.deep.equal(foreignBefore);
          expect((await applier.cleanup([family]))[0]!.empty).to.equal(true);
        });

        it('a failing iptables-restore leaves the previous rules and reports the line', async function () {
          await new Applier(runner).apply([desired], { full: true });
          const before = await runner.save(family);
          const dir = await mkdtemp(path.join(tmpdir(), 'kpt-fake-'));
          try {
            const fake = path.join(dir, binaryName(backend, family, 'restore'));
            await writeFile(
              fake,
              '#!/bin/sh\ncat >/dev/null\necho "iptables-restore: line 3 failed" >&2\nexit 1\n',
            );
            await chmod(fake, 0o755);
            const failing = createRunner({
              backend,
              netns: ns,
              env: { PATH: `${dir}:${process.env.PATH ?? ''}` },
            });
            const applier = new Applier(failing);
            const changed = withChains(desired, 'nat', { 'KUBE-SVC-NEW0000000000000': ['-j RETURN'] });
            const err: unknown = await applier.apply([changed], { full: false }).then(
              () => undefined,
              (e: unknown) => e,
            );
            expect(err).to.be.instanceOf(RestoreError);
            const details = (err as RestoreError).details;
            expect(details).to.include({ exitCode: 1, line: 3, table: 'nat' });
            expect(details.lineText).to.be.a('string');
            expect((err as RestoreError).message).to.match(/line 3/);
            expect(applier.lastAppliedState(family)).to.equal(undefined);
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
          expect(withoutComments(await runner.save(family))).to.equal(withoutComments(before));
        });

        it('deletes conntrack entries, treating "0 flow entries" as success', async function () {
          const conntrack = createConntrack({ netns: ns });
          const ip = family === 'ipv4' ? '172.30.0.41' : 'fd00:30::41';
          expect(await conntrack.delete(family, { kind: 'orig-dst', ip, protocol: 'udp' })).to.equal(0);
          expect(await conntrack.delete(family, { kind: 'dst-nat', ip })).to.equal(0);
        });
      });
    }
  }

  it('names the missing binary and the --iptables-backend flag', async function () {
    const runner = createRunner({ backend: 'legacy', env: { PATH: '/nonexistent' } });
    const err: unknown = await runner.save('ipv4').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(BinaryNotFoundError);
    expect((err as Error).message).to.match(/iptables-legacy-save.*--iptables-backend/);
  });
});
