/**
 * kproxy's error classes. Each carries what an operator needs to act on it; the original error,
 * when there is one, is kept as `cause`.
 */

/** Bad configuration or input files: fatal at start-up, exit code 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    /** The file the problem is in, when there is one. */
    readonly file?: string,
    options?: ErrorOptions,
  ) {
    super(file ? `${file}: ${message}` : message, options);
  }
}

/** A file or directory of API objects could not be read or parsed: exit code 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    message: string,
    readonly file: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${message}`, options);
  }
}

/** Exit codes shared by the commands. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

/** A program kproxy needs (iptables-save, iptables-restore, conntrack, ip) is not installed. */
export class BinaryNotFoundError extends Error {
  override readonly name = 'BinaryNotFoundError';
  constructor(
    readonly binary: string,
    hint: string,
    options?: ErrorOptions,
  ) {
    super(`${binary} was not found on PATH. ${hint}`, options);
  }
}

/** A helper command (conntrack, `--version` probes) exited unsuccessfully. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(`${command} failed (exit ${exitCode ?? 'none'}): ${firstLine(stderr)}`, options);
  }
}

/** iptables-save failed, or its output could not be parsed. */
export class SaveError extends Error {
  override readonly name = 'SaveError';
  constructor(
    message: string,
    readonly details: {
      readonly binary: string;
      readonly exitCode: number | undefined;
      readonly stderr: string;
      /** 1-based line of the save output that could not be parsed, when that is the problem. */
      readonly line?: number;
    },
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * iptables-restore rejected kproxy's input. The kernel keeps the previous rules of the failing
 * table; the fields locate the line the binary complained about.
 */
export class RestoreError extends Error {
  override readonly name = 'RestoreError';
  constructor(
    message: string,
    readonly details: {
      readonly binary: string;
      readonly exitCode: number | undefined;
      readonly stderr: string;
      /** 1-based line of the restore input, when it could be determined. */
      readonly line: number | undefined;
      /** The text of that line. */
      readonly lineText: string | undefined;
      /** A few numbered lines around it, the failing one marked with `>`. */
      readonly context: readonly string[];
      readonly table: string | undefined;
      readonly chain: string | undefined;
    },
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
