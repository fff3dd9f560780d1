/**
 * iptables-nft-save 1.8.9 recurses once per rule of a table (the crash is in libnftnl), so a big
 * table overflows the default 8 MiB stack and the save dies with SIGSEGV: about 1-2 MiB per 30k
 * rules, so the default limit breaks somewhere past ~150k rules in one table. kproxy never uses a
 * shell, so the save runs as `prlimit --stack=unlimited -- iptables-save ...` (util-linux, an
 * Essential package on Debian) and falls back to the plain command when prlimit is missing or may
 * not raise the limit.
 */

export const PRLIMIT = 'prlimit';

export interface Command {
  readonly file: string;
  readonly args: readonly string[];
}

/** `binary args` run with no soft or hard stack limit. */
export function withUnlimitedStack(binary: string, args: readonly string[]): Command {
  return { file: PRLIMIT, args: ['--stack=unlimited', '--', binary, ...args] };
}

/**
 * What a `withUnlimitedStack` run means: the wrapped command ran (whatever its exit), prlimit could
 * not set the limit (hard limit below unlimited without CAP_SYS_RESOURCE: run it plainly), or
 * prlimit could not execute the wrapped binary.
 */
export type PrlimitOutcome = 'ran' | 'limit-refused' | 'exec-failed';

export function prlimitOutcome(result: {
  readonly exitCode: number | undefined;
  readonly stderr: string;
}): PrlimitOutcome {
  if (!/^prlimit: /m.test(result.stderr)) return 'ran';
  if (result.exitCode === 1) return 'limit-refused';
  if (result.exitCode === 126 || result.exitCode === 127) return 'exec-failed';
  return 'ran';
}
