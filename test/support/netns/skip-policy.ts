/**
 * Skip policy for tests that need root, `ip netns` and iptables: outside CI they may skip, loudly;
 * with CI=true a missing capability fails the suite instead.
 */
import { randomBytes } from 'node:crypto';
import { run } from './run.js';

const REQUIRED_BINARIES = [
  'iptables-nft-restore',
  'iptables-legacy-restore',
  'ip6tables-nft-restore',
  'ip6tables-legacy-restore',
  'conntrack',
] as const;

let probe: Promise<string | undefined> | undefined;

async function commandWorks(argv: readonly string[]): Promise<boolean> {
  try {
    await run(argv);
    return true;
  } catch {
    return false;
  }
}

/** Why netns tests cannot run here, or undefined when they can. */
async function missingCapability(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `platform is ${process.platform}, not linux`;
  if (process.getuid?.() !== 0) return 'not running as root';
  for (const binary of REQUIRED_BINARIES) {
    if (!(await commandWorks([binary, '--version']))) return `${binary} is not usable`;
  }
  const ns = `kpt-${randomBytes(2).toString('hex')}-probe`;
  if (!(await commandWorks(['ip', 'netns', 'add', ns]))) return '`ip netns add` failed';
  const iptablesWorks = await commandWorks(['ip', 'netns', 'exec', ns, 'iptables-nft-save']);
  await commandWorks(['ip', 'netns', 'del', ns]);
  return iptablesWorks ? undefined : 'iptables does not work inside a network namespace';
}

export function netnsUnavailableReason(): Promise<string | undefined> {
  return (probe ??= missingCapability());
}

/** Call from a `before` hook: skips the suite (non-CI, with a warning) or fails it (CI=true). */
export async function requireNetns(context: Mocha.Context): Promise<void> {
  const reason = await netnsUnavailableReason();
  if (reason === undefined) return;
  if (process.env.CI === 'true') {
    throw new Error(`netns tests cannot run (${reason}); CI=true makes this a failure, not a skip`);
  }
  process.stderr.write(
    `\n*** SKIPPED: netns tests need root, ip netns and iptables (${reason}); ` +
      'set CI=true to make this a failure ***\n\n',
  );
  context.skip();
}

/** `describe` whose tests only run where network namespaces and iptables are usable. */
export function describeWithNetns(title: string, body: (this: Mocha.Suite) => void): Mocha.Suite {
  return describe(title, function () {
    before(async function () {
      await requireNetns(this);
    });
    body.call(this);
  });
}
