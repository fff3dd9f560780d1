import { expect } from 'chai';
import { RestoreError } from '../../../src/errors.js';
import { locateRestoreFailure, restoreError } from '../../../src/iptables/restore-failure.js';

const INPUT = [
  '*filter',
  ':KUBE-SERVICES - [0:0]',
  '-A KUBE-SERVICES -j REJECT --reject-with icmp-port-unreachable',
  'COMMIT',
  '*nat',
  ':KUBE-SVC-X - [0:0]',
  '-A KUBE-SVC-X -m comment --comment "a" -j KUBE-SEP-GONE',
  '-A KUBE-SVC-X -p tcp --dportx 5 -j RETURN',
  '-X KUBE-SEP-OLD',
  'COMMIT',
  '',
].join('\n');

describe('iptables/restore-failure', () => {
  it('uses the line legacy reports', () => {
    const where = locateRestoreFailure(
      INPUT,
      "iptables-restore v1.8.9 (legacy): Couldn't load target `KUBE-SEP-GONE'\n\nError occurred at line: 7\n",
    );
    expect(where).to.include({ line: 7, table: 'nat', chain: 'KUBE-SVC-X' });
    expect(where.context).to.deep.equal([
      '      4  COMMIT',
      '      5  *nat',
      '      6  :KUBE-SVC-X - [0:0]',
      '>     7  -A KUBE-SVC-X -m comment --comment "a" -j KUBE-SEP-GONE',
      '      8  -A KUBE-SVC-X -p tcp --dportx 5 -j RETURN',
      '      9  -X KUBE-SEP-OLD',
    ]);
  });

  it('finds the offending line when nft reports COMMIT', () => {
    const where = locateRestoreFailure(
      INPUT,
      "iptables-nft-restore v1.8.9 (nf_tables): Chain 'KUBE-SEP-GONE' does not exist\nError occurred at line: 10\n",
    );
    expect(where.line).to.equal(7);
    const busy = locateRestoreFailure(
      INPUT,
      'iptables-nft-restore v1.8.9 (nf_tables): \nline 10: CHAIN_DEL failed (Device or resource busy): chain KUBE-SEP-OLD\n',
    );
    expect(busy).to.include({ line: 9, chain: 'KUBE-SEP-OLD' });
  });

  it('handles "line N failed" and unknown locations', () => {
    expect(locateRestoreFailure(INPUT, 'iptables-restore: line 3 failed\n')).to.include({
      line: 3,
      table: 'filter',
    });
    expect(locateRestoreFailure(INPUT, 'something odd\n').line).to.equal(undefined);
  });

  it('builds an error that says what, where and what to do', () => {
    const err = restoreError(
      'iptables-nft-restore',
      2,
      'iptables-nft-restore v1.8.9 (nf_tables): unknown option "--dportx"\nError occurred at line: 8\n',
      INPUT,
    );
    expect(err).to.be.instanceOf(RestoreError);
    expect(err.details).to.include({ exitCode: 2, line: 8, chain: 'KUBE-SVC-X', table: 'nat' });
    expect(err.message).to.match(
      /^iptables-nft-restore failed \(exit 2\) at line 8 \(table nat, chain KUBE-SVC-X\): .*--dportx/,
    );
    expect(err.message).to.include('>     8  -A KUBE-SVC-X -p tcp --dportx 5 -j RETURN');
    expect(err.message).to.match(/extension or kernel module/);
  });
});
