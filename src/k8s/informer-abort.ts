import type { Clock } from './informer-clock.js';

/** An AbortController that also aborts when `parent` does; `dispose` unhooks it from the parent. */
export interface ChildAbort {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
  dispose(): void;
}

export function childAbort(parent: AbortSignal, clock?: Clock, timeoutMs?: number): ChildAbort {
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onParentAbort, { once: true });
  const cancelTimer =
    clock !== undefined && timeoutMs !== undefined
      ? clock.setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)
      : (): void => undefined;
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose: () => {
      cancelTimer();
      parent.removeEventListener('abort', onParentAbort);
    },
  };
}
