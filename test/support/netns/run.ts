/** Thin execa wrappers: `ip -batch`, sysctl and argv commands inside a namespace (never a shell). */
import { execa } from 'execa';
import type { ExecOptions, ExecResult } from './types.js';

/** A harness command failed; carries argv, exit code and stderr, the execa error as `cause`. */
export class NetnsCommandError extends Error {
  override readonly name = 'NetnsCommandError';
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | undefined,
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(`${argv.join(' ')} failed (exit ${exitCode ?? 'none'}): ${stderr.trim()}`, options);
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export async function run(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new RangeError('run: empty argv');
  const result = await execa(file, args, {
    input: options.input ?? '',
    reject: false,
    stripFinalNewline: false,
  });
  const out: ExecResult = {
    stdout: text(result.stdout),
    stderr: text(result.stderr),
    exitCode: result.exitCode ?? -1,
  };
  if (result.failed && options.reject !== false) {
    throw new NetnsCommandError(argv, result.exitCode, out.stderr || (result.message ?? ''), {
      cause: result,
    });
  }
  return out;
}

export function netnsExec(ns: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
  return run(['ip', 'netns', 'exec', ns, ...argv], options);
}

/** Runs `ip -batch -` (inside `ns` when given); stops at the first failing line. */
export async function ipBatch(
  ns: string | undefined,
  lines: readonly string[],
  force = false,
): Promise<void> {
  if (lines.length === 0) return;
  const argv = ['ip', ...(ns === undefined ? [] : ['-n', ns]), ...(force ? ['-force'] : []), '-batch', '-'];
  await run(argv, { input: `${lines.join('\n')}\n`, reject: !force });
}

export async function setSysctls(ns: string, settings: readonly string[]): Promise<void> {
  if (settings.length > 0) await netnsExec(ns, ['sysctl', '-q', '-w', ...settings]);
}
