/** Kills a topology's processes and deletes its namespaces; tolerates anything already gone. */
import { release, type Owned } from './registry.js';
import { ipBatch, run } from './run.js';
import type { PodServer } from './servers.js';

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function killNamespacePids(ns: string): Promise<void> {
  const { stdout } = await run(['ip', 'netns', 'pids', ns], { reject: false });
  stdout.split('\n').filter(Boolean).map(Number).forEach(killQuietly);
}

export async function teardown(owned: Owned, servers: readonly PodServer[]): Promise<void> {
  servers.forEach((server) => server.kill());
  await Promise.all(servers.map((server) => server.exited));
  const namespaces = [...owned.namespaces];
  // Anything else still running inside (a request in flight when a test timed out).
  await Promise.all(namespaces.map(killNamespacePids));
  await ipBatch(
    undefined,
    namespaces.map((ns) => `netns del ${ns}`),
    true,
  );
  owned.namespaces.clear();
  release(owned);
}

/** Awaits every promise (so nothing is left running), then throws the first failure. */
export async function settleAll(promises: readonly Promise<unknown>[]): Promise<void> {
  const outcomes = await Promise.allSettled(promises);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
}
