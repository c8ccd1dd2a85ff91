/** Seeded pseudo-random numbers: every random choice in the project takes a seed. */

/** mulberry32: small, fast, and good enough for sampling and initialisation. */
export function createRng(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draw by Box-Muller from a uniform source. */
export function normal(rng: () => number, mean = 0, sd = 1): number {
  const u = 1 - rng();
  const v = rng();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Seeded sample of `size` distinct indices from 0..n-1 (partial Fisher-Yates), sorted. On a
 * large n the shuffled pool is kept sparse (only the swapped positions), with the same
 * result: a sample of 5,000 from a million rows does not allocate a million-entry pool.
 */
export function sampleIndices(n: number, size: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const take = Math.min(size, n);
  if (n <= 4 * take || n <= 65_536) {
    const pool = new Int32Array(n);
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(rng() * (n - i));
      const tmp = pool[i];
      pool[i] = pool[j];
      pool[j] = tmp;
    }
    return pool.slice(0, take).sort();
  }
  const swapped = new Map<number, number>();
  const out = new Int32Array(take);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(rng() * (n - i));
    const atI = swapped.get(i) ?? i;
    out[i] = swapped.get(j) ?? j;
    swapped.set(j, atI);
  }
  return out.sort();
}
