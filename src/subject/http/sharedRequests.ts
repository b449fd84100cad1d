/**
 * Identical GETs in flight share one upstream request (many panels of one dashboard refresh cost one call). One
 * caller's signal does not cancel the shared request, only the last caller's: when every caller has gone (Grafana
 * cancelled every panel that asked), the upstream request is aborted too.
 *
 *   const shared = new SharedRequests<T>();
 *   await shared.join(key, (signal) => fetchIt(signal), callerSignal);
 */
interface Shared<T> {
  promise: Promise<T>;
  /** Aborts the upstream request once no caller waits for it any more. */
  controller: AbortController;
  callers: number;
  settled: boolean;
}

export class SharedRequests<T> {
  private readonly inflight = new Map<string, Shared<T>>();

  /** The request running under `key`, or a new one from `start`; rejects at once when `signal` aborts. */
  async join(key: string, start: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const shared = this.inflight.get(key) ?? this.start(key, start);
    shared.callers++;
    try {
      return await raceSignal(shared.promise, signal);
    } finally {
      shared.callers--;
      if (shared.callers === 0 && !shared.settled && signal?.aborted) {
        // A later identical GET starts afresh instead of joining the aborted one.
        if (this.inflight.get(key) === shared) {
          this.inflight.delete(key);
        }
        shared.controller.abort(signal.reason);
      }
    }
  }

  /** Requests in flight (tests). */
  get size(): number {
    return this.inflight.size;
  }

  private start(key: string, start: (signal: AbortSignal) => Promise<T>): Shared<T> {
    const controller = new AbortController();
    const shared: Shared<T> = { promise: undefined as never, controller, callers: 0, settled: false };
    shared.promise = start(controller.signal).finally(() => {
      shared.settled = true;
      if (this.inflight.get(key) === shared) {
        this.inflight.delete(key);
      }
    });
    // Every caller may have left (then nobody awaits the abort's rejection).
    shared.promise.catch(() => undefined);
    this.inflight.set(key, shared);
    return shared;
  }
}

/** Rejects as soon as the caller's signal aborts, while the shared request goes on for the others. */
function raceSignal<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) {
    return p;
  }
  if (signal.aborted) {
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      }
    );
  });
}
