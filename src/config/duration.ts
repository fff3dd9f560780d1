/** Go's time.ParseDuration, as metav1.Duration fields are written: "30s", "1m0s", "1h2m3.5s", "500ms". */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 MICRO SIGN
  μs: 1e-3, // U+03BC GREEK SMALL LETTER MU
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const COMPONENT = /([0-9]*(?:\.[0-9]*)?)([a-zµμ]+)/gy;

/** Milliseconds for a Go duration string, or undefined when it is not one. May be negative. */
export function parseGoDuration(s: string): number | undefined {
  if (s.length === 0 || s.length > 100) return undefined;
  let sign = 1;
  let rest = s;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  COMPONENT.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = COMPONENT.exec(rest); m !== null; m = COMPONENT.exec(rest)) {
    const [whole, number = '', unit = ''] = m;
    const factor = UNIT_MS[unit];
    if (factor === undefined || number === '' || number === '.') return undefined;
    total += Number.parseFloat(number) * factor;
    consumed += whole.length;
    if (consumed === rest.length) break;
  }
  return consumed === rest.length ? sign * total : undefined;
}
