/** The p-th percentile (nearest rank) of ascending `sorted`; 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? 0;
}

/** `p50 4.9 ms, p95 5.7 ms, max 7.6 ms` for the given percentiles. */
export function latencyLine(latencies: readonly number[], ps: readonly number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  const parts = ps.map((p) => `p${p} ${percentile(sorted, p)} ms`);
  return [...parts, `max ${sorted.at(-1) ?? 0} ms`].join(", ");
}
