import type winston from 'winston';

/** What every command gets from main: where to write output and the root logger. */
export interface CommandContext {
  readonly logger: winston.Logger;
  readonly stdout: (text: string) => void;
}
