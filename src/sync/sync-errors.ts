import { RestoreError, SaveError } from '../errors.js';

/** Log fields for a failed sync: the message plus what an operator needs from restore/save errors. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof RestoreError) {
    const { binary, exitCode, line, lineText, table, chain, context } = error.details;
    return { error: error.message, binary, exitCode, line, lineText, table, chain, context };
  }
  if (error instanceof SaveError) {
    const { binary, exitCode, stderr, line } = error.details;
    return { error: error.message, binary, exitCode, stderr: stderr.trim(), line };
  }
  return { error: error instanceof Error ? error.message : String(error) };
}
