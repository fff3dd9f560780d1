import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { RestoreError } from '../../../src/errors.js';
import { Applier } from '../../../src/iptables/applier.js';
import { planRestore } from '../../../src/iptables/diff.js';
import { emptyLiveRuleSet } from '../../../src/iptables/live.js';
import { renderRestoreInput, restoreInput, type RestorePlan } from '../../../src/iptables/restore-plan.js';
import { createRunner } from '../../../src/iptables/runner.js';
import { applyPlanToLive } from '../../../src/iptables/simulate.js';
import type { RuleSet } from '../../../src/model/ruleset.js';
import { FakeBinaries } from '../../support/fake-binaries.js';
import { FakeKernel } from '../../support/fake-kernel.js';
import { syntheticRuleSet } from '../../support/synthetic-ruleset.js';

/** The plan's input as its tables' lines say it, joined once: what the chunks must add up to. */
const linesText = (plan: RestorePlan): string => plan.tables.flatMap((t) => t.lines).join('\n') + '\n';

const natChains = (rs: RuleSet): ReadonlyMap<string, readonly string[]> => rs.tables.nat.chains;

describe('iptables/restore-plan input chunks', () => {
  it('renders a cold start in bounded chunks that add up to the whole input', () => {
    // One chain of 10,000 rules (KUBE-SERVICES) and 2,000 small ones.
    const plan = planRestore(
      syntheticRuleSet(10_000, (i) => (i < 1_000 ? 2 : 0)),
      emptyLiveRuleSet('ipv4'),
    );
    const chunks = [...restoreInput(plan)];
    expect(chunks.length).to.be.greaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.endsWith('\n')).to.equal(true);
      expect(chunk.split('\n').length - 1).to.be.at.most(4096);
    }
    expect(chunks.join('')).to.equal(linesText(plan));
    expect(renderRestoreInput(plan)).to.equal(linesText(plan));
    expect(linesText(plan).split('\n').length - 1).to.equal(plan.lineCount);
    // Iterating again gives the same chunks (a failed restore is located in the text).
    expect([...restoreInput(plan)]).to.deep.equal(chunks);
  });

  it('plans one fill op per created chain that shares the desired rules', () => {
    const desired = syntheticRuleSet(50, () => 3);
    const plan = planRestore(desired, emptyLiveRuleSet('ipv4'));
    const nat = plan.tables.find((t) => t.table === 'nat');
    const fills = nat?.ops.filter((op) => op.kind === 'fill') ?? [];
    expect(fills).to.have.length(natChains(desired).size);
    for (const op of fills) expect(op.kind === 'fill' && op.rules).to.equal(natChains(desired).get(op.chain));
    expect(plan.rulesWritten).to.equal([...natChains(desired).values()].reduce((n, r) => n + r.length, 0));
  });

  it('lets the live state share the applied arrays, and copies one before changing it', () => {
    const first = syntheticRuleSet(40, () => 2);
    const live = applyPlanToLive(emptyLiveRuleSet('ipv4'), planRestore(first, emptyLiveRuleSet('ipv4')), {
      inPlace: true,
    });
    const liveNat = live.tables.get('nat')?.chains;
    for (const [chain, rules] of natChains(first)) expect(liveNat?.get(chain)?.rules).to.equal(rules);

    // A second ruleset whose KUBE-SERVICES loses its last rule: edited in place in the live state.
    const services = natChains(first).get('KUBE-SERVICES') ?? [];
    const kept = [...services];
    const second: RuleSet = {
      ...first,
      tables: {
        ...first.tables,
        nat: {
          ...first.tables.nat,
          chains: new Map([...natChains(first), ['KUBE-SERVICES', services.slice(0, -1)]]),
        },
      },
    };
    const after = applyPlanToLive(live, planRestore(second, live), { inPlace: true });
    expect(after.tables.get('nat')?.chains.get('KUBE-SERVICES')?.rules).to.deep.equal(services.slice(0, -1));
    expect(services, 'the first ruleset is untouched').to.deep.equal(kept);
  });
});

/** Fake iptables-nft-restore / -save on a private PATH: restore input streamed in, save output streamed out. */
describe('iptables/runner streaming (fake binaries)', () => {
  const bin = new FakeBinaries('kproxy-restore-input');
  const runner = (): ReturnType<typeof createRunner> =>
    createRunner({ backend: 'nft', env: { PATH: bin.dir } });
  const plan = planRestore(
    syntheticRuleSet(3_000, () => 2),
    emptyLiveRuleSet('ipv4'),
  );

  beforeEach(async () => {
    await bin.create();
    await bin.script('iptables-nft-save', "echo 'iptables-nft-save v1.8.9 (nf_tables)'");
  });
  afterEach(() => bin.remove());

  it('sends every chunk to stdin in order', async () => {
    await bin.script('iptables-nft-restore', `/bin/cat > "${bin.file('stdin')}"`);
    await runner().restore('ipv4', restoreInput(plan), { noflush: true, counters: true });
    expect(await readFile(bin.file('stdin'), 'utf8')).to.equal(renderRestoreInput(plan));
  });

  it('locates a failure in the streamed input', async () => {
    await bin.script(
      'iptables-nft-restore',
      '/bin/cat >/dev/null; echo "iptables-restore: line 3 failed" >&2; exit 1',
    );
    const err = await runner()
      .restore('ipv4', restoreInput(plan), { noflush: true, counters: true })
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(RestoreError);
    const third = renderRestoreInput(plan).split('\n')[2] ?? '';
    expect((err as RestoreError).message).to.include(
      `at line 3 (table nat, chain ${third.slice(1).split(' ')[0]})`,
    );
  });

  it('streams a save to its consumer in chunks, and stops it when the consumer throws', async () => {
    const text = renderRestoreInput(plan);
    await bin.script(
      'iptables-nft-save',
      `case "$1" in --version) echo 'iptables-nft-save v1.8.9 (nf_tables)';; *) /bin/cat "${bin.file('save.txt')}";; esac`,
    );
    await writeFile(bin.file('save.txt'), text);
    const chunks: string[] = [];
    await runner().saveTo('ipv4', (chunk) => chunks.push(chunk));
    expect(chunks.length).to.be.greaterThan(1);
    expect(chunks.join('')).to.equal(text);
    const err = await runner()
      .saveTo('ipv4', () => {
        throw new Error('cannot parse');
      })
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(Error).with.property('message', 'cannot parse');
  });
});

describe('iptables/applier state after an edit in place', () => {
  it('points the edited chain at the desired array', async () => {
    const applier = new Applier(new FakeKernel());
    const first = syntheticRuleSet(60, () => 2);
    await applier.apply([first], { full: true });
    // KUBE-SERVICES loses its last jump (and that service its chains): an edit, not a rewrite.
    const fewer = syntheticRuleSet(59, () => 2);
    const result = await applier.apply([fewer], { full: false });
    expect(result.families[0]?.plan.changes.find((c) => c.chain === 'KUBE-SERVICES')?.kind).to.equal(
      'edited',
    );
    const live = applier.lastAppliedState('ipv4')?.tables.get('nat')?.chains.get('KUBE-SERVICES');
    expect(live?.rules).to.equal(fewer.tables.nat.chains.get('KUBE-SERVICES'));
  });
});
