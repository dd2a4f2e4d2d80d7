/**
 * How long a failed insert keeps a store "not ready" when nothing has been stored since: long
 * enough for a load balancer to take the receiver out, short enough that a receiver it took
 * out (and so sends nothing) is tried again soon after the cause went away.
 */
export const WRITE_FAILURE_NOT_READY_MS = 30_000;

/** What a store remembers of its last insert, for `readiness()`. */
export interface WriteHealth {
  succeeded(): void;
  failed(error: unknown): void;
  /** Why the store is not ready: an insert failed within the window and none succeeded since. */
  problem(): string | undefined;
}

/**
 * A store's readiness must follow its inserts, not only whether it can be reached: a
 * database that answers queries but refuses writes (read-only, a full disk, a dropped table)
 * would otherwise be "ready" while every notification gets a 503.
 */
export function createWriteHealth(now: () => number = Date.now): WriteHealth {
  let failure: { message: string; at: number } | undefined;
  return {
    succeeded: () => {
      failure = undefined;
    },
    failed: (error) => {
      failure = { message: error instanceof Error ? error.message : String(error), at: now() };
    },
    problem: () => {
      if (!failure || now() - failure.at > WRITE_FAILURE_NOT_READY_MS) return undefined;
      const ago = Math.round((now() - failure.at) / 1000);
      return `the last insert failed ${ago} s ago and none has succeeded since: ${failure.message}`;
    },
  };
}
