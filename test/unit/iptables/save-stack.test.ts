import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { SaveError } from '../../../src/errors.js';
import { createRunner } from '../../../src/iptables/runner.js';
import { prlimitOutcome, withUnlimitedStack } from '../../../src/iptables/save-stack.js';
import { FakeBinaries } from '../../support/fake-binaries.js';

describe('iptables/save-stack', () => {
  it('wraps the save in prlimit with an unlimited stack', () => {
    expect(withUnlimitedStack('iptables-nft-save', ['-t', 'nat', '-c'])).to.deep.equal({
      file: 'prlimit',
      args: ['--stack=unlimited', '--', 'iptables-nft-save', '-t', 'nat', '-c'],
    });
  });

  it("tells prlimit's own failures from the wrapped command's", () => {
    expect(prlimitOutcome({ exitCode: 0, stderr: '' })).to.equal('ran');
    expect(prlimitOutcome({ exitCode: 1, stderr: 'iptables-save v1.8.9: Table does not exist\n' })).to.equal(
      'ran',
    );
    expect(prlimitOutcome({ exitCode: undefined, stderr: '' })).to.equal('ran'); // SIGSEGV
    const refused = 'prlimit: failed to set the STACK resource limit: Operation not permitted\n';
    expect(prlimitOutcome({ exitCode: 1, stderr: refused })).to.equal('limit-refused');
    const missing = 'prlimit: failed to execute iptables-nft-save: No such file or directory\n';
    expect(prlimitOutcome({ exitCode: 127, stderr: missing })).to.equal('exec-failed');
  });
});

/** Fake prlimit / iptables-nft-save scripts on a private PATH; each appends its argv to a log. */
describe('iptables/runner save under prlimit (fake binaries)', () => {
  const bin = new FakeBinaries('kproxy-save-stack');
  const log = (): Promise<string> => readFile(bin.file('log'), 'utf8').catch(() => '');
  /** Each script first appends its name and argv to the log. */
  const script = (name: string, body: string): Promise<void> =>
    bin.script(name, `echo "${name} $*" >> "${bin.file('log')}"\n${body}`);
  const runner = (): ReturnType<typeof createRunner> =>
    createRunner({ backend: 'nft', env: { PATH: bin.dir } });

  beforeEach(async () => {
    await bin.create();
    await script('iptables-nft-save', "printf '*nat\\nCOMMIT\\n'");
  });
  afterEach(() => bin.remove());

  it('runs the save through prlimit when it works', async () => {
    await script('prlimit', 'shift 2; exec "$@"');
    expect(await runner().save('ipv4', 'nat')).to.equal('*nat\nCOMMIT\n');
    expect(await log()).to.equal(
      'prlimit --stack=unlimited -- iptables-nft-save -t nat\niptables-nft-save -t nat\n',
    );
  });

  it('falls back to a plain save, for good, when prlimit may not raise the limit', async () => {
    await script('prlimit', "echo 'prlimit: the soft limit STACK cannot exceed the hard limit' >&2; exit 1");
    const r = runner();
    expect(await r.save('ipv4')).to.equal('*nat\nCOMMIT\n');
    expect(await r.save('ipv4')).to.equal('*nat\nCOMMIT\n');
    expect(await log()).to.equal(
      'prlimit --stack=unlimited -- iptables-nft-save\niptables-nft-save \niptables-nft-save \n',
    );
  });

  it('falls back to a plain save when prlimit is not installed', async () => {
    expect(await runner().save('ipv4', 'filter')).to.equal('*nat\nCOMMIT\n');
    expect(await log()).to.equal('iptables-nft-save -t filter\n');
  });

  it('names the signal when the save crashes', async () => {
    await script('prlimit', 'shift 2; exec "$@"');
    await script('iptables-nft-save', 'kill -SEGV $$');
    const err = await runner()
      .save('ipv4', 'nat')
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(SaveError);
    expect((err as SaveError).message).to.match(/^iptables-nft-save -t nat failed \(killed by SIGSEGV\)/);
  });
});
