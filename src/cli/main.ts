import yargs from 'yargs';
import { ConfigError, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, InputError } from '../errors.js';
import type { CommandContext } from './context.js';
import { createLogger } from './logger.js';
import { registerApply, registerCleanup, registerDiff } from './commands/apply.js';
import { registerRender } from './commands/render.js';
import { registerRun } from './commands/run.js';
import { registerTrace } from './commands/trace.js';

/** The only place that builds real implementations; returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const logger = createLogger(process.env.KPROXY_LOG_LEVEL ?? 'info');
  const ctx: CommandContext = { logger, stdout: (text) => void process.stdout.write(text) };
  let exitCode = EXIT_OK;
  const cli = yargs([...argv])
    .scriptName('kproxy')
    .usage('$0 <command> [options]\n\nA drop-in replacement for kube-proxy in iptables mode.')
    .strict()
    .demandCommand(1, 'Name a command.')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    });
  registerRender(cli, ctx);
  registerRun(cli, ctx);
  registerApply(cli, ctx);
  registerDiff(cli, ctx);
  registerCleanup(cli, ctx);
  registerTrace(cli, ctx);
  try {
    await cli.parseAsync();
    if (typeof process.exitCode === 'number' && process.exitCode !== 0) exitCode = process.exitCode;
  } catch (err) {
    exitCode = reportError(err);
  } finally {
    logger.close();
  }
  return exitCode;
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function reportError(err: unknown): number {
  if (err instanceof UsageError) {
    process.stderr.write(`kproxy: ${err.message}\nRun 'kproxy --help' for usage.\n`);
    return EXIT_BAD_INPUT;
  }
  if (err instanceof ConfigError || err instanceof InputError) {
    process.stderr.write(`kproxy: ${oneLine(err.message)}\n`);
    return EXIT_BAD_INPUT;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`kproxy: ${message}\n`);
  return EXIT_FAILURE;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
