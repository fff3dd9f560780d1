/**
 * The probability of the i-th of n endpoint rules, in the form iptables-save prints it back.
 * kube-proxy writes 1/(n-i) with ten decimals; the statistic match stores it as a 31-bit fixed
 * point number (lround(p * 2^31)) and prints that back with eleven decimals.
 */

const SCALE = 0x80000000;
const cache = new Map<number, string>();

/** The saved form of probability 1/remaining (remaining >= 2). */
export function probabilityFor(remaining: number): string {
  let text = cache.get(remaining);
  if (text === undefined) {
    const written = Number((1 / remaining).toFixed(10));
    const stored = Math.round(written * SCALE);
    text = (stored / SCALE).toFixed(11);
    cache.set(remaining, text);
  }
  return text;
}

export function statisticMatch(remaining: number): string {
  return `-m statistic --mode random --probability ${probabilityFor(remaining)}`;
}
