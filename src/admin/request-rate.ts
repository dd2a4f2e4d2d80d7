/**
 * Requests one client address may make per second on the admin port, beyond the probes: a
 * page load is four, a Prometheus scrape one every few seconds. Past it the answer is a cheap
 * 429, so a few addresses polling /metrics or the page back to back cannot take the CPU that
 * /healthz and /readyz need to answer a new client within a second.
 */
export const ADMIN_REQUESTS_PER_ADDRESS_PER_S = 20;
/** Requests an address may make at once after being quiet (a page and its assets, twice). */
export const ADMIN_REQUEST_BURST = 40;

/**
 * A token bucket per address: `take(address)` is true while the address stays within its
 * rate. Addresses whose bucket is full again are forgotten, so the map holds only the busy.
 */
export function requestRate(
  perSecond = ADMIN_REQUESTS_PER_ADDRESS_PER_S,
  burst = ADMIN_REQUEST_BURST,
  now: () => number = Date.now,
): { take(address: string): boolean } {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = (bucket: { tokens: number; at: number }, at: number): void => {
    bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.at) / 1000) * perSecond);
    bucket.at = at;
  };
  return {
    take(address) {
      const at = now();
      if (buckets.size > 1000) {
        for (const [key, bucket] of buckets) {
          refill(bucket, at);
          if (bucket.tokens >= burst) buckets.delete(key);
        }
      }
      const bucket = buckets.get(address) ?? { tokens: burst, at };
      refill(bucket, at);
      buckets.set(address, bucket);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
  };
}
