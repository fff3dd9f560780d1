import { expect } from 'chai';
import { planRestore } from '../../../src/iptables/diff.js';
import { parseSave } from '../../../src/iptables/parse.js';
import { renderRestoreInput } from '../../../src/iptables/restore-plan.js';
import { serializeRuleSet } from '../../../src/iptables/serialize.js';
import { applyPlanToLive } from '../../../src/iptables/simulate.js';
import type { LiveRuleSet } from '../../../src/iptables/live.js';
import type { RuleSet } from '../../../src/model/ruleset.js';
import { SERVICES_HOOK, ruleSet, sampleRuleSet } from './rulesets.js';

const FOREIGN = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:USER-FILTER - [0:0]
-A INPUT -j USER-FILTER
-A USER-FILTER -s 192.0.2.1/32 -j DROP
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
:KUBE-KUBELET-CANARY - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A DOCKER -i docker0 -j RETURN
COMMIT
`;

/** The live ruleset of a node holding `rs` plus the foreign rules above. */
function liveWith(rs: RuleSet | undefined, extra = FOREIGN): LiveRuleSet {
  const empty = parseSave(extra, 'ipv4');
  if (!rs) return empty;
  return applyPlanToLive(empty, planRestore(rs, empty));
}

function chainRules(live: LiveRuleSet, table: string, chain: string): readonly string[] | undefined {
  return live.tables.get(table)?.chains.get(chain)?.rules;
}

describe('iptables/diff planRestore', () => {
  it('plans nothing when live equals desired', () => {
    const rs = sampleRuleSet();
    const plan = planRestore(rs, liveWith(rs));
    expect(plan.empty).to.equal(true);
    expect(renderRestoreInput(plan)).to.equal('');
    expect(plan.lineCount).to.equal(0);
  });

  it('writes everything on a fresh node, hooks inserted in desired order', () => {
    const rs = sampleRuleSet();
    const live = parseSave(FOREIGN, 'ipv4');
    const plan = planRestore(rs, live);
    const nat = plan.tables.find((t) => t.table === 'nat')!.lines;
    expect(nat[0]).to.equal('*nat');
    expect(nat.at(-1)).to.equal('COMMIT');
    expect(nat.filter((l) => l.startsWith(':'))).to.have.length(rs.tables.nat.chains.size);
    expect(nat.some((l) => /^:(PREROUTING|INPUT|OUTPUT|POSTROUTING) /.test(l))).to.equal(false);
    // every declaration precedes every rule
    const lastDecl = nat.findLastIndex((l) => l.startsWith(':'));
    const firstRule = nat.findIndex((l) => l.startsWith('-'));
    expect(lastDecl).to.be.lessThan(firstRule);
    expect(nat).to.include(`-I PREROUTING 1 ${SERVICES_HOOK}`);
    const after = applyPlanToLive(live, plan);
    expect(chainRules(after, 'nat', 'PREROUTING')).to.deep.equal([
      SERVICES_HOOK,
      '-m addrtype --dst-type LOCAL -j DOCKER',
    ]);
    expect(chainRules(after, 'nat', 'DOCKER')).to.deep.equal(['-i docker0 -j RETURN']);
    expect(plan.hooksAdded).to.have.length(4);
    expect(plan.chainsWritten).to.have.length(rs.tables.nat.chains.size + 1);
  });

  it('inserts several missing hooks of one chain so they end up in desired order', () => {
    const rs = ruleSet('ipv4', {
      filter: {
        chains: { 'KUBE-FORWARD': [], 'KUBE-SERVICES': [] },
        hooks: [
          { chain: 'FORWARD', rule: '-j KUBE-FORWARD' },
          { chain: 'FORWARD', rule: '-j KUBE-SERVICES' },
        ],
      },
    });
    const after = applyPlanToLive(liveWith(undefined), planRestore(rs, liveWith(undefined)));
    expect(chainRules(after, 'filter', 'FORWARD')).to.deep.equal(['-j KUBE-FORWARD', '-j KUBE-SERVICES']);
  });

  it('rewrites only the chain that changed', () => {
    const rs = sampleRuleSet();
    const live = liveWith(rs);
    const changed = ruleSet('ipv4', {
      nat: {
        chains: {
          ...Object.fromEntries(rs.tables.nat.chains),
          'KUBE-SEP-AAAA': [
            '-p tcp -m comment --comment "ns1/svc1:p80" -m tcp -j DNAT --to-destination 10.180.0.9:80',
          ],
        },
        hooks: [...rs.tables.nat.hooks],
      },
      filter: {
        chains: Object.fromEntries(rs.tables.filter.chains) as Record<string, string[]>,
        hooks: [...rs.tables.filter.hooks],
      },
    });
    const plan = planRestore(changed, live);
    expect(renderRestoreInput(plan)).to.equal(
      '*nat\n:KUBE-SEP-AAAA - [0:0]\n' +
        '-A KUBE-SEP-AAAA -p tcp -m comment --comment "ns1/svc1:p80" -m tcp -j DNAT --to-destination 10.180.0.9:80\nCOMMIT\n',
    );
    expect(plan.chainsWritten).to.deep.equal([{ table: 'nat', chain: 'KUBE-SEP-AAAA' }]);
    expect(plan.changes[0]!.kind).to.equal('rewritten');
    expect(planRestore(changed, applyPlanToLive(live, plan)).empty).to.equal(true);
  });

  it('flushes and deletes stale owned chains after every rule, leaving foreign chains unmentioned', () => {
    const rs = sampleRuleSet();
    const live = liveWith(rs);
    const smaller = ruleSet('ipv4', {
      nat: {
        chains: {
          'KUBE-MARK-MASQ': [...rs.tables.nat.chains.get('KUBE-MARK-MASQ')!],
          'KUBE-NODEPORTS': [],
          'KUBE-POSTROUTING': [...rs.tables.nat.chains.get('KUBE-POSTROUTING')!],
          'KUBE-SERVICES': [rs.tables.nat.chains.get('KUBE-SERVICES')![1]!],
        },
        hooks: [...rs.tables.nat.hooks],
      },
      filter: {
        chains: Object.fromEntries(rs.tables.filter.chains) as Record<string, string[]>,
        hooks: [...rs.tables.filter.hooks],
      },
    });
    const plan = planRestore(smaller, live);
    const lines = plan.tables.find((t) => t.table === 'nat')!.lines;
    expect(lines).to.include(':KUBE-SVC-XXXX - [0:0]');
    expect(lines).to.include(':KUBE-SEP-AAAA - [0:0]');
    expect(lines.slice(-3)).to.deep.equal(['-X KUBE-SEP-AAAA', '-X KUBE-SVC-XXXX', 'COMMIT']);
    expect(lines.join('\n')).not.to.match(/DOCKER|KUBELET|USER-FILTER|PREROUTING/);
    expect(plan.chainsDeleted.map((c) => c.chain)).to.deep.equal(['KUBE-SEP-AAAA', 'KUBE-SVC-XXXX']);
    const after = applyPlanToLive(live, plan);
    expect(chainRules(after, 'nat', 'KUBE-SVC-XXXX')).to.equal(undefined);
    expect(planRestore(smaller, after).empty).to.equal(true);
  });

  it('deletes an unwanted fixed chain and its hook, but only empties one a foreign rule jumps to', () => {
    const rs = ruleSet('ipv4', {
      filter: {
        chains: { 'KUBE-FORWARD': ['-j ACCEPT'], 'KUBE-PROXY-FIREWALL': ['-j DROP'] },
        hooks: [
          { chain: 'FORWARD', rule: '-j KUBE-FORWARD' },
          { chain: 'INPUT', rule: '-j KUBE-PROXY-FIREWALL' },
        ],
      },
    });
    const live = liveWith(
      rs,
      FOREIGN.replace('-A USER-FILTER -s', '-A USER-FILTER -j KUBE-FORWARD\n-A USER-FILTER -s'),
    );
    const plan = planRestore(ruleSet('ipv4', {}), live);
    const lines = plan.tables[0]!.lines;
    expect(lines).to.include('-D INPUT -j KUBE-PROXY-FIREWALL');
    expect(lines).to.include('-D FORWARD -j KUBE-FORWARD');
    expect(lines).to.include('-X KUBE-PROXY-FIREWALL');
    expect(lines).not.to.include('-X KUBE-FORWARD');
    expect(plan.changes.map((c) => `${c.kind} ${c.chain}`)).to.deep.equal([
      'flushed KUBE-FORWARD',
      'deleted KUBE-PROXY-FIREWALL',
    ]);
    const after = applyPlanToLive(live, plan);
    expect(chainRules(after, 'filter', 'KUBE-FORWARD')).to.deep.equal([]);
    expect(planRestore(ruleSet('ipv4', {}), after).empty).to.equal(true);
  });

  it('never deletes kubelet chains or chains it does not own', () => {
    const live = parseSave(
      FOREIGN.replace(
        ':DOCKER - [0:0]',
        ':DOCKER - [0:0]\n:KUBE-MARK-DROP - [0:0]\n:KUBE-FIREWALL - [0:0]\n:KUBE-OTHER - [0:0]',
      ),
      'ipv4',
    );
    expect(planRestore(ruleSet('ipv4', {}), live).empty).to.equal(true);
  });

  it('adds a missing hook and removes duplicates and outdated hooks', () => {
    const rs = sampleRuleSet();
    const live = liveWith(rs);
    const nat = live.tables.get('nat')!;
    const chains = new Map(nat.chains);
    chains.set('PREROUTING', { policy: 'ACCEPT', rules: ['-m addrtype --dst-type LOCAL -j DOCKER'] });
    chains.set('OUTPUT', { policy: 'ACCEPT', rules: [SERVICES_HOOK, '-j KUBE-SERVICES', SERVICES_HOOK] });
    const broken: LiveRuleSet = { family: 'ipv4', tables: new Map([...live.tables, ['nat', { chains }]]) };
    const plan = planRestore(rs, broken);
    expect(renderRestoreInput(plan)).to.equal(
      [
        '*nat',
        `-D OUTPUT ${SERVICES_HOOK}`,
        '-D OUTPUT -j KUBE-SERVICES',
        `-I PREROUTING 1 ${SERVICES_HOOK}`,
        'COMMIT',
        '',
      ].join('\n'),
    );
    expect(plan.hooksAdded).to.have.length(1);
    expect(plan.hooksRemoved).to.have.length(2);
    expect(plan.chainsWritten).to.deep.equal([]);
  });

  it('refuses a built-in chain among the desired chains', () => {
    expect(() =>
      planRestore(ruleSet('ipv4', { nat: { chains: { OUTPUT: [] } } }), liveWith(undefined)),
    ).to.throw(/built-in/);
  });

  it('serialize -> parse of the desired ruleset diffs empty', () => {
    const rs = sampleRuleSet();
    expect(planRestore(rs, parseSave(serializeRuleSet(rs), 'ipv4')).empty).to.equal(true);
  });
});
