import { execFileSync } from 'node:child_process';
import { execa } from 'execa';

/**
 * Network namespaces the benchmark creates. Every name starts with the run's prefix; they are
 * deleted when done, on error, and on SIGINT/SIGTERM (synchronously, before the process exits).
 */

const created = new Set<string>();
let hooked = false;

function deleteSync(name: string): void {
  try {
    execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  } catch {
    // already gone
  }
  created.delete(name);
}

function hookSignals(): void {
  if (hooked) return;
  hooked = true;
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const name of [...created]) deleteSync(name);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => {
    for (const name of [...created]) deleteSync(name);
  });
}

export async function createNetns(name: string): Promise<string> {
  hookSignals();
  created.add(name);
  await execa('ip', ['netns', 'add', name]);
  return name;
}

export async function deleteNetns(name: string): Promise<void> {
  await execa('ip', ['netns', 'del', name], { reject: false });
  created.delete(name);
}

/** Deletes every namespace whose name starts with `prefix` (the parent's sweep after a child). */
export async function sweepNetns(prefix: string): Promise<string[]> {
  const { stdout } = await execa('ip', ['netns', 'list'], { reject: false });
  const names = String(stdout)
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(prefix));
  for (const name of names) await deleteNetns(name);
  return names;
}
