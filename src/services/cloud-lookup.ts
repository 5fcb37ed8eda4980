// Read-only cloud queries that only decorate a response (`?details=true`): each is bounded by a
// timeout and never fails the request. A failure, a timeout or missing credentials give a fallback.

/** The default bound for one details lookup; the original used 10 s for its parallel site queries. */
export const DEFAULT_LOOKUP_TIMEOUT_MS = 10_000;

/**
 * Runs `query`, resolving to its result or, when it throws or takes longer than `timeoutMs`, to
 * `fallback` after passing the reason to `onFailure`. A query that times out keeps running in the
 * background; its eventual result is ignored.
 */
export function lookupOr<T>(query: () => Promise<T>, fallback: T, timeoutMs: number, onFailure: (reason: unknown) => void): Promise<T> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (value: T, failure?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (failure !== undefined) onFailure(failure);
      resolve(value);
    };
    const timer = setTimeout(() => finish(fallback, new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    // Starting the query inside then() also turns a synchronous throw into a rejection.
    Promise.resolve()
      .then(query)
      .then(
        (value) => finish(value),
        (err: unknown) => finish(fallback, err ?? new Error('lookup failed')),
      );
  });
}

/** A log-safe description of why a lookup failed: the error's class and message, never its inputs. */
export function describeFailure(reason: unknown): string {
  if (reason instanceof Error) {
    const errorClass = (reason as { errorClass?: unknown }).errorClass;
    return typeof errorClass === 'string' ? `${errorClass}: ${reason.message}` : reason.message;
  }
  return String(reason);
}
