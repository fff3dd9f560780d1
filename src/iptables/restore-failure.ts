import { RestoreError } from '../errors.js';

/**
 * Turns iptables-restore's complaint into a RestoreError that says what failed, where, and what to
 * do. legacy names the failing line; nft often names the COMMIT line (the kernel only rejects the
 * batch there), so the offending line is then found from the message. Pure.
 */

const LINE_PATTERNS: readonly RegExp[] = [
  /Error occurred at line: (\d+)/,
  /line (\d+) failed/,
  /line (\d+): /,
];

export interface FailureLocation {
  readonly line: number | undefined;
  readonly lineText: string | undefined;
  readonly context: readonly string[];
  readonly table: string | undefined;
  readonly chain: string | undefined;
}

export function locateRestoreFailure(input: string, stderr: string): FailureLocation {
  const lines = input.split('\n');
  let line = reportedLine(stderr);
  if (line === undefined || lines[line - 1]?.trim() === 'COMMIT') line = offendingLine(lines, stderr) ?? line;
  if (line === undefined || line < 1 || line > lines.length) {
    return { line: undefined, lineText: undefined, context: [], table: undefined, chain: undefined };
  }
  const lineText = lines[line - 1] as string;
  const context: string[] = [];
  for (let n = Math.max(1, line - 3); n <= Math.min(lines.length, line + 2); n++) {
    if (n === lines.length && lines[n - 1] === '') continue;
    context.push(`${n === line ? '>' : ' '} ${String(n).padStart(5)}  ${lines[n - 1] ?? ''}`);
  }
  return { line, lineText, context, table: tableAt(lines, line), chain: chainOf(lineText) };
}

export function restoreError(
  binary: string,
  exitCode: number | undefined,
  stderr: string,
  input: string,
  options?: ErrorOptions,
): RestoreError {
  const where = locateRestoreFailure(input, stderr);
  const complaint =
    stderr
      .trim()
      .split('\n')
      .find((l) => l.trim() !== '') ?? '(no message)';
  const place =
    where.line === undefined
      ? 'at an unknown line'
      : `at line ${where.line}${where.table ? ` (table ${where.table}` : ''}${where.chain ? `, chain ${where.chain}` : ''}${where.table ? ')' : ''}`;
  const message = [
    `${binary} failed (exit ${exitCode ?? 'none'}) ${place}: ${complaint}`,
    ...where.context,
    `The failing table was not changed (iptables-restore commits each table atomically); a table before it in the same input may already hold its new rules, so kproxy re-reads the live ruleset on its next apply. ${hint(stderr)}`,
  ].join('\n');
  return new RestoreError(message, { binary, exitCode, stderr, ...where }, options);
}

function hint(stderr: string): string {
  if (/does not exist|Couldn't load target|No chain\/target\/match/.test(stderr)) {
    return 'A chain it refers to is missing (another program may have deleted it); kproxy re-reads the live ruleset on the next sync.';
  }
  if (/Couldn't load match|unknown option|Extension .* revision/.test(stderr)) {
    return 'An iptables extension or kernel module this rule needs is unavailable; check the kernel modules and the --iptables-backend choice.';
  }
  if (/lock|Resource temporarily unavailable/.test(stderr)) {
    return 'Another program held the xtables lock; kproxy retries on the next sync.';
  }
  return 'kproxy retries with a full resync; if it keeps failing, run `kproxy diff` to see the input it would send.';
}

function reportedLine(stderr: string): number | undefined {
  for (const re of LINE_PATTERNS) {
    const m = re.exec(stderr);
    if (m) return Number(m[1]);
  }
  return undefined;
}

function offendingLine(lines: readonly string[], stderr: string): number | undefined {
  const missing =
    /Chain '([^']+)' does not exist/.exec(stderr) ?? /Couldn't load target `([^']+)'/.exec(stderr);
  if (missing)
    return findLine(
      lines,
      (l) => l.startsWith('-') && new RegExp(` -[jg] ${escape(missing[1] as string)}( |$)`).test(l),
    );
  const busy = /CHAIN_DEL failed \([^)]*\): chain (\S+)/.exec(stderr);
  if (busy) return findLine(lines, (l) => l === `-X ${busy[1]}`);
  const option = /unknown option "([^"]+)"/.exec(stderr);
  if (option) return findLine(lines, (l) => l.startsWith('-') && l.split(' ').includes(option[1] as string));
  const match = /Couldn't load match `([^']+)'/.exec(stderr);
  if (match) return findLine(lines, (l) => l.startsWith('-') && l.includes(` -m ${match[1]} `));
  return undefined;
}

function findLine(lines: readonly string[], pred: (line: string) => boolean): number | undefined {
  const at = lines.findIndex(pred);
  return at === -1 ? undefined : at + 1;
}

function tableAt(lines: readonly string[], line: number): string | undefined {
  for (let n = line - 1; n >= 0; n--) if (lines[n]?.startsWith('*')) return lines[n]?.slice(1);
  return undefined;
}

function chainOf(lineText: string): string | undefined {
  if (lineText.startsWith(':')) return lineText.slice(1).split(' ')[0];
  const m = /^-[AIDXFNZ] (\S+)/.exec(lineText);
  return m ? m[1] : undefined;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
