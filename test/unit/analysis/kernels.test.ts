import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { clusterDistanceSums } from '../../../server/analysis/kernels/silhouette.ts';
import { createMatrix } from '../../../server/analysis/matrix.ts';
import { compileKernel, kernelModuleSource } from '../../../scripts/build-kernels.mjs';

const KERNELS = 'server/analysis/kernels';

describe('WebAssembly kernels', () => {
  it('are committed as compiled from their .wat source', async () => {
    const sources = readdirSync(KERNELS).filter((f) => f.endsWith('.wat'));
    assert.ok(sources.length > 0);
    for (const file of sources) {
      const name = file.slice(0, -4);
      const compiled = kernelModuleSource(name, await compileKernel(join(KERNELS, file)));
      assert.equal(readFileSync(join(KERNELS, `${name}-wasm.ts`), 'utf8'), compiled, `${name}-wasm.ts is stale: run npm run build:kernels`);
    }
  });

  it('sum the distances from every row to every cluster, for any shape', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (n, cols, k, seed) => {
          let s = seed;
          const next = () => ((s = (s * 48271) % 2147483647) / 2147483647);
          const x = createMatrix(n, cols);
          for (let i = 0; i < x.data.length; i++) x.data[i] = next() * 20 - 10;
          // Clusters of any size, some empty, one row each at least sometimes.
          const labels = Int32Array.from({ length: n }, () => Math.floor(next() ** 2 * k));
          const start = new Int32Array(k + 1);
          for (const l of labels) start[l + 1]++;
          for (let l = 0; l < k; l++) start[l + 1] += start[l];
          const fill = start.slice(0, k);
          const order = new Int32Array(n);
          labels.forEach((l, i) => (order[fill[l]++] = i));
          const sums = clusterDistanceSums(x, order, start);
          for (let g = 0; g < n; g++) {
            for (let l = 0; l < k; l++) {
              let expected = 0;
              for (let h = start[l]; h < start[l + 1]; h++) {
                let d = 0;
                for (let c = 0; c < cols; c++) d += (x.data[order[g] * cols + c] - x.data[order[h] * cols + c]) ** 2;
                expected += Math.sqrt(d);
              }
              assert.ok(Math.abs(sums[l * n + g] - expected) <= 1e-9 * Math.max(1, expected), `row ${g} to cluster ${l}: ${sums[l * n + g]} vs ${expected}`);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
