/** Delay before the second attempt when none is configured: a blip passes in a second. */
export const DEFAULT_BACKOFF_BASE_MS = 1000;
/** Longest wait between attempts: a sink back from a long outage is tried within 10 minutes. */
export const DEFAULT_BACKOFF_MAX_MS = 10 * 60_000;

/**
 * The wait after failed attempt number `attempt` (1-based): exponential, `baseMs * 2^(attempt-1)`
 * capped at `maxMs`, with "equal jitter": a random point in the upper half of that window, so
 * waits still grow while many deliveries failing together spread out. `random` returns [0, 1).
 */
export function backoffDelayMs(
  attempt: number,
  settings: { baseMs: number; maxMs: number },
  random: () => number,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const window = Math.min(settings.baseMs * 2 ** exponent, settings.maxMs);
  return Math.round(window / 2 + random() * (window / 2));
}
