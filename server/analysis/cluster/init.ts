/** Greedy k-means++ seeding over a flat matrix, as scikit-learn's _kmeans_plusplus. */
import { seedingRows } from '../kernels/seeding.ts';
import { createMatrix, type Matrix } from '../matrix.ts';
import { createRng } from '../random.ts';

function pickByWeight(weights: Float64Array, total: number, r: number): number {
  let target = r * total;
  for (let i = 0; i < weights.length; i++) {
    target -= weights[i];
    if (target <= 0) return i;
  }
  return weights.length - 1;
}

/**
 * `trials`: candidates per centre (greedy k-means++); 1 is Arthur and Vassilvitskii's plain D²
 * sampling. Each candidate's distances to every row come from the seeding kernel
 * (kernels/seeding.wat), the same to the bit as the scalar loop it replaced.
 */
export function kmeansPlusPlus(x: Matrix, k: number, seed: number, trials = 2 + Math.floor(Math.log(k))): Matrix {
  const rng = createRng(seed);
  const centers = createMatrix(k, x.cols);
  const first = Math.floor(rng() * x.rows);
  centers.data.set(x.data.subarray(first * x.cols, (first + 1) * x.cols), 0);
  const { buffers, score } = seedingRows(x);
  // Three buffers turn: the closest distances so far, the best trial's and the one being filled.
  let [closest, kept, trial] = buffers;
  trial.fill(Infinity);
  let potential = score(first, trial, closest);
  for (let c = 1; c < k; c++) {
    let bestCandidate = 0;
    let bestPotential = Infinity;
    for (let t = 0; t < trials; t++) {
      const candidate = potential > 0 ? pickByWeight(closest, potential, rng()) : Math.floor(rng() * x.rows);
      const candidatePotential = score(candidate, closest, trial);
      if (candidatePotential < bestPotential) {
        bestPotential = candidatePotential;
        bestCandidate = candidate;
        [trial, kept] = [kept, trial];
      }
    }
    centers.data.set(x.data.subarray(bestCandidate * x.cols, (bestCandidate + 1) * x.cols), c * x.cols);
    [closest, kept] = [kept, closest];
    potential = bestPotential;
  }
  return centers;
}
