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
    text = printEleven(stored);
    cache.set(remaining, text);
  }
  return text;
}

/**
 * stored / 2^31 with eleven decimals, rounded as glibc's printf does: the value is exact in binary,
 * so ties are real and go to the even digit (toFixed would round them up, e.g. for 1/4096).
 */
function printEleven(stored: number): string {
  const scaled = BigInt(stored) * 10n ** 11n;
  const denominator = BigInt(SCALE);
  let digits = scaled / denominator;
  const twiceRemainder = (scaled % denominator) * 2n;
  if (twiceRemainder > denominator || (twiceRemainder === denominator && digits % 2n === 1n)) digits += 1n;
  const padded = digits.toString().padStart(12, '0');
  return `${padded.slice(0, -11)}.${padded.slice(-11)}`;
}

const matches = new Map<number, string>();

/**
 * `-m statistic` for probability 1/remaining, memoised like the probability: every port with n
 * endpoints writes the same n - 1 matches, so rule text can copy one string.
 */
export function statisticMatch(remaining: number): string {
  let text = matches.get(remaining);
  if (text === undefined) {
    text = `-m statistic --mode random --probability ${probabilityFor(remaining)}`;
    matches.set(remaining, text);
  }
  return text;
}
