import { expect } from 'chai';
import { isDnsLabel, isDnsSubdomain, isInterfaceName, isLabelValue } from '../../../src/model/names.js';

describe('model/names', () => {
  it('isDnsLabel', () => {
    for (const ok of ['web', 'a', 'kube-system', 'p80', '0abc', 'a'.repeat(63)])
      expect(isDnsLabel(ok), ok).to.equal(true);
    for (const bad of [
      '',
      'Web',
      '-a',
      'a-',
      'a.b',
      'a b',
      'a"b',
      "a'b",
      'a\nb',
      'a'.repeat(64),
      'a_b',
      'ns/x',
    ])
      expect(isDnsLabel(bad), bad).to.equal(false);
  });

  it('isDnsSubdomain', () => {
    for (const ok of ['node-1', 'node-1.example.com', 'web-abc12', 'a'.repeat(253)])
      expect(isDnsSubdomain(ok), ok).to.equal(true);
    for (const bad of ['', 'Node1', 'a..b', '.a', 'a.', 'a b', 'a"', 'a\n', 'a'.repeat(254)])
      expect(isDnsSubdomain(bad), bad).to.equal(false);
  });

  it('isLabelValue', () => {
    for (const ok of ['', 'us-east-1a', 'Zone_A.1', 'a']) expect(isLabelValue(ok), ok).to.equal(true);
    for (const bad of ['-a', 'a-', 'a b', 'a"b', 'a'.repeat(64)])
      expect(isLabelValue(bad), bad).to.equal(false);
  });

  it('isInterfaceName', () => {
    for (const ok of ['eth0', 'cbr0', 'cali', 'br-0a1b2c', 'vlan.100', 'veth_x', 'a'.repeat(15)])
      expect(isInterfaceName(ok), ok).to.equal(true);
    for (const bad of [
      '',
      'a'.repeat(16),
      'eth0+',
      'eth/0',
      'eth 0',
      'eth0"',
      "eth0'",
      'eth:0',
      '-j',
      '.',
      '..',
      '!eth0',
      'eth0\n',
    ])
      expect(isInterfaceName(bad), bad).to.equal(false);
  });
});
