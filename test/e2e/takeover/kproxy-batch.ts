/**
 * Runs several kproxy command lines through the CLI's own `main()` in ONE Node process, so that a
 * test can afford many cheap commands (e.g. one `kproxy trace` per flow) without paying the CLI's
 * start-up (about 1.7 s: tsx and the Kubernetes client) for each. Started inside a network
 * namespace, like test/support/kproxy-cli.ts, it sees that namespace's addresses and iptables.
 *
 *   node --import tsx kproxy-batch.ts RUNS_JSON OUT_FILE
 *
 * RUNS_JSON is an array of argument lists; OUT_FILE receives `{ args, exitCode, stdout, stderr }[]`.
 */
import { writeFile } from 'node:fs/promises';
import { main } from '../../../src/cli/main.js';

const [runsJson, outFile] = process.argv.slice(2);
if (runsJson === undefined || outFile === undefined)
  throw new Error('usage: kproxy-batch RUNS_JSON OUT_FILE');
const runs = JSON.parse(runsJson) as string[][];

const results: { args: string[]; exitCode: number; stdout: string; stderr: string }[] = [];
for (const args of runs) {
  const captured = { stdout: '', stderr: '' };
  const originals = {
    stdout: process.stdout.write.bind(process.stdout),
    stderr: process.stderr.write.bind(process.stderr),
  };
  const capture =
    (into: 'stdout' | 'stderr'): typeof process.stdout.write =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      captured[into] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      const callback = rest.find((r): r is () => void => typeof r === 'function');
      callback?.();
      return true;
    };
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  process.exitCode = undefined;
  let exitCode: number;
  try {
    exitCode = await main(args);
  } finally {
    process.stdout.write = originals.stdout;
    process.stderr.write = originals.stderr;
  }
  results.push({ args, exitCode, ...captured });
}
process.exitCode = 0;
await writeFile(outFile, JSON.stringify(results));
