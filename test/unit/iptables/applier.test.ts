import { expect } from 'chai';
import { RestoreError } from '../../../src/errors.js';
import { Applier } from '../../../src/iptables/applier.js';
import { inputText, type RestoreInput, type Runner } from '../../../src/iptables/runner.js';
import type { IpFamily } from '../../../src/model/family.js';
import { ruleSet, sampleRuleSet } from './rulesets.js';

/** A runner that records calls; its "kernel" state is whatever save() returns. */
class FakeRunner implements Runner {
  readonly backend = 'auto' as const;
  saves = 0;
  restores: string[] = [];
  failNext = false;
  saved = '';
  save(_family: IpFamily): Promise<string> {
    this.saves++;
    return Promise.resolve(this.saved);
  }
  async saveTo(family: IpFamily, sink: (chunk: string) => void): Promise<void> {
    sink(await this.save(family));
  }
  restore(_family: IpFamily, input: RestoreInput): Promise<void> {
    this.restores.push(inputText(input));
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(
        new RestoreError('boom', {
          binary: 'iptables-restore',
          exitCode: 1,
          stderr: '',
          line: 2,
          lineText: 'x',
          context: [],
          table: 'nat',
          chain: 'X',
        }),
      );
    }
    return Promise.resolve();
  }
  version(): Promise<never> {
    return Promise.reject(new Error('unused'));
  }
  supportsRandomFully(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

describe('iptables/applier', () => {
  it('reads live on a full apply and uses the last applied state otherwise', async () => {
    const runner = new FakeRunner();
    const applier = new Applier(runner);
    const rs = sampleRuleSet();
    const first = await applier.apply([rs], { full: true });
    expect(first.families[0]).to.include({ readLive: true, sent: true });
    const second = await applier.apply([rs], { full: false });
    expect(second.families[0]).to.include({ readLive: false, sent: false });
    expect(runner.saves).to.equal(1);
    expect(runner.restores).to.have.length(1);
  });

  it('forgets the state of a family whose restore failed and rethrows', async () => {
    const runner = new FakeRunner();
    const applier = new Applier(runner);
    await applier.apply([sampleRuleSet()], { full: true });
    runner.failNext = true;
    const changed = ruleSet('ipv4', { nat: { chains: { 'KUBE-SERVICES': [] } } });
    const err: unknown = await applier.apply([changed], { full: false }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(RestoreError);
    expect(applier.lastAppliedState('ipv4')).to.equal(undefined);
    const retry = await applier.apply([changed], { full: false });
    expect(retry.families[0]!.readLive).to.equal(true);
  });

  it('still applies the other family when one fails', async () => {
    const runner = new FakeRunner();
    const applier = new Applier(runner);
    runner.failNext = true;
    const v6 = ruleSet('ipv6', { nat: { chains: { 'KUBE-SERVICES': [] } } });
    const err: unknown = await applier.apply([sampleRuleSet(), v6], { full: true }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(RestoreError);
    expect(runner.restores).to.have.length(2);
    expect(applier.lastAppliedState('ipv6')).not.to.equal(undefined);
  });
});
