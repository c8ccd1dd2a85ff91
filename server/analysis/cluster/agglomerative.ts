/**
 * Agglomerative clustering with Ward linkage by the nearest-neighbour chain, on the clusters'
 * means: O(n^2) time and O(n) memory, so large data is fitted on a seeded sample and the
 * rest assigned to the nearest cluster mean.
 */
import { formatCount } from '../../format.ts';
import { SEGMENTATION_DEFAULTS, WARD_MAX_ROWS } from '../../defaults.ts';
import { InputError } from '../../errors.ts';
import { selectRows, type Matrix } from '../matrix.ts';
import { stopPoint } from '../progress.ts';
import { sampleIndices } from '../random.ts';
import { wardSlots } from '../kernels/ward.ts';
import { assignNearest, clusterMeans } from './assign.ts';
import { validateK } from './kmeans.ts';
import type { ClusterFit } from './types.ts';

export interface AgglomerativeOptions {
  k: number;
  seed: number;
  /** Above this many rows, fit on a seeded sample of this size. */
  maxRows?: number;
}

export interface Merge {
  a: number;
  b: number;
  /** Ward's merge cost (increase in within-cluster sum of squares, times two). */
  height: number;
}

/**
 * Every merge of the Ward dendrogram, sorted by height. Ward's cost of merging clusters A and
 * B is 2 |A| |B| / (|A| + |B|) times the squared distance between their means (what the
 * Lance-Williams update of a distance matrix gives, as scipy's nn_chain, to the last bits),
 * so the chain keeps each active cluster's mean and size instead of a distance for every
 * pair: 8 (d + 2) bytes a row instead of 4 n, and each scan (ward.wat, in WebAssembly) reads
 * a compact block of means in order.
 */
export function wardMerges(x: Matrix): Merge[] {
  const n = x.rows;
  if (n > WARD_MAX_ROWS) {
    throw new InputError(
      `Ward clustering compares every pair of clusters as it merges them, too slow for ${formatCount(n)} customers (at most ` +
        `${formatCount(WARD_MAX_ROWS)}); fit it on a sample (AGGLOMERATIVE_MAX_ROWS) or use k-means.`,
      { field: 'algorithm' },
    );
  }
  const d = x.cols;
  // The active clusters sit in slots 0..activeCount-1: slot m holds cluster ids[m]'s mean and
  // size, and cluster i sits in slot place[i]. A merged-away cluster's slot takes the last.
  const { means, sizes, ids, nearest } = wardSlots(n, d);
  means.set(x.data);
  sizes.fill(1);
  for (let i = 0; i < n; i++) ids[i] = i;
  const place = Int32Array.from({ length: n }, (_, i) => i);
  let activeCount = n;
  const chain: number[] = [];
  const merges: Merge[] = [];
  for (let remaining = n; remaining > 1; remaining--) {
    if (remaining % 256 === 0) stopPoint();
    if (chain.length === 0) {
      // The lowest active index, as the scan in index order used to start from.
      let start = ids[0];
      for (let m = 1; m < activeCount; m++) if (ids[m] < start) start = ids[m];
      chain.push(start);
    }
    let a = -1;
    let b = -1;
    let height = 0;
    for (;;) {
      a = chain[chain.length - 1];
      const previous = chain.length >= 2 ? chain[chain.length - 2] : -1;
      const found = nearest(activeCount, place[a], previous >= 0 ? place[previous] : -1);
      b = ids[found.slot];
      height = found.cost;
      if (b === previous) break;
      chain.push(b);
    }
    chain.pop();
    chain.pop();
    merges.push({ a, b, height });
    // The merged cluster lives in b's slot; a's slot takes the last active cluster.
    const pa = place[a];
    const pb = place[b];
    const na = sizes[pa];
    const nb = sizes[pb];
    for (let c = 0; c < d; c++) means[pb * d + c] = (na * means[pa * d + c] + nb * means[pb * d + c]) / (na + nb);
    sizes[pb] = na + nb;
    const lastSlot = --activeCount;
    if (pa !== lastSlot) {
      means.copyWithin(pa * d, lastSlot * d, (lastSlot + 1) * d);
      sizes[pa] = sizes[lastSlot];
      ids[pa] = ids[lastSlot];
      place[ids[pa]] = pa;
    }
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
  const maxRows = options.maxRows ?? SEGMENTATION_DEFAULTS.agglomerativeMaxRows;
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
    notes: [
      `Ward clustering was fitted on a random sample of ${formatCount(maxRows)} of ${formatCount(x.rows)} customers; the rest were ` +
        `assigned to the nearest segment mean.`,
    ],
  };
}
