/**
 * Agglomerative clustering with Ward linkage by the nearest-neighbour chain: O(n^2) time and
 * a condensed O(n^2) distance matrix, so large data is fitted on a seeded sample and the
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

/**
 * Every merge of the Ward dendrogram, sorted by height. One function on purpose: the
 * distance fill and the nearest-neighbour chain (most of a Ward fit, benchmarked in npm
 * run bench) share their flat arrays and loop indices.
 */
export function wardMerges(x: Matrix): Merge[] {
  const n = x.rows;
  if (n > WARD_MAX_ROWS) {
    throw new InputError(`Ward clustering keeps a distance for every pair of customers, too much memory for ${n.toLocaleString('en-US')} of them (at most ${WARD_MAX_ROWS.toLocaleString('en-US')}); fit it on a sample (AGGLOMERATIVE_MAX_ROWS) or use k-means.`, { field: 'algorithm' });
  }
  // Condensed upper triangle: the pair i < j lives at rowStart[i] + j.
  const rowStart = new Float64Array(n);
  for (let i = 0; i < n; i++) rowStart[i] = i * n - (i * (i + 1)) / 2 - i - 1;
  const at = (i: number, j: number) => (i < j ? rowStart[i] + j : rowStart[j] + i);
  const dist = new Float64Array((n * (n - 1)) / 2);
  const xd = x.data;
  const cols = x.cols;
  for (let i = 0; i < n; i++) {
    if (i % 256 === 0) checkpoint();
    const base = rowStart[i];
    for (let j = i + 1; j < n; j++) {
      let d = 0;
      for (let c = 0, p = i * cols, q = j * cols; c < cols; c++, p++, q++) {
        const diff = xd[p] - xd[q];
        d += diff * diff;
      }
      dist[base + j] = d;
    }
  }
  const size = new Float64Array(n).fill(1);
  // The clusters still unmerged, as a list (scans skip merged ones) and each one's place in it.
  const actives = Int32Array.from({ length: n }, (_, i) => i);
  const place = Int32Array.from({ length: n }, (_, i) => i);
  let activeCount = n;
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
    for (;;) {
      a = chain[chain.length - 1];
      // Prefer the previous chain element on ties, so the chain always ends in a reciprocal pair;
      // among other ties the lowest index wins.
      const previous = chain.length >= 2 ? chain[chain.length - 2] : -1;
      let best = previous >= 0 ? dist[at(a, previous)] : Infinity;
      b = previous;
      const aStart = rowStart[a];
      for (let m = 0; m < activeCount; m++) {
        const j = actives[m];
        if (j === a) continue;
        const d = j < a ? dist[rowStart[j] + a] : dist[aStart + j];
        if (d < best || (d === best && b !== previous && j < b)) {
          best = d;
          b = j;
        }
      }
      if (b === previous) break;
      chain.push(b);
    }
    chain.pop();
    chain.pop();
    const dab = dist[at(a, b)];
    merges.push({ a, b, height: dab });
    // Lance-Williams update for Ward on squared distances; the merged cluster lives in b.
    const na = size[a];
    const nb = size[b];
    for (let m = 0; m < activeCount; m++) {
      const k = actives[m];
      if (k === a || k === b) continue;
      const nk = size[k];
      const bk = at(b, k);
      dist[bk] = ((na + nk) * dist[at(a, k)] + (nb + nk) * dist[bk] - nk * dab) / (na + nb + nk);
    }
    // a leaves the list: the last active takes its place.
    const last = actives[--activeCount];
    actives[place[a]] = last;
    place[last] = place[a];
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
