import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

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

interface DaemonSetShape {
  spec?: {
    template?: { spec?: { containers?: { name?: string; env?: { name?: string; value?: string }[] }[] } };
  };
}

/**
 * The node flags kproxy runs with in production: NODE_OPTIONS of the kproxy container in
 * manifests/daemonset.yaml (heap budget, young generation). The measuring children get the same
 * flags, so the memory the benchmark reports is the deployed process's.
 */
export async function kproxyNodeOptions(): Promise<string[]> {
  const file = fileURLToPath(new URL('../manifests/daemonset.yaml', import.meta.url));
  const ds = parse(await readFile(file, 'utf8')) as DaemonSetShape;
  const container = ds.spec?.template?.spec?.containers?.find((c) => c.name === 'kproxy');
  const value = container?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
  if (value === undefined) throw new Error(`bench: ${file} sets no NODE_OPTIONS for the kproxy container`);
  return value.split(/\s+/).filter((flag) => flag !== '');
}

/** The endpoints (services x endpoints per service) the DaemonSet's heap budget is sized for. */
export const BUDGET_ENDPOINTS = 100_000;

/**
 * The node flags kproxy runs with on a cluster of `endpoints` endpoints: the DaemonSet's, with
 * --max-old-space-size raised in proportion above BUDGET_ENDPOINTS, as docs/migrate.md ("Large
 * clusters") tells operators to size it.
 */
export function kproxyNodeOptionsFor(base: readonly string[], endpoints: number): string[] {
  const scale = Math.ceil(endpoints / BUDGET_ENDPOINTS);
  if (scale <= 1) return [...base];
  return base.map((flag) => {
    const m = /^--max-old-space-size=(\d+)$/.exec(flag);
    return m ? `--max-old-space-size=${Number(m[1]) * scale}` : flag;
  });
}
