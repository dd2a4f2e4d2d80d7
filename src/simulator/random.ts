/** A seeded source of randomness, so a verify run (and its payloads) can be replayed. */
export interface Random {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  /** An RFC 4122 version-4 UUID built from this source. */
  uuid(): string;
  /** `length` lowercase hex digits. */
  hex(length: number): string;
}

/** mulberry32: a tiny 32-bit PRNG, good enough for test data and reproducible everywhere. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const hex = (length: number): string =>
    Array.from({ length }, () => int(16).toString(16)).join("");
  return {
    seed: seed >>> 0,
    next,
    int,
    hex,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new TypeError("[netdata-webhook-kit] pick: no items");
      return items[int(items.length)] as T;
    },
    uuid: () => {
      const variant = (8 + int(4)).toString(16);
      return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
    },
  };
}

/** A fresh seed for a run that did not ask for one (printed in the report for replay). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}
