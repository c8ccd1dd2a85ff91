/** Seeded sampling: the sparse pool on large n gives exactly the dense partial shuffle. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, sampleIndices } from '../../../server/analysis/random.ts';

function denseSample(n: number, size: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  const take = Math.min(size, n);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(rng() * (n - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, take).sort();
}

describe('sampleIndices', () => {
  it('draws the same sample with a sparse pool as with a dense one', () => {
    for (const [n, size, seed] of [[1_000_000, 5000, 1], [300_000, 3000, 7], [100_000, 20_000, 9], [70_000, 1, 3]]) {
      assert.deepEqual(sampleIndices(n, size, seed), denseSample(n, size, seed), `${size} of ${n}`);
    }
  });

  it('gives distinct sorted indices in range', () => {
    const sample = sampleIndices(2_000_000, 4000, 5);
    assert.equal(new Set(sample).size, 4000);
    assert.ok(sample.every((v, i) => v >= 0 && v < 2_000_000 && (i === 0 || v > sample[i - 1])));
  });
});
