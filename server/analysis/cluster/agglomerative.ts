/**
 * Agglomerative clustering with Ward linkage by the nearest-neighbour chain, on the clusters'
 * means: O(n^2) time and O(n) memory, so large data is fitted on a seeded sample and the
 * rest assigned to the nearest cluster mean.
 */
import { InputError } from '../../errors.ts';
import { selectRows, type Matrix } from '../matrix.ts';
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
 * The most rows a Ward fit takes: its time grows with the square of the rows (every active
 * cluster is compared at each step of the chain), some seconds at this many.
 * AGGLOMERATIVE_MAX_ROWS stays within it; an imported model that asks for more is refused.
 */
export const WARD_MAX_ROWS = 20_000;

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
 * pair: 40 bytes a row instead of 4 n, and the scans read a compact block of means in order.
 * One function on purpose: the chain and the slot bookkeeping share their flat arrays.
 */
export function wardMerges(x: Matrix): Merge[] {
  const n = x.rows;
  if (n > WARD_MAX_ROWS) {
    throw new InputError(`Ward clustering compares every pair of clusters as it merges them, too slow for ${n.toLocaleString('en-US')} customers (at most ${WARD_MAX_ROWS.toLocaleString('en-US')}); fit it on a sample (AGGLOMERATIVE_MAX_ROWS) or use k-means.`, { field: 'algorithm' });
  }
  const d = x.cols;
  // The active clusters sit in slots 0..activeCount-1: slot m holds cluster actives[m]'s mean
  // and size, and cluster i sits in slot place[i]. A merged-away cluster's slot takes the last.
  const mean = Float64Array.from(x.data);
  const size = new Float64Array(n).fill(1);
  const actives = Int32Array.from({ length: n }, (_, i) => i);
  const place = Int32Array.from({ length: n }, (_, i) => i);
  let activeCount = n;
  const squaredGap = (p: number, q: number) => {
    let s = 0;
    for (let c = 0, u = p * d, v = q * d; c < d; c++, u++, v++) {
      const diff = mean[u] - mean[v];
      s += diff * diff;
    }
    return s;
  };
  const cost = (p: number, q: number) => ((2 * size[p] * size[q]) / (size[p] + size[q])) * squaredGap(p, q);
  const chain: number[] = [];
  const merges: Merge[] = [];
  for (let remaining = n; remaining > 1; remaining--) {
    if (remaining % 256 === 0) checkpoint();
    if (chain.length === 0) {
      // The lowest active index, as the scan in index order used to start from.
      let start = actives[0];
      for (let m = 1; m < activeCount; m++) if (actives[m] < start) start = actives[m];
      chain.push(start);
    }
    let a = -1;
    let b = -1;
    let best = Infinity;
    for (;;) {
      a = chain[chain.length - 1];
      // Prefer the previous chain element on ties, so the chain always ends in a reciprocal pair;
      // among other ties the lowest index wins.
      const previous = chain.length >= 2 ? chain[chain.length - 2] : -1;
      const pa = place[a];
      best = previous >= 0 ? cost(pa, place[previous]) : Infinity;
      b = previous;
      const na = size[pa];
      for (let m = 0; m < activeCount; m++) {
        if (m === pa) continue;
        const s = squaredGap(pa, m);
        // The size factor is at least 1: a gap already above the best cannot win.
        if (s > best) continue;
        const w = ((2 * na * size[m]) / (na + size[m])) * s;
        const j = actives[m];
        if (w < best || (w === best && b !== previous && j < b)) {
          best = w;
          b = j;
        }
      }
      if (b === previous) break;
      chain.push(b);
    }
    chain.pop();
    chain.pop();
    merges.push({ a, b, height: best });
    // The merged cluster lives in b's slot; a's slot takes the last active cluster.
    const pa = place[a];
    const pb = place[b];
    const na = size[pa];
    const nb = size[pb];
    for (let c = 0; c < d; c++) mean[pb * d + c] = (na * mean[pa * d + c] + nb * mean[pb * d + c]) / (na + nb);
    size[pb] = na + nb;
    const lastSlot = --activeCount;
    if (pa !== lastSlot) {
      mean.copyWithin(pa * d, lastSlot * d, (lastSlot + 1) * d);
      size[pa] = size[lastSlot];
      actives[pa] = actives[lastSlot];
      place[actives[pa]] = pa;
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
