import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = new URL('../../../', import.meta.url).pathname;

export interface CommandHelp {
  /** Exit code and combined output of `kproxy <command> --help`, run from source. */
  readonly status: number | null;
  readonly text: string;
  /** Whether the output is the command's own help rather than the root usage. */
  readonly isCommandHelp: boolean;
  /** Option names the help lists (long and one-letter), without the leading dashes. */
  readonly flags: ReadonlySet<string>;
  /** `[default: ...]` per flag, as printed (quotes removed). */
  readonly defaults: ReadonlyMap<string, string>;
}

/** Runs `kproxy <command> --help` from source, as the image's binary would run it from dist/. */
export function commandHelp(command: string): CommandHelp {
  const entry = join(REPO_ROOT, 'src/cli/entry.ts');
  const args = existsSync(entry)
    ? ['--import', 'tsx', entry, command, '--help']
    : [
        '--import',
        'tsx',
        '-e',
        `import('./src/cli/main.ts').then((m) => m.main(['${command}', '--help'])).then((c) => process.exit(c))`,
      ];
  const result = spawnSync(process.execPath, args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  const text = `${result.stdout}${result.stderr}`;
  const described = new Map<string, string>();
  let current: string | undefined;
  // Option lines look like "  -h, --help  Show help  [boolean]", "  -v  ..." or "      --config ..."; yargs
  // wraps long descriptions onto indented lines that start with no option.
  for (const line of text.split('\n')) {
    const m =
      /^\s+-([A-Za-z0-9])(?:, --([a-z0-9][a-z0-9-]*))?(\s.*)?$/.exec(line) ??
      /^\s+()--([a-z0-9][a-z0-9-]*)(\s.*)?$/.exec(line);
    if (m) {
      const [, short, long, rest = ''] = m;
      current = long ?? short!;
      described.set(current, rest);
      if (short && long) described.set(short, rest);
    } else if (current !== undefined && /^\s+\S/.test(line)) {
      described.set(current, `${described.get(current)} ${line.trim()}`);
    } else {
      current = undefined;
    }
  }
  const defaults = new Map<string, string>();
  for (const [flag, description] of described) {
    const d = /\[default: ("?)(.*?)\1\]/.exec(description);
    if (d) defaults.set(flag, d[2]!);
  }
  return {
    status: result.status,
    text,
    isCommandHelp: new RegExp(`^kproxy ${command}\\b`, 'm').test(text),
    flags: new Set(described.keys()),
    defaults,
  };
}
