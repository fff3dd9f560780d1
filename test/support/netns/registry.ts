/**
 * Safety net: every namespace and child process the harness creates is recorded here before it
 * exists, and deleted synchronously if the test process exits (or is killed by SIGINT/SIGTERM)
 * without `destroy()` having run.
 */
import { execaSync } from 'execa';

export interface Owned {
  readonly id: string;
  readonly namespaces: Set<string>;
  readonly pids: Set<number>;
}

const live = new Map<string, Owned>();
let hooked = false;

export function track(id: string): Owned {
  installHooks();
  const owned: Owned = { id, namespaces: new Set(), pids: new Set() };
  live.set(id, owned);
  return owned;
}

export function release(owned: Owned): void {
  live.delete(owned.id);
}

export function liveTopologyIds(): string[] {
  return [...live.keys()];
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function namespacePids(ns: string): number[] {
  const result = execaSync('ip', ['netns', 'pids', ns], { reject: false });
  return String(result.stdout).split('\n').filter(Boolean).map(Number);
}

/** Synchronous teardown of everything still recorded (the process is going away). */
export function cleanupAllSync(): void {
  for (const owned of live.values()) {
    owned.pids.forEach(killQuietly);
    for (const ns of owned.namespaces) namespacePids(ns).forEach(killQuietly);
    const lines = [...owned.namespaces].map((ns) => `netns del ${ns}`).join('\n');
    execaSync('ip', ['-force', '-batch', '-'], { input: `${lines}\n`, reject: false });
  }
  live.clear();
}

/**
 * Cleans up, then re-raises the signal without us listening. Re-raising (instead of deciding
 * ourselves) matters: execa's signal-exit and tsx's relay only exit the process when no other
 * listener is registered, so they would otherwise all wait for each other and nobody exits.
 */
function onSignal(signal: NodeJS.Signals): void {
  cleanupAllSync();
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  process.kill(process.pid, signal);
}

function installHooks(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', cleanupAllSync);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
