/**
 * A failed list or watch: an HTTP status, an ERROR event's Status, a broken connection or a bad
 * response. Carries what an operator needs: the path, the HTTP code and the API's reason.
 */
export class WatchError extends Error {
  override readonly name = 'WatchError';
  constructor(
    message: string,
    readonly path: string,
    /** HTTP status or Status.code; undefined when the connection itself failed. */
    readonly code?: number,
    /** Status.reason, e.g. `Expired`, `InternalError`. */
    readonly reason?: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${message}`, options);
  }

  get isGone(): boolean {
    return this.code === 410;
  }
}

interface StatusLike {
  readonly code?: number;
  readonly reason?: string;
  readonly message?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Reads the fields of a metav1.Status (or anything shaped like one). */
export function readStatus(value: unknown): StatusLike {
  if (!isRecord(value)) return {};
  return {
    code: typeof value.code === 'number' ? value.code : undefined,
    reason: typeof value.reason === 'string' ? value.reason : undefined,
    message: typeof value.message === 'string' ? value.message : undefined,
  };
}

export function statusError(path: string, status: unknown, httpCode?: number): WatchError {
  const { code, reason, message } = readStatus(status);
  return new WatchError(message ?? `HTTP ${httpCode ?? code}`, path, httpCode ?? code, reason);
}
