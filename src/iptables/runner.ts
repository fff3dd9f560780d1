import { execa } from 'execa';
import { BinaryNotFoundError, CommandError, SaveError } from '../errors.js';
import type { IpFamily } from '../model/family.js';
import { restoreError } from './restore-failure.js';
import { PRLIMIT, prlimitOutcome, withUnlimitedStack } from './save-stack.js';

/**
 * The only place kproxy spawns processes: iptables-save / iptables-restore (and the ip6tables
 * twins) here, conntrack through the same exec core (conntrack.ts). Argument arrays, input on
 * stdin, never a shell. With `netns` every command runs through `ip netns exec NAME`. Saves run
 * under `prlimit --stack=unlimited` when it can (save-stack.ts: big tables crash iptables-nft-save).
 */

export type Backend = 'auto' | 'nft' | 'legacy';

export interface ExecOptions {
  /** Run inside this network namespace (tests, e2e harness). */
  readonly netns?: string;
  /** Extra environment for the child (e.g. PATH); merged over the parent's. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Kill a command that runs longer than this (default 10 min: iptables-nft-save of a 300k-rule
   * table was measured at 90-230 s on two cores; a killed restore commits nothing).
   */
  readonly timeoutMs?: number;
}

export interface RunnerOptions extends ExecOptions {
  readonly backend: Backend;
  /** Seconds iptables-restore waits for the xtables lock (default 5). */
  readonly waitSeconds?: number;
}

export interface ExecResult {
  readonly exitCode: number | undefined;
  /** The signal that killed the command (e.g. SIGSEGV), if one did. */
  readonly signal?: string;
  readonly stdout: string;
  readonly stderr: string;
}

export interface IptablesVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** 'nf_tables' or 'legacy' as the binary reports it; '' when it does not say. */
  readonly mode: string;
  readonly text: string;
}

export interface RestoreOptions {
  readonly noflush: boolean;
  readonly counters: boolean;
}

export interface Runner {
  readonly backend: Backend;
  /** iptables-save output; `counters` adds `-c` (`[packets:bytes]` before each rule). */
  save(family: IpFamily, table?: string, opts?: { readonly counters?: boolean }): Promise<string>;
  /**
   * iptables-save of every table, handed to `sink` chunk by chunk as it arrives instead of
   * returned whole: at 10k services that output is tens of MB, at 30k over execa's buffer limit.
   */
  saveTo(family: IpFamily, sink: (chunk: string) => void): Promise<void>;
  restore(family: IpFamily, input: RestoreInput, opts: RestoreOptions): Promise<void>;
  version(): Promise<IptablesVersion>;
  supportsRandomFully(): Promise<boolean>;
}

/**
 * iptables-restore input: the text, or its chunks, rendered as they are streamed to stdin. The
 * iterable must yield the same chunks every time it is iterated (a failure is located in the text).
 */
export type RestoreInput = string | Iterable<string>;

/** The whole input as one string. */
export function inputText(input: RestoreInput): string {
  return typeof input === 'string' ? input : [...input].join('');
}

const BACKEND_HINT = 'Install iptables, or pick the binaries with --iptables-backend nft|legacy.';

/** Runs one command; resolves with its exit code (never rejects on a non-zero exit). */
export async function execTool(
  file: string,
  args: readonly string[],
  opts: ExecOptions,
  extra: {
    readonly input?: RestoreInput;
    readonly notFoundHint?: string;
    /** Receives stdout as it arrives, decoded as UTF-8; the result's stdout is then ''. */
    readonly onStdout?: (chunk: string) => void;
  } = {},
): Promise<ExecResult> {
  const { input, notFoundHint = BACKEND_HINT, onStdout } = extra;
  const [cmd, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, file, ...args]] : [file, [...args]];
  const subprocess = execa(cmd, argv, {
    reject: false,
    stripFinalNewline: false,
    timeout: opts.timeoutMs ?? 600_000,
    ...(opts.env ? { env: { ...opts.env } } : {}),
    ...(input === undefined
      ? { stdin: 'ignore' as const }
      : typeof input === 'string'
        ? { input }
        : { stdin: streamOf(input) }),
    ...(onStdout ? { buffer: { stdout: false } } : {}),
  });
  // A consumer that throws (e.g. on output it cannot parse) stops the command; its error is thrown.
  let consumerError: Error | undefined;
  if (onStdout) {
    subprocess.stdout.setEncoding('utf8');
    subprocess.stdout.on('data', (chunk: string) => {
      if (consumerError !== undefined) return;
      try {
        onStdout(chunk);
      } catch (err) {
        consumerError = err instanceof Error ? err : new Error(String(err));
        subprocess.kill();
      }
    });
  }
  const result = await subprocess;
  if (consumerError !== undefined) throw consumerError;
  const stderr = String(result.stderr);
  if (result.code === 'ENOENT') throw new BinaryNotFoundError(cmd, notFoundHint, { cause: result });
  if (opts.netns && result.exitCode !== 0 && stderr.includes(`exec of "${file}" failed: No such file`)) {
    throw new BinaryNotFoundError(file, notFoundHint);
  }
  if (result.timedOut) throw new CommandError(`${file} (timed out)`, undefined, stderr, { cause: result });
  return {
    exitCode: result.exitCode,
    ...(result.signal ? { signal: result.signal } : {}),
    stdout: onStdout ? '' : String(result.stdout),
    stderr,
  };
}

/** A one-shot iterable over the chunks (execa reads an iterable, not a generator function, as input). */
function streamOf(input: Iterable<string>): Iterable<string> {
  return { [Symbol.iterator]: () => input[Symbol.iterator]() };
}

/** iptables-save, ip6tables-restore, iptables-nft-save, ip6tables-legacy-restore, ... */
export function binaryName(backend: Backend, family: IpFamily, tool: 'save' | 'restore'): string {
  const base = family === 'ipv6' ? 'ip6tables' : 'iptables';
  return backend === 'auto' ? `${base}-${tool}` : `${base}-${backend}-${tool}`;
}

export function parseVersion(text: string): IptablesVersion | undefined {
  const m = /v(\d+)\.(\d+)\.(\d+)(?:\s+\(([^)]+)\))?/.exec(text);
  if (!m) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    mode: m[4] ?? '',
    text: text.trim(),
  };
}

/** Lock-wait flags for iptables-restore of this version (kube-proxy's rules, minus the deprecated -W). */
export function waitFlags(v: IptablesVersion, seconds: number): string[] {
  if (!atLeast(v, 1, 6, 2)) return []; // no -w in restore before 1.6.2
  const flags = ['-w', String(seconds)];
  // -W (poll interval) is ignored with a warning from 1.8.8 on.
  return atLeast(v, 1, 8, 8) ? flags : [...flags, '-W', '100000'];
}

export function atLeast(v: IptablesVersion, major: number, minor: number, patch: number): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

export function createRunner(opts: RunnerOptions): Runner {
  let versionPromise: Promise<IptablesVersion> | undefined;
  const version = (): Promise<IptablesVersion> =>
    (versionPromise ??= probeVersion(opts).catch((err: unknown) => {
      versionPromise = undefined; // probe again next time
      throw err;
    }));
  let raiseStack = true; // until prlimit turns out missing or not allowed to raise the limit
  // With `onStdout`, a retry without prlimit is safe: prlimit writes nothing to stdout when it
  // cannot set the limit or cannot execute the binary.
  const saveWithBigStack = async (
    binary: string,
    args: readonly string[],
    onStdout?: (chunk: string) => void,
  ): Promise<ExecResult> => {
    const extra = onStdout ? { onStdout } : {};
    if (raiseStack) {
      const wrapped = withUnlimitedStack(binary, args);
      const result = await execTool(wrapped.file, wrapped.args, opts, extra).catch((err: unknown) => {
        if (err instanceof BinaryNotFoundError && err.binary === PRLIMIT) return undefined;
        throw err;
      });
      const outcome = result && prlimitOutcome(result);
      if (result && outcome === 'ran') return result;
      // Missing or refused: plain saves from now on. Exec failure: the plain run reports it properly.
      if (outcome !== 'exec-failed') raiseStack = false;
    }
    return execTool(binary, args, opts, extra);
  };
  const saveFailed = (binary: string, table: string | undefined, result: ExecResult): SaveError => {
    const how = result.signal ? `killed by ${result.signal}` : `exit ${result.exitCode ?? 'none'}`;
    const msg = `${binary}${table ? ` -t ${table}` : ''} failed (${how}): ${result.stderr.trim()}`;
    return new SaveError(msg, { binary, exitCode: result.exitCode, stderr: result.stderr });
  };
  return {
    backend: opts.backend,
    async save(family, table, saveOpts) {
      const binary = binaryName(opts.backend, family, 'save');
      const args = [...(table ? ['-t', table] : []), ...(saveOpts?.counters ? ['-c'] : [])];
      const result = await saveWithBigStack(binary, args);
      if (result.exitCode !== 0) throw saveFailed(binary, table, result);
      return result.stdout;
    },
    async saveTo(family, sink) {
      const binary = binaryName(opts.backend, family, 'save');
      const result = await saveWithBigStack(binary, [], sink);
      if (result.exitCode !== 0) throw saveFailed(binary, undefined, result);
    },
    async restore(family, input, restoreOpts) {
      const binary = binaryName(opts.backend, family, 'restore');
      const args = [
        ...waitFlags(await version(), opts.waitSeconds ?? 5),
        ...(restoreOpts.noflush ? ['--noflush'] : []),
        ...(restoreOpts.counters ? ['--counters'] : []),
      ];
      const result = await execTool(binary, args, opts, { input });
      if (result.exitCode !== 0) {
        throw restoreError(binary, result.exitCode, result.stderr, inputText(input));
      }
    },
    version,
    async supportsRandomFully() {
      return atLeast(await version(), 1, 6, 2);
    },
  };
}

async function probeVersion(opts: RunnerOptions): Promise<IptablesVersion> {
  const binary = binaryName(opts.backend, 'ipv4', 'save');
  const result = await execTool(binary, ['--version'], opts);
  const parsed = parseVersion(result.stdout + result.stderr);
  if (result.exitCode !== 0 || !parsed)
    throw new CommandError(`${binary} --version`, result.exitCode, result.stderr);
  return parsed;
}
