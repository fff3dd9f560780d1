/**
 * Runs the kproxy CLI from source inside a network namespace, as an operator runs it on a node:
 * `ip netns exec NS node --import tsx src/cli/entry.ts ARGS...`. Inside the namespace kproxy sees
 * that namespace's interface addresses and programs its iptables (dist/ is not needed).
 */
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = fileURLToPath(new URL('../../src/cli/entry.ts', import.meta.url));

export interface KproxyRunOptions {
  /** Extra environment for kproxy (e.g. a PATH with a fake iptables-restore first). */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill kproxy after this long (default 30 s). */
  readonly timeoutMs?: number;
}

export interface KproxyRun {
  readonly args: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runKproxyInNetns(
  ns: string,
  args: readonly string[],
  options: KproxyRunOptions = {},
): Promise<KproxyRun> {
  const result = await execa(
    'ip',
    ['netns', 'exec', ns, process.execPath, '--import', 'tsx', ENTRY, ...args],
    {
      cwd: REPO_ROOT,
      reject: false,
      stdin: 'ignore',
      timeout: options.timeoutMs ?? 30_000,
      ...(options.env ? { env: { ...options.env } } : {}),
    },
  );
  if (result.timedOut) throw new Error(`kproxy ${args.join(' ')} timed out`, { cause: result });
  return {
    args,
    exitCode: result.exitCode ?? -1,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  };
}

/** For assertion messages: the command, its exit code and everything it printed. */
export function describeRun(run: KproxyRun): string {
  return `kproxy ${run.args.join(' ')} exited ${run.exitCode}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
}
