/**
 * The shortest way to turn one chain's rules into another's with rule-level edits (Myers' diff,
 * after the common head and tail are set aside), when that takes few edits: adding a service to a
 * 15,000-rule KUBE-SERVICES is then one `-I KUBE-SERVICES <n>` instead of 15,000 `-A` lines.
 * Pure; positions are 0-based here and 1-based in restore input.
 */

export interface EditScript {
  /** Indices into `before` of the rules to delete, ascending. */
  readonly deleted: readonly number[];
  /** Indices into `after` of the rules to insert, ascending. */
  readonly inserted: readonly number[];
}

/** The edits, or undefined when more than `maxEdits` are needed. */
export function editScript(
  before: readonly string[],
  after: readonly string[],
  maxEdits: number,
): EditScript | undefined {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (
    tail < before.length - head &&
    tail < after.length - head &&
    before[before.length - 1 - tail] === after[after.length - 1 - tail]
  ) {
    tail++;
  }
  const n = before.length - head - tail;
  const m = after.length - head - tail;
  // Every edit changes the length by at most one.
  if (Math.abs(n - m) > maxEdits) return undefined;
  if (n === 0 || m === 0) {
    return { deleted: range(head, n), inserted: range(head, m) };
  }
  const a = (i: number): string | undefined => before[head + i];
  const b = (j: number): string | undefined => after[head + j];
  const limit = Math.min(maxEdits, n + m);
  const offset = limit + 1;
  const v = new Int32Array(2 * limit + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= limit; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[k - 1 + offset] as number) < (v[k + 1 + offset] as number));
      let x = down ? (v[k + 1 + offset] as number) : (v[k - 1 + offset] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a(x) === b(y)) {
        x++;
        y++;
      }
      v[k + offset] = x;
      if (x >= n && y >= m) return backtrack(trace, n, m, offset, head);
    }
  }
  return undefined;
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

function backtrack(
  trace: readonly Int32Array[],
  n: number,
  m: number,
  offset: number,
  head: number,
): EditScript {
  const deleted: number[] = [];
  const inserted: number[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const v = trace[d] as Int32Array;
    const k = x - y;
    const down = k === -d || (k !== d && (v[k - 1 + offset] as number) < (v[k + 1 + offset] as number));
    const prevK = down ? k + 1 : k - 1;
    const prevX = v[prevK + offset] as number;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
    }
    if (down) inserted.push(head + prevY);
    else deleted.push(head + prevX);
    x = prevX;
    y = prevY;
  }
  return { deleted: deleted.reverse(), inserted: inserted.reverse() };
}

/** Applies a script to `before` (what the kernel does with the restore lines); for tests and checks. */
export function applyEditScript(
  before: readonly string[],
  after: readonly string[],
  script: EditScript,
): string[] {
  const out = [...before];
  for (let i = script.deleted.length - 1; i >= 0; i--) out.splice(script.deleted[i] as number, 1);
  for (const j of script.inserted) out.splice(j, 0, after[j] as string);
  return out;
}
