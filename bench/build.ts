import { execa } from 'execa';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The benchmark's measuring children (kproxy's controller, its memory, the fake API server) run as
 * kproxy runs in production: compiled JavaScript under plain node, not through tsx's loader (which
 * adds ~35 MB of RSS and its own start-up work). This compiles them, and what they import, into
 * .bench-build/ once per benchmark run (tsconfig.bench.json).
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BENCH_BUILD_DIR = fileURLToPath(new URL('../.bench-build/', import.meta.url));

export async function buildChildren(): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = await execa(process.execPath, [tsc, '-p', 'tsconfig.bench.json'], {
    cwd: ROOT,
    reject: false,
  });
  if (result.exitCode !== 0) {
    throw new Error(`bench: compiling the measuring children failed:\n${result.stdout}${result.stderr}`);
  }
}

/** The compiled form of one of bench/'s child entry points, e.g. `latency-api`. */
export function childScript(name: 'controller-memory' | 'latency-controller' | 'latency-api'): string {
  return `${BENCH_BUILD_DIR}bench/${name}.js`;
}
