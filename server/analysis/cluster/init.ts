/** Greedy k-means++ seeding over a flat matrix, as scikit-learn's _kmeans_plusplus. */
import { createMatrix, squaredDistance, type Matrix } from '../matrix.ts';
import { createRng } from '../random.ts';

function pickByWeight(weights: Float64Array, total: number, r: number): number {
  let target = r * total;
  for (let i = 0; i < weights.length; i++) {
    target -= weights[i];
    if (target <= 0) return i;
  }
  return weights.length - 1;
}

/** `trials`: candidates per centre (greedy k-means++); 1 is Arthur and Vassilvitskii's plain D² sampling. */
export function kmeansPlusPlus(x: Matrix, k: number, seed: number, trials = 2 + Math.floor(Math.log(k))): Matrix {
  const rng = createRng(seed);
  const centers = createMatrix(k, x.cols);
  const first = Math.floor(rng() * x.rows);
  centers.data.set(x.data.subarray(first * x.cols, (first + 1) * x.cols), 0);
  let closest = new Float64Array(x.rows);
  let potential = 0;
  for (let i = 0; i < x.rows; i++) {
    closest[i] = squaredDistance(x, i, centers, 0);
    potential += closest[i];
  }
  for (let c = 1; c < k; c++) {
    let bestCandidate = 0;
    let bestPotential = Infinity;
    let bestDistances = closest;
    for (let t = 0; t < trials; t++) {
      const candidate = potential > 0 ? pickByWeight(closest, potential, rng()) : Math.floor(rng() * x.rows);
      const distances = new Float64Array(x.rows);
      let candidatePotential = 0;
      for (let i = 0; i < x.rows; i++) {
        distances[i] = Math.min(closest[i], squaredDistance(x, i, x, candidate));
        candidatePotential += distances[i];
      }
      if (candidatePotential < bestPotential) {
        bestPotential = candidatePotential;
        bestCandidate = candidate;
        bestDistances = distances;
      }
    }
    centers.data.set(x.data.subarray(bestCandidate * x.cols, (bestCandidate + 1) * x.cols), c * x.cols);
    closest = bestDistances;
    potential = bestPotential;
  }
  return centers;
}
