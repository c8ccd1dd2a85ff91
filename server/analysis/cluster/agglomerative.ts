/**
 * Agglomerative clustering with Ward linkage by the nearest-neighbour chain: O(n^2) time and
 * a condensed O(n^2) distance matrix, so large data is fitted on a seeded sample and the
 * rest assigned to the nearest cluster mean.
 */
import { InputError } from '../../errors.ts';
import { selectRows, squaredDistance, type Matrix } from '../matrix.ts';
import { checkpoint } from '../progress.ts';
import { sampleIndices } from '../random.ts';
import { assignNearest, clusterMeans } from './assign.ts';
import { validateK } from './kmeans.ts';
import type { ClusterFit } from './types.ts';

export interface AgglomerativeOptions {
  k: number;
  seed: number;
  /** Above this many rows, fit on a seeded sample of this size. */
  maxRows?: number;
}

export const DEFAULT_AGGLOMERATIVE_MAX_ROWS = 5000;

/**
 * The memory budget of Ward's distance matrix: n(n-1)/2 doubles, 1.6 GB at this many rows.
 * AGGLOMERATIVE_MAX_ROWS stays within it; an imported model that asks for more is refused.
 */
export const WARD_MAX_ROWS = 20_000;

export interface Merge {
  a: number;
  b: number;
  /** Ward's merge cost (increase in within-cluster sum of squares, times two). */
  height: number;
}

/** Every merge of the Ward dendrogram, sorted by height. */
export function wardMerges(x: Matrix): Merge[] {
  const n = x.rows;
  if (n > WARD_MAX_ROWS) {
    throw new InputError(`Ward clustering keeps a distance for every pair of customers, too much memory for ${n.toLocaleString('en-US')} of them (at most ${WARD_MAX_ROWS.toLocaleString('en-US')}); fit it on a sample (AGGLOMERATIVE_MAX_ROWS) or use k-means.`, { field: 'algorithm' });
  }
  const index = (i: number, j: number) => (i < j ? i * n - (i * (i + 1)) / 2 + j - i - 1 : j * n - (j * (j + 1)) / 2 + i - j - 1);
  const dist = new Float64Array((n * (n - 1)) / 2);
  for (let i = 0; i < n; i++) {
    if (i % 256 === 0) checkpoint();
    for (let j = i + 1; j < n; j++) dist[index(i, j)] = squaredDistance(x, i, x, j);
  }
  const size = new Float64Array(n).fill(1);
  const active = new Uint8Array(n).fill(1);
  const chain: number[] = [];
  const merges: Merge[] = [];
  let nextStart = 0;
  for (let remaining = n; remaining > 1; remaining--) {
    if (remaining % 256 === 0) checkpoint();
    if (chain.length === 0) {
      while (!active[nextStart]) nextStart++;
      chain.push(nextStart);
    }
    let a = -1;
    let b = -1;
    for (;;) {
      a = chain[chain.length - 1];
      // Prefer the previous chain element on ties, so the chain always ends in a reciprocal pair.
      const previous = chain.length >= 2 ? chain[chain.length - 2] : -1;
      let best = previous >= 0 ? dist[index(a, previous)] : Infinity;
      b = previous;
      for (let j = 0; j < n; j++) {
        if (j === a || !active[j]) continue;
        const d = dist[index(a, j)];
        if (d < best) {
          best = d;
          b = j;
        }
      }
      if (b === previous) break;
      chain.push(b);
    }
    chain.pop();
    chain.pop();
    const dab = dist[index(a, b)];
    merges.push({ a, b, height: dab });
    // Lance-Williams update for Ward on squared distances; the merged cluster lives in b.
    const na = size[a];
    const nb = size[b];
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === a || k === b) continue;
      const nk = size[k];
      const dak = dist[index(a, k)];
      const dbk = dist[index(b, k)];
      dist[index(b, k)] = ((na + nk) * dak + (nb + nk) * dbk - nk * dab) / (na + nb + nk);
    }
    active[a] = 0;
    size[b] = na + nb;
  }
  return merges.sort((m1, m2) => m1.height - m2.height);
}

/** Labels 0..k-1 from the first n-k merges, numbered by each cluster's first row. */
export function cutMerges(n: number, merges: Merge[], k: number): Int32Array {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  for (let m = 0; m < n - k; m++) parent[find(merges[m].a)] = find(merges[m].b);
  const labelOfRoot = new Map<number, number>();
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const root = find(i);
    if (!labelOfRoot.has(root)) labelOfRoot.set(root, labelOfRoot.size);
    labels[i] = labelOfRoot.get(root)!;
  }
  return labels;
}

export function fitAgglomerative(x: Matrix, options: AgglomerativeOptions): ClusterFit {
  const { k, seed } = options;
  const maxRows = options.maxRows ?? DEFAULT_AGGLOMERATIVE_MAX_ROWS;
  validateK(k, x.rows);
  if (x.rows <= maxRows) {
    const labels = cutMerges(x.rows, wardMerges(x), k);
    return { labels, centroids: clusterMeans(x, labels, k), notes: [] };
  }
  const sample = sampleIndices(x.rows, maxRows, seed);
  const sampleX = selectRows(x, sample);
  const sampleLabels = cutMerges(sampleX.rows, wardMerges(sampleX), k);
  const centroids = clusterMeans(sampleX, sampleLabels, k);
  const { labels } = assignNearest(x, centroids);
  return {
    labels,
    centroids,
    notes: [`Ward clustering was fitted on a random sample of ${maxRows.toLocaleString('en-US')} of ${x.rows.toLocaleString('en-US')} customers; the rest were assigned to the nearest segment mean.`],
  };
}
