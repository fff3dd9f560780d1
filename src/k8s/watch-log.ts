import type winston from 'winston';
import type { InformerSignal } from './informer.js';

/** One log line per informer lifecycle signal: failures at warn, routine ones at debug. */
export function logInformerSignal(log: winston.Logger, resource: string, s: InformerSignal): void {
  switch (s.kind) {
    case 'listed':
      log.debug('listed', { resource, items: s.items, pages: s.pages, resourceVersion: s.resourceVersion });
      return;
    case 'synced':
      log.debug('informer synced', { resource });
      return;
    case 'watch-started':
      log.debug('watch started', { resource, resourceVersion: s.resourceVersion });
      return;
    case 'watch-ended':
      if (s.reason === 'closed') log.debug('watch closed', { resource, events: s.events });
      else log.warn('watch ended', { resource, reason: s.reason, events: s.events, error: message(s.error) });
      return;
    case 'list-failed':
      log.warn('list failed', { resource, error: message(s.error) });
      return;
    case 'retry':
      log.info('retrying', { resource, attempt: s.attempt, delayMs: s.delayMs, relist: s.relist });
      return;
    case 'handler-failed':
      log.error('event handler failed', { resource, error: message(s.error) });
      return;
    default: {
      const never: never = s;
      throw new Error(`unexpected signal ${String(never)}`);
    }
  }
}

function message(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  return error instanceof Error ? error.message : JSON.stringify(error);
}
