import { expect } from 'chai';
import { parseGoDuration } from '../../../src/config/duration.js';

describe('config/duration parseGoDuration', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['0s', 0],
    ['30s', 30_000],
    ['1m0s', 60_000],
    ['1h', 3_600_000],
    ['500ms', 500],
    ['1h2m3.5s', 3_723_500],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['5.s', 5_000],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['1500μs', 1.5],
    ['2000000ns', 2],
    ['+1s', 1_000],
    ['-1s', -1_000],
  ];
  for (const [input, ms] of cases) {
    it(`${input} is ${ms}ms`, () => {
      expect(parseGoDuration(input)).to.be.closeTo(ms, 1e-9);
    });
  }

  for (const bad of [
    '',
    '1',
    '10',
    's',
    '.s',
    '1x',
    '1 s',
    ' 1s',
    '1s ',
    '1d',
    '1S',
    '1h-1m',
    '--1s',
    '-',
    'P1D',
    '1e3s',
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      expect(parseGoDuration(bad)).to.equal(undefined);
    });
  }
});
