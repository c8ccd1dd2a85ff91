// server/app.ts
import express5 from "express";
import { fileURLToPath } from "node:url";

// server/analysis/options.ts
var DEFAULT_OPTIONS = {
  k: null,
  algorithm: "kmeans",
  scaling: "standard",
  missing: "mean",
  outliers: "none",
  seed: 42,
  eps: null,
  minPts: 5,
  nInit: 10,
  batchSize: 1024,
  iterations: 100,
  kMin: 2,
  kMax: 10,
  agglomerativeMaxRows: 5e3
};
function preprocessKey(o) {
  return JSON.stringify([o.features, o.scaling, o.missing, o.outliers]);
}
function sweepKey(o) {
  const algorithm = o.algorithm === "dbscan" ? "kmeans" : o.algorithm;
  return JSON.stringify([preprocessKey(o), algorithm, o.seed, o.nInit, o.batchSize, o.iterations, o.kMin, o.kMax, o.agglomerativeMaxRows]);
}

// server/analysis/matrix.ts
function createMatrix(rows, cols, data) {
  if (data && data.length !== rows * cols) throw new Error(`matrix data has ${data.length} values, expected ${rows * cols}`);
  return { data: data ?? new Float64Array(rows * cols), rows, cols };
}
function fromRows(rows) {
  const cols = rows[0]?.length ?? 0;
  const m = createMatrix(rows.length, cols);
  rows.forEach((row, i) => m.data.set(row, i * cols));
  return m;
}
function toRows(m) {
  const out = new Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
  return out;
}
function selectRows(m, indices) {
  const out = createMatrix(indices.length, m.cols);
  for (let i = 0; i < indices.length; i++) {
    out.data.set(m.data.subarray(indices[i] * m.cols, (indices[i] + 1) * m.cols), i * m.cols);
  }
  return out;
}
function squaredDistance(a, i, b, j) {
  const cols = a.cols;
  const ad = a.data;
  const bd = b.data;
  let sum = 0;
  for (let c = 0, p = i * cols, q = j * cols; c < cols; c++, p++, q++) {
    const d = ad[p] - bd[q];
    sum += d * d;
  }
  return sum;
}

// server/analysis/random.ts
function createRng(seed) {
  let state = seed >>> 0 || 2654435769;
  return () => {
    state = state + 1831565813 >>> 0;
    let t = state;
    t = Math.imul(t ^ t >>> 15, t | 1);
    t ^= t + Math.imul(t ^ t >>> 7, t | 61);
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  };
}
function sampleIndices(n, size, seed) {
  const rng = createRng(seed);
  const take = Math.min(size, n);
  if (n <= 4 * take || n <= 65536) {
    const pool2 = new Int32Array(n);
    for (let i = 0; i < n; i++) pool2[i] = i;
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(rng() * (n - i));
      const tmp = pool2[i];
      pool2[i] = pool2[j];
      pool2[j] = tmp;
    }
    return pool2.slice(0, take).sort();
  }
  const swapped = /* @__PURE__ */ new Map();
  const out = new Int32Array(take);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(rng() * (n - i));
    const atI = swapped.get(i) ?? i;
    out[i] = swapped.get(j) ?? j;
    swapped.set(j, atI);
  }
  return out.sort();
}

// server/analysis/cluster/assign.ts
function nearestTwo(data, base, centers, k, d, out) {
  let best = Infinity;
  let second = Infinity;
  let index = 0;
  for (let c = 0; c < k; c++) {
    let s = 0;
    const cb = c * d;
    for (let j = 0; j < d; j++) {
      const diff = data[base + j] - centers[cb + j];
      s += diff * diff;
    }
    if (s < best) {
      second = best;
      best = s;
      index = c;
    } else if (s < second) second = s;
  }
  out.index = index;
  out.best = best;
  out.second = second;
}
function assignNearest(x, centroids) {
  const labels = new Int32Array(x.rows);
  const near = { index: 0, best: 0, second: 0 };
  let inertia2 = 0;
  for (let i = 0; i < x.rows; i++) {
    nearestTwo(x.data, i * x.cols, centroids.data, centroids.rows, x.cols, near);
    labels[i] = near.index;
    inertia2 += near.best;
  }
  return { labels, inertia: inertia2 };
}
function clusterMeans(x, labels, k) {
  const means = createMatrix(k, x.cols);
  const counts = new Float64Array(k);
  for (let i = 0; i < x.rows; i++) {
    const l = labels[i];
    if (l < 0) continue;
    counts[l]++;
    for (let c = 0; c < x.cols; c++) means.data[l * x.cols + c] += x.data[i * x.cols + c];
  }
  for (let l = 0; l < k; l++) for (let c = 0; c < x.cols; c++) means.data[l * x.cols + c] /= counts[l] || 1;
  return means;
}
function meanVariance(x) {
  let total = 0;
  for (let c = 0; c < x.cols; c++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < x.rows; i++) {
      const v = x.data[i * x.cols + c];
      s += v;
      s2 += v * v;
    }
    const m = s / x.rows;
    total += s2 / x.rows - m * m;
  }
  return total / (x.cols || 1);
}

// server/errors.ts
var InputError = class extends Error {
  status;
  field;
  constructor(message, options = {}) {
    super(message);
    this.name = "InputError";
    this.field = options.field;
    this.status = options.status ?? 400;
  }
};
var NotFoundError = class extends InputError {
  constructor(message) {
    super(message, { status: 404 });
    this.name = "NotFoundError";
  }
};
var SupersededError = class extends Error {
  constructor(message = "A newer request for the same view replaced this one.") {
    super(message);
    this.name = "SupersededError";
  }
};
var BusyError = class extends Error {
  status = 503;
  constructor(message = "The server is busy with other analyses; try again in a few seconds.") {
    super(message);
    this.name = "BusyError";
  }
};

// server/analysis/cluster/init.ts
function pickByWeight(weights, total, r) {
  let target = r * total;
  for (let i = 0; i < weights.length; i++) {
    target -= weights[i];
    if (target <= 0) return i;
  }
  return weights.length - 1;
}
function kmeansPlusPlus(x, k, seed) {
  const rng = createRng(seed);
  const centers = createMatrix(k, x.cols);
  const trials = 2 + Math.floor(Math.log(k));
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

// server/analysis/cluster/lloyd.ts
function lloyd(x, init, options) {
  const n = x.rows;
  const d = x.cols;
  const k = init.rows;
  const data = x.data;
  const centers = Float64Array.from(init.data);
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const labels = new Int32Array(n);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  const halfGap = new Float64Array(k);
  const moved = new Float64Array(k);
  const near = { index: 0, best: 0, second: 0 };
  for (let i = 0; i < n; i++) {
    const base = i * d;
    nearestTwo(data, base, centers, k, d, near);
    labels[i] = near.index;
    upper[i] = Math.sqrt(near.best);
    lower[i] = Math.sqrt(near.second);
    counts[near.index]++;
    for (let j = 0; j < d; j++) sums[near.index * d + j] += data[base + j];
  }
  let iterations = 0;
  while (iterations < options.maxIterations) {
    iterations++;
    let shift = 0;
    let maxMove = 0;
    let maxMoveK = 0;
    let secondMove = 0;
    for (let c = 0; c < k; c++) {
      let m = 0;
      if (counts[c] > 0) {
        for (let j = 0; j < d; j++) {
          const next = sums[c * d + j] / counts[c];
          const diff = next - centers[c * d + j];
          m += diff * diff;
          centers[c * d + j] = next;
        }
      }
      shift += m;
      moved[c] = Math.sqrt(m);
      if (moved[c] > maxMove) {
        secondMove = maxMove;
        maxMove = moved[c];
        maxMoveK = c;
      } else if (moved[c] > secondMove) secondMove = moved[c];
    }
    if (shift <= options.tolerance) break;
    for (let i = 0; i < n; i++) {
      upper[i] += moved[labels[i]];
      lower[i] -= labels[i] === maxMoveK ? secondMove : maxMove;
    }
    for (let a = 0; a < k; a++) {
      let nearest = Infinity;
      for (let b = 0; b < k; b++) {
        if (a === b) continue;
        let s = 0;
        for (let j = 0; j < d; j++) {
          const diff = centers[a * d + j] - centers[b * d + j];
          s += diff * diff;
        }
        if (s < nearest) nearest = s;
      }
      halfGap[a] = Math.sqrt(nearest) / 2;
    }
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const a = labels[i];
      const bound = Math.max(halfGap[a], lower[i]);
      if (upper[i] <= bound) continue;
      const base = i * d;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const diff = data[base + j] - centers[a * d + j];
        s += diff * diff;
      }
      upper[i] = Math.sqrt(s);
      if (upper[i] <= bound) continue;
      nearestTwo(data, base, centers, k, d, near);
      const bestK = near.index;
      upper[i] = Math.sqrt(near.best);
      lower[i] = Math.sqrt(near.second);
      if (bestK !== a) {
        changed++;
        counts[a]--;
        counts[bestK]++;
        for (let j = 0; j < d; j++) {
          sums[a * d + j] -= data[base + j];
          sums[bestK * d + j] += data[base + j];
        }
        labels[i] = bestK;
      }
    }
    if (changed === 0) {
      for (let c = 0; c < k; c++) if (counts[c] > 0) for (let j = 0; j < d; j++) centers[c * d + j] = sums[c * d + j] / counts[c];
      break;
    }
  }
  const centroids = createMatrix(k, d, centers);
  let inertia2 = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const diff = data[i * d + j] - centers[labels[i] * d + j];
      s += diff * diff;
    }
    inertia2 += s;
  }
  return { labels, centroids, iterations, inertia: inertia2 };
}

// server/analysis/cluster/refine.ts
function hartiganRefine(x, labels, centroids, maxPasses = 20) {
  const k = centroids.rows;
  const cols = x.cols;
  const c = Float64Array.from(centroids.data);
  const out = Int32Array.from(labels);
  const sizes = new Float64Array(k);
  for (const l of out) sizes[l]++;
  c.fill(0);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < cols; j++) c[out[i] * cols + j] += x.data[i * cols + j];
  for (let l = 0; l < k; l++) for (let j = 0; j < cols; j++) c[l * cols + j] /= sizes[l] || 1;
  let moves = 0;
  for (let pass = 0; pass < maxPasses; pass++) {
    let movedThisPass = 0;
    for (let i = 0; i < x.rows; i++) {
      const from = out[i];
      if (sizes[from] <= 1) continue;
      const base = i * cols;
      let dFrom = 0;
      for (let j = 0; j < cols; j++) dFrom += (x.data[base + j] - c[from * cols + j]) ** 2;
      const removeGain = sizes[from] / (sizes[from] - 1) * dFrom;
      let bestCost = removeGain;
      let to = from;
      for (let l = 0; l < k; l++) {
        if (l === from) continue;
        let d = 0;
        for (let j = 0; j < cols; j++) d += (x.data[base + j] - c[l * cols + j]) ** 2;
        const addCost = sizes[l] / (sizes[l] + 1) * d;
        if (addCost < bestCost * (1 - 1e-12)) {
          bestCost = addCost;
          to = l;
        }
      }
      if (to === from) continue;
      for (let j = 0; j < cols; j++) {
        const v = x.data[base + j];
        c[from * cols + j] += (c[from * cols + j] - v) / (sizes[from] - 1);
        c[to * cols + j] += (v - c[to * cols + j]) / (sizes[to] + 1);
      }
      sizes[from]--;
      sizes[to]++;
      out[i] = to;
      movedThisPass++;
    }
    moves += movedThisPass;
    if (movedThisPass === 0) break;
  }
  return { labels: out, centroids: { data: c, rows: k, cols }, moves };
}
function bestSwap(x, centroids, rng) {
  const k = centroids.rows;
  const cols = x.cols;
  const best1 = new Float64Array(x.rows);
  const best2 = new Float64Array(x.rows);
  const nearest = new Int32Array(x.rows);
  let total = 0;
  const near = { index: 0, best: 0, second: 0 };
  for (let i = 0; i < x.rows; i++) {
    nearestTwo(x.data, i * cols, centroids.data, k, cols, near);
    best1[i] = near.best;
    best2[i] = near.second;
    nearest[i] = near.index;
    total += near.best;
  }
  let target = rng() * total;
  let row = x.rows - 1;
  for (let i = 0; i < x.rows; i++) {
    target -= best1[i];
    if (target <= 0) {
      row = i;
      break;
    }
  }
  let common = 0;
  const extra = new Float64Array(k);
  for (let i = 0; i < x.rows; i++) {
    let dp = 0;
    for (let j = 0; j < cols; j++) dp += (x.data[i * cols + j] - x.data[row * cols + j]) ** 2;
    const keep = Math.min(dp, best1[i]);
    common += keep;
    extra[nearest[i]] += Math.min(dp, best2[i]) - keep;
  }
  let centroid = 0;
  for (let l = 1; l < k; l++) if (extra[l] < extra[centroid]) centroid = l;
  return { centroid, row, inertia: common + extra[centroid] };
}

// server/analysis/cluster/kmeans.ts
var DEFAULTS = { nInit: 10, maxIterations: 300, tolerance: 1e-4, refine: true, swapSteps: 4 };
function validateK(k, rows) {
  if (!Number.isInteger(k) || k < 2) throw new InputError(`k must be a whole number of at least 2; got ${k}.`, { field: "k" });
  if (k > rows - 1) {
    throw new InputError(`k = ${k} needs at least ${k + 1} customers, and only ${rows} are available; choose a smaller k.`, { field: "k" });
  }
}
var RESTART_SAMPLE_ROWS = 5e3;
function fitKMeans(x, options) {
  const { k, seed } = options;
  const { nInit, maxIterations, tolerance, refine, swapSteps } = { ...DEFAULTS, ...options };
  validateK(k, x.rows);
  if (x.rows > RESTART_SAMPLE_ROWS && !options.initialCentroids && (nInit > 1 || refine)) {
    const sample = selectRows(x, sampleIndices(x.rows, RESTART_SAMPLE_ROWS, seed));
    const start = fitKMeans(sample, options);
    const full = fitKMeans(x, { ...options, initialCentroids: start.centroids, refine: false });
    const restarts = nInit === 1 ? "The start was chosen" : `The best of ${nInit} restarts was chosen`;
    return { ...full, notes: [`${restarts} on a random sample of ${RESTART_SAMPLE_ROWS.toLocaleString("en-US")} customers, then fitted on all ${x.rows.toLocaleString("en-US")}.`] };
  }
  const absoluteTolerance = tolerance * meanVariance(x);
  const converge = (start) => {
    let result = lloyd(x, start, { maxIterations, tolerance: absoluteTolerance });
    let iterations = result.iterations;
    if (refine) {
      const refined = hartiganRefine(x, result.labels, result.centroids);
      if (refined.moves > 0) {
        result = lloyd(x, refined.centroids, { maxIterations, tolerance: absoluteTolerance });
        iterations += result.iterations;
      }
    }
    const { labels, inertia: inertia2 } = assignNearest(x, result.centroids);
    return { labels, centroids: result.centroids, inertia: inertia2, iterations };
  };
  const starts = options.initialCentroids ? 1 : nInit;
  let best;
  for (let run = 0; run < starts; run++) {
    let current = converge(options.initialCentroids ?? kmeansPlusPlus(x, k, seed + run));
    if (refine && !options.initialCentroids) {
      const rng = createRng(seed + run ^ 625341585);
      for (let step = 0; step < swapSteps; step++) {
        const swap = bestSwap(x, current.centroids, rng);
        if (swap.inertia >= current.inertia) continue;
        const start = { ...current.centroids, data: Float64Array.from(current.centroids.data) };
        start.data.set(x.data.subarray(swap.row * x.cols, (swap.row + 1) * x.cols), swap.centroid * x.cols);
        const candidate = converge(start);
        if (candidate.inertia < current.inertia) current = candidate;
      }
    }
    if (!best || current.inertia < best.inertia) best = current;
  }
  return { ...best, notes: [] };
}

// server/analysis/cluster/agglomerative.ts
var DEFAULT_AGGLOMERATIVE_MAX_ROWS = 5e3;
function wardMerges(x) {
  const n = x.rows;
  const index = (i, j) => i < j ? i * n - i * (i + 1) / 2 + j - i - 1 : j * n - j * (j + 1) / 2 + i - j - 1;
  const dist = new Float64Array(n * (n - 1) / 2);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) dist[index(i, j)] = squaredDistance(x, i, x, j);
  const size = new Float64Array(n).fill(1);
  const active = new Uint8Array(n).fill(1);
  const chain = [];
  const merges = [];
  let nextStart = 0;
  for (let remaining = n; remaining > 1; remaining--) {
    if (chain.length === 0) {
      while (!active[nextStart]) nextStart++;
      chain.push(nextStart);
    }
    let a = -1;
    let b = -1;
    for (; ; ) {
      a = chain[chain.length - 1];
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
function cutMerges(n, merges, k) {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find2 = (i) => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  for (let m = 0; m < n - k; m++) parent[find2(merges[m].a)] = find2(merges[m].b);
  const labelOfRoot = /* @__PURE__ */ new Map();
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const root2 = find2(i);
    if (!labelOfRoot.has(root2)) labelOfRoot.set(root2, labelOfRoot.size);
    labels[i] = labelOfRoot.get(root2);
  }
  return labels;
}
function fitAgglomerative(x, options) {
  const { k, seed } = options;
  const maxRows = options.maxRows ?? DEFAULT_AGGLOMERATIVE_MAX_ROWS;
  validateK(k, x.rows);
  if (x.rows <= maxRows) {
    const labels2 = cutMerges(x.rows, wardMerges(x), k);
    return { labels: labels2, centroids: clusterMeans(x, labels2, k), notes: [] };
  }
  const sample = sampleIndices(x.rows, maxRows, seed);
  const sampleX = selectRows(x, sample);
  const sampleLabels = cutMerges(sampleX.rows, wardMerges(sampleX), k);
  const centroids = clusterMeans(sampleX, sampleLabels, k);
  const { labels } = assignNearest(x, centroids);
  return {
    labels,
    centroids,
    notes: [`Ward clustering was fitted on a random sample of ${maxRows.toLocaleString("en-US")} of ${x.rows.toLocaleString("en-US")} customers; the rest were assigned to the nearest segment mean.`]
  };
}

// server/analysis/cluster/types.ts
var ALGORITHMS = ["kmeans", "minibatch", "agglomerative", "dbscan"];
var NOISE = -1;
function assertUnreachable(value, what) {
  throw new Error(`unknown ${what}: ${String(value)}`);
}

// server/analysis/cluster/dbscan.ts
function validateDbscan(options) {
  if (!(options.eps > 0) || !Number.isFinite(options.eps)) {
    throw new InputError(`eps must be a positive number; got ${options.eps}.`, { field: "eps" });
  }
  if (!Number.isInteger(options.minPts) || options.minPts < 1) {
    throw new InputError(`minPts must be a whole number of at least 1; got ${options.minPts}.`, { field: "minPts" });
  }
}
function neighbours(x, i, eps2) {
  const out = [];
  for (let j = 0; j < x.rows; j++) if (squaredDistance(x, i, x, j) <= eps2) out.push(j);
  return out;
}
function fitDbscan(x, options) {
  validateDbscan(options);
  const eps2 = options.eps * options.eps;
  const n = x.rows;
  const neighbourLists = Array.from({ length: n }, (_, i) => neighbours(x, i, eps2));
  const isCore = neighbourLists.map((list) => list.length >= options.minPts);
  const labels = new Int32Array(n).fill(NOISE);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== NOISE || !isCore[i]) continue;
    const stack = [i];
    labels[i] = k;
    while (stack.length) {
      const p = stack.pop();
      if (!isCore[p]) continue;
      for (const q of neighbourLists[p]) {
        if (labels[q] === NOISE) {
          labels[q] = k;
          stack.push(q);
        }
      }
    }
    k++;
  }
  const coreRows = isCore.flatMap((core, i) => core ? [i] : []);
  let noiseCount = 0;
  for (let i = 0; i < n; i++) if (labels[i] === NOISE) noiseCount++;
  const notes = [`DBSCAN found ${k} segment${k === 1 ? "" : "s"} and ${noiseCount} noise point${noiseCount === 1 ? "" : "s"} (eps ${options.eps}, minPts ${options.minPts}).`];
  return {
    labels,
    centroids: k > 0 ? clusterMeans(x, labels, k) : createMatrix(0, x.cols),
    k,
    noiseCount,
    corePoints: selectRows(x, coreRows),
    coreLabels: Int32Array.from(coreRows, (r) => labels[r]),
    notes
  };
}
function predictDbscan(point, corePoints, coreLabels, eps) {
  let best = Infinity;
  let label = NOISE;
  for (let j = 0; j < corePoints.rows; j++) {
    let d = 0;
    for (let c = 0; c < corePoints.cols; c++) d += (point[c] - corePoints.data[j * corePoints.cols + c]) ** 2;
    if (d < best) {
      best = d;
      label = coreLabels[j];
    }
  }
  return best <= eps * eps ? label : NOISE;
}
function suggestEps(x, minPts, seed = 42) {
  const sample = sampleIndices(x.rows, 2e3, seed);
  const curve = [];
  const kth = Math.min(Math.max(minPts, 2), x.rows) - 1;
  for (const i of sample) {
    const d = new Float64Array(x.rows);
    for (let j = 0; j < x.rows; j++) d[j] = squaredDistance(x, i, x, j);
    d.sort();
    curve.push(Math.sqrt(d[kth]));
  }
  curve.sort((a, b) => a - b);
  const first = curve[0];
  const last = curve[curve.length - 1];
  let bestIndex = curve.length - 1;
  let bestGap = -Infinity;
  for (let i = 0; i < curve.length; i++) {
    const xNorm = curve.length > 1 ? i / (curve.length - 1) : 0;
    const yNorm = last > first ? (curve[i] - first) / (last - first) : 0;
    if (xNorm - yNorm > bestGap) {
      bestGap = xNorm - yNorm;
      bestIndex = i;
    }
  }
  const eps = Math.max(Number(curve[bestIndex].toPrecision(3)), 1e-6);
  return { eps, curve };
}

// server/analysis/cluster/minibatch.ts
var DEFAULTS2 = { batchSize: 1024, maxIterations: 100, nInit: 3 };
var INIT_SAMPLE = 3 * 1024;
function runOnce(x, k, seed, batchSize, iterations) {
  const initRows = sampleIndices(x.rows, Math.max(INIT_SAMPLE, 3 * k), seed);
  const centers = kmeansPlusPlus(selectRows(x, initRows), k, seed);
  const counts = new Float64Array(k);
  const rng = createRng(seed ^ 1540483477);
  const cols = x.cols;
  const batch = Math.min(batchSize, x.rows);
  for (let it = 0; it < iterations; it++) {
    for (let b = 0; b < batch; b++) {
      const i = Math.floor(rng() * x.rows);
      let best = Infinity;
      let bestK = 0;
      for (let c = 0; c < k; c++) {
        let d = 0;
        for (let j = 0; j < cols; j++) {
          const diff = x.data[i * cols + j] - centers.data[c * cols + j];
          d += diff * diff;
        }
        if (d < best) {
          best = d;
          bestK = c;
        }
      }
      counts[bestK]++;
      const rate = 1 / counts[bestK];
      for (let j = 0; j < cols; j++) {
        const p = bestK * cols + j;
        centers.data[p] += rate * (x.data[i * cols + j] - centers.data[p]);
      }
    }
  }
  return centers;
}
function fitMiniBatch(x, options) {
  const { k, seed } = options;
  const { batchSize, maxIterations, nInit } = { ...DEFAULTS2, ...options };
  validateK(k, x.rows);
  let best;
  for (let run = 0; run < nInit; run++) {
    const centroids = runOnce(x, k, seed + run, batchSize, maxIterations);
    const { labels, inertia: inertia2 } = assignNearest(x, centroids);
    if (!best || inertia2 < best.inertia) best = { labels, centroids, inertia: inertia2, iterations: maxIterations, notes: [] };
  }
  best.notes.push(`Mini-batch k-means: ${maxIterations} batches of ${Math.min(batchSize, x.rows)} customers, best of ${nInit} starts.`);
  return best;
}

// server/analysis/cluster/index.ts
function fitAlgorithm(x, options) {
  const { algorithm, k, seed } = options;
  switch (algorithm) {
    case "kmeans":
      return { ...fitKMeans(x, { k, seed, nInit: options.nInit, initialCentroids: options.initialCentroids, refine: !options.initialCentroids && !options.quick }), k };
    case "minibatch":
      return { ...fitMiniBatch(x, { k, seed, batchSize: options.batchSize, maxIterations: options.iterations }), k };
    case "agglomerative":
      return { ...fitAgglomerative(x, { k, seed, maxRows: options.agglomerativeMaxRows }), k };
    case "dbscan": {
      const fit = fitDbscan(x, { eps: options.eps, minPts: options.minPts });
      return { ...fit, dbscan: { corePoints: fit.corePoints, coreLabels: fit.coreLabels, noiseCount: fit.noiseCount } };
    }
    default:
      return assertUnreachable(algorithm, "algorithm");
  }
}

// server/analysis/metrics.ts
var SILHOUETTE_EXACT_LIMIT = 1e4;
var SILHOUETTE_SAMPLE = 5e3;
function withoutNoise(x, labels) {
  let noise = 0;
  for (const l of labels) if (l < 0) noise++;
  if (noise === 0) return { x, labels };
  const keep = [];
  labels.forEach((l, i) => l >= 0 && keep.push(i));
  return { x: selectRows(x, keep), labels: Int32Array.from(keep, (i) => labels[i]) };
}
function labelCount(labels) {
  let max = -1;
  for (const l of labels) if (l > max) max = l;
  return max + 1;
}
function clusterSizes(labels, k) {
  const sizes = new Array(k).fill(0);
  for (const l of labels) if (l >= 0) sizes[l]++;
  return sizes;
}
function inertia(x, labels, centroids) {
  const clean = withoutNoise(x, labels);
  const centers = centroids ?? clusterMeans(clean.x, clean.labels, labelCount(clean.labels));
  let sum = 0;
  for (let i = 0; i < clean.x.rows; i++) sum += squaredDistance(clean.x, i, centers, clean.labels[i]);
  return sum;
}
function meanSilhouette(sums, labels, sizes, k) {
  const n = labels.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const li = labels[i];
    if (sizes[li] <= 1) continue;
    const a = sums[i * k + li] / (sizes[li] - 1);
    let b = Infinity;
    for (let l = 0; l < k; l++) if (l !== li && sizes[l] > 0) b = Math.min(b, sums[i * k + l] / sizes[l]);
    const denom = Math.max(a, b);
    total += denom > 0 ? (b - a) / denom : 0;
  }
  return total / n;
}
function silhouette(x, labels) {
  const clean = withoutNoise(x, labels);
  const n = clean.x.rows;
  const k = labelCount(clean.labels);
  if (k < 2) return Number.NaN;
  const sizes = clusterSizes(clean.labels, k);
  const start = new Int32Array(k + 1);
  for (let l = 0; l < k; l++) start[l + 1] = start[l] + sizes[l];
  const cols = clean.x.cols;
  const grouped = new Float64Array(n * cols);
  const fill = start.slice(0, k);
  const src = clean.x.data;
  for (let i = 0; i < n; i++) {
    const to = fill[clean.labels[i]]++;
    grouped.set(src.subarray(i * cols, (i + 1) * cols), to * cols);
  }
  const groupedLabels = new Int32Array(n);
  for (let l = 0; l < k; l++) groupedLabels.fill(l, start[l], start[l + 1]);
  const byCluster = new Float64Array(k * n);
  for (let i = 0; i < n; i++) {
    const li = groupedLabels[i];
    const mirror = li * n;
    const pi = i * cols;
    for (let l = li; l < k; l++) {
      let sum = 0;
      for (let j = l === li ? i + 1 : start[l], end = start[l + 1]; j < end; j++) {
        let d = 0;
        let c = 0;
        let p = pi;
        let q = j * cols;
        for (; c + 3 < cols; c += 4, p += 4, q += 4) {
          const d0 = grouped[p] - grouped[q];
          const d1 = grouped[p + 1] - grouped[q + 1];
          const d2 = grouped[p + 2] - grouped[q + 2];
          const d3 = grouped[p + 3] - grouped[q + 3];
          d += d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3;
        }
        for (; c < cols; c++, p++, q++) {
          const diff = grouped[p] - grouped[q];
          d += diff * diff;
        }
        d = Math.sqrt(d);
        sum += d;
        byCluster[mirror + j] += d;
      }
      byCluster[l * n + i] += sum;
    }
  }
  const sums = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let l = 0; l < k; l++) sums[i * k + l] = byCluster[l * n + i];
  return meanSilhouette(sums, groupedLabels, sizes, k);
}
function pairwiseDistances(x) {
  const n = x.rows;
  const cols = x.cols;
  const xd = x.data;
  const out = new Float64Array(n * (n - 1) / 2);
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let d = 0;
      for (let c = 0, a = i * cols, b = j * cols; c < cols; c++, a++, b++) {
        const diff = xd[a] - xd[b];
        d += diff * diff;
      }
      out[p++] = Math.sqrt(d);
    }
  }
  return out;
}
function silhouetteFromDistances(distances, labels) {
  const n = labels.length;
  const k = labelCount(labels);
  if (k < 2) return Number.NaN;
  const sizes = clusterSizes(labels, k);
  const sums = new Float64Array(n * k);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const li = labels[i];
    for (let j = i + 1; j < n; j++) {
      const d = distances[p++];
      sums[i * k + labels[j]] += d;
      sums[j * k + li] += d;
    }
  }
  return meanSilhouette(sums, labels, sizes, k);
}
function silhouetteScore(x, labels, seed = 42) {
  if (x.rows <= SILHOUETTE_EXACT_LIMIT) return { value: silhouette(x, labels), sampled: false };
  const sample = sampleIndices(x.rows, SILHOUETTE_SAMPLE, seed);
  return { value: silhouette(selectRows(x, sample), Int32Array.from(sample, (i) => labels[i])), sampled: true };
}
function daviesBouldin(x, labels) {
  const clean = withoutNoise(x, labels);
  const k = labelCount(clean.labels);
  if (k < 2) return Number.NaN;
  const centers = clusterMeans(clean.x, clean.labels, k);
  const sizes = clusterSizes(clean.labels, k);
  const scatter = new Float64Array(k);
  for (let i = 0; i < clean.x.rows; i++) scatter[clean.labels[i]] += Math.sqrt(squaredDistance(clean.x, i, centers, clean.labels[i]));
  for (let l = 0; l < k; l++) scatter[l] /= sizes[l] || 1;
  let total = 0;
  for (let i = 0; i < k; i++) {
    let worst = 0;
    for (let j = 0; j < k; j++) {
      if (i === j) continue;
      const separation = Math.sqrt(squaredDistance(centers, i, centers, j));
      const score = separation > 0 ? (scatter[i] + scatter[j]) / separation : 0;
      if (score > worst) worst = score;
    }
    total += worst;
  }
  return total / k;
}
function calinskiHarabasz(x, labels) {
  const clean = withoutNoise(x, labels);
  const n = clean.x.rows;
  const k = labelCount(clean.labels);
  if (k < 2 || n <= k) return Number.NaN;
  const centers = clusterMeans(clean.x, clean.labels, k);
  const sizes = clusterSizes(clean.labels, k);
  const overall = clusterMeans(clean.x, new Int32Array(n), 1);
  let between = 0;
  for (let l = 0; l < k; l++) between += sizes[l] * squaredDistance(centers, l, overall, 0);
  let within = 0;
  for (let i = 0; i < n; i++) within += squaredDistance(clean.x, i, centers, clean.labels[i]);
  return within === 0 ? 1 : between * (n - k) / (within * (k - 1));
}
function computeMetrics(x, labels, seed = 42, shared) {
  let sil;
  if (!shared) sil = silhouetteScore(x, labels, seed);
  else if ("sample" in shared) sil = { value: silhouette(shared.sample, Int32Array.from(shared.rows, (i) => labels[i])), sampled: true };
  else if (shared.rows) sil = { value: silhouetteFromDistances(shared.distances, Int32Array.from(shared.rows, (i) => labels[i])), sampled: true };
  else sil = { value: silhouetteFromDistances(shared.distances, labels), sampled: false };
  return {
    inertia: inertia(x, labels),
    silhouette: sil.value,
    silhouetteSampled: sil.sampled,
    daviesBouldin: daviesBouldin(x, labels),
    calinskiHarabasz: calinskiHarabasz(x, labels)
  };
}
function adjustedRandIndex(a, b) {
  if (a.length !== b.length) throw new Error("labelings differ in length");
  const n = a.length;
  let minA = Infinity, maxA = -Infinity, minB = Infinity, maxB = -Infinity;
  for (let i = 0; i < n; i++) {
    if (a[i] < minA) minA = a[i];
    if (a[i] > maxA) maxA = a[i];
    if (b[i] < minB) minB = b[i];
    if (b[i] > maxB) maxB = b[i];
  }
  const pairs = (m) => m * (m - 1) / 2;
  if (n === 0) return 1;
  const rowsOfA = maxA - minA + 1;
  const colsOfB = maxB - minB + 1;
  if (!Number.isInteger(minA + minB + maxA + maxB) || rowsOfA * colsOfB > 1e7) throw new Error("labels must be small integers");
  const contingency = new Float64Array(rowsOfA * colsOfB);
  for (let i = 0; i < n; i++) contingency[(a[i] - minA) * colsOfB + (b[i] - minB)]++;
  let index = 0;
  let sumA = 0;
  const colSums = new Float64Array(colsOfB);
  for (let r = 0; r < rowsOfA; r++) {
    let rowSum = 0;
    for (let c = 0; c < colsOfB; c++) {
      const v = contingency[r * colsOfB + c];
      index += pairs(v);
      rowSum += v;
      colSums[c] += v;
    }
    sumA += pairs(rowSum);
  }
  let sumB = 0;
  for (const v of colSums) sumB += pairs(v);
  const expected = sumA * sumB / pairs(n);
  const max = (sumA + sumB) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}

// server/analysis/pca.ts
import { PCA } from "ml-pca";
function fixSign(component) {
  let largest = 0;
  for (const v of component) if (Math.abs(v) > Math.abs(largest)) largest = v;
  return largest < 0 ? component.map((v) => -v) : component;
}
function covarianceMatrix(x, mean2) {
  const d = x.cols;
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (let i = 0; i < x.rows; i++) {
    for (let a = 0; a < d; a++) centred[a] = x.data[i * d + a] - mean2[a];
    for (let a = 0; a < d; a++) {
      const va = centred[a];
      for (let b = a; b < d; b++) cov[a * d + b] += va * centred[b];
    }
  }
  const out = Array.from({ length: d }, () => new Array(d));
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) out[a][b] = out[b][a] = cov[a * d + b] / Math.max(1, x.rows - 1);
  return out;
}
function fitPcaModel(x) {
  const mean2 = new Array(x.cols).fill(0);
  for (let i = 0; i < x.rows; i++) for (let c = 0; c < x.cols; c++) mean2[c] += x.data[i * x.cols + c] / x.rows;
  let components;
  let explainedVarianceRatio;
  if (x.cols === 1) {
    components = [[1], [0]];
    explainedVarianceRatio = [1];
  } else {
    const pca = new PCA(covarianceMatrix(x, mean2), { isCovarianceMatrix: true });
    const vectors = pca.getEigenvectors().transpose().to2DArray();
    components = vectors.slice(0, 2).map(fixSign);
    explainedVarianceRatio = pca.getExplainedVariance();
  }
  return { mean: mean2, components, explainedVarianceRatio };
}
function projectRows(x, pca) {
  const { mean: mean2, components } = pca;
  const points = new Float64Array(x.rows * 2);
  for (let i = 0; i < x.rows; i++) {
    for (let a = 0; a < 2; a++) {
      let s = 0;
      for (let c = 0; c < x.cols; c++) s += (x.data[i * x.cols + c] - mean2[c]) * components[a][c];
      points[i * 2 + a] = s;
    }
  }
  return points;
}
function projectPoint(pca, point) {
  const out = [0, 0];
  for (let a = 0; a < 2; a++) {
    let s = 0;
    for (let c = 0; c < pca.mean.length; c++) s += (point[c] - pca.mean[c]) * pca.components[a][c];
    out[a] = s;
  }
  return out;
}
function topLoadings(pca, featureNames, axis2, count = 3) {
  return featureNames.map((feature, c) => ({ feature, loading: pca.components[axis2][c] })).sort((a, b) => Math.abs(b.loading) - Math.abs(a.loading)).slice(0, count);
}

// server/analysis/stats.ts
function presentValues(values) {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) count++;
  const out = new Float64Array(count);
  for (let i = 0, j = 0; i < values.length; i++) if (!Number.isNaN(values[i])) out[j++] = values[i];
  return out;
}
function mean(values) {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length ? sum / values.length : Number.NaN;
}
function populationSd(values, center = mean(values)) {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] - center) ** 2;
  return values.length ? Math.sqrt(sum / values.length) : Number.NaN;
}
function quantileSorted(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  const position = q * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}
function presentMoments(values, through) {
  const length = through ? through.length : values.length;
  const at = through ? (i) => values[through[i]] : (i) => values[i];
  let n = 0;
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const v = at(i);
    if (!Number.isNaN(v)) {
      n++;
      sum += v;
    }
  }
  const m = n ? sum / n : Number.NaN;
  let squares = 0;
  for (let i = 0; i < length; i++) {
    const v = at(i);
    if (!Number.isNaN(v)) squares += (v - m) ** 2;
  }
  return { mean: m, sd: n ? Math.sqrt(squares / n) : Number.NaN };
}
function quantileOfOrder(values, order, q) {
  if (order.length === 0) return Number.NaN;
  const position = q * (order.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return values[order[lower]] + (values[order[upper]] - values[order[lower]]) * (position - lower);
}
function sortedCopy(values) {
  return (values instanceof Float64Array ? values.slice() : Float64Array.from(values)).sort();
}
var ascendingCache = /* @__PURE__ */ new WeakMap();
function ascendingRows(values) {
  let order = ascendingCache.get(values);
  if (!order) {
    let count = 0;
    for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) count++;
    order = new Int32Array(count);
    for (let i = 0, j = 0; i < values.length; i++) if (!Number.isNaN(values[i])) order[j++] = i;
    const column = values;
    order.sort((a, b) => column[a] - column[b] || a - b);
    ascendingCache.set(values, order);
  }
  return order;
}
function groupOf(n, index, labels) {
  const group = new Int32Array(n).fill(-1);
  for (let i = 0; i < index.length; i++) group[index[i]] = labels[i];
  return group;
}
function gather(values, indices, through) {
  const out = new Float64Array(indices.length);
  if (through) for (let i = 0; i < indices.length; i++) out[i] = values[through[indices[i]]];
  else for (let i = 0; i < indices.length; i++) out[i] = values[indices[i]];
  return out;
}
function mostFrequent(values) {
  const counts = /* @__PURE__ */ new Map();
  for (let i = 0; i < values.length; i++) counts.set(values[i], (counts.get(values[i]) ?? 0) + 1);
  let best = Number.NaN;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || count === bestCount && value < best) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}
function mostFrequentText(values) {
  const counts = /* @__PURE__ */ new Map();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = null;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || count === bestCount && best !== null && value < best) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

// server/analysis/table.ts
function columnKinds(table) {
  return [...table.columns, ...table.omitted ?? []];
}
function findColumn(table, name) {
  return table.columns.find((c) => c.name === name);
}

// server/analysis/preprocess.ts
var MISSING_STRATEGIES = ["drop", "mean", "median", "mode"];
var OUTLIER_RULES = ["none", "iqr-clip", "iqr-exclude", "zscore-clip", "zscore-exclude"];
var SCALING_METHODS = ["standard", "minmax", "robust", "none"];
var CATEGORICAL_WEIGHT = Math.SQRT1_2;
var CATEGORICAL_RULE = "each category indicator is weighted 1/\u221A2, so a change of category counts as much as one standard deviation of a numeric feature";
var IQR_FACTOR = 1.5;
var Z_LIMIT = 3;
function resolveFeatures(table, features) {
  if (features.length === 0) throw new InputError("Choose at least one feature to segment on.", { field: "features" });
  const seen = /* @__PURE__ */ new Set();
  return features.map((name) => {
    if (seen.has(name)) throw new InputError(`The feature "${name}" is listed twice.`, { field: "features" });
    seen.add(name);
    const kind = columnKinds(table).find((c) => c.name === name)?.kind;
    if (!kind) throw new InputError(`Unknown feature "${name}": the dataset has no such column.`, { field: "features" });
    if (kind === "id" || kind === "date") {
      throw new InputError(`"${name}" is an ${kind === "id" ? "identifier" : "date"} column and cannot be a feature.`, { field: "features" });
    }
    return findColumn(table, name);
  });
}
function numericFill(present, strategy) {
  if (present.length === 0) return 0;
  switch (strategy) {
    case "median":
      return quantileSorted(sortedCopy(present), 0.5);
    case "mode":
      return mostFrequent(present);
    case "mean":
    case "drop":
      return mean(present);
  }
}
function outlierBounds(values, rule) {
  if (rule === "none") return [-Infinity, Infinity];
  if (rule.startsWith("iqr")) {
    const sorted = sortedCopy(values);
    const q1 = quantileSorted(sorted, 0.25);
    const q3 = quantileSorted(sorted, 0.75);
    return [q1 - IQR_FACTOR * (q3 - q1), q3 + IQR_FACTOR * (q3 - q1)];
  }
  const center = mean(values);
  const sd = populationSd(values, center);
  return [center - Z_LIMIT * sd, center + Z_LIMIT * sd];
}
function scalerFor(values, method) {
  const safe = (s) => s > 0 && Number.isFinite(s) ? s : 1;
  switch (method) {
    case "standard": {
      const center = mean(values);
      return { center, scale: safe(populationSd(values, center)) };
    }
    case "minmax": {
      let min = Infinity;
      let max = -Infinity;
      for (const v of values) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      return { center: min, scale: safe(max - min) };
    }
    case "robust": {
      const sorted = sortedCopy(values);
      return { center: quantileSorted(sorted, 0.5), scale: safe(quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25)) };
    }
    case "none":
      return { center: 0, scale: 1 };
  }
}
function fitPreprocess(table, options) {
  const columns = resolveFeatures(table, options.features);
  const numericColumns = columns.filter((c) => c.kind === "numeric");
  const categoricalColumns = columns.filter((c) => c.kind === "categorical");
  let rowIndex;
  if (options.missing === "drop") {
    const keep = [];
    for (let r = 0; r < table.rowCount; r++) {
      if (numericColumns.every((c) => !Number.isNaN(c.values[r])) && categoricalColumns.every((c) => c.values[r] !== null)) keep.push(r);
    }
    rowIndex = Int32Array.from(keep);
  } else {
    rowIndex = new Int32Array(table.rowCount);
    for (let r = 0; r < table.rowCount; r++) rowIndex[r] = r;
  }
  if (rowIndex.length < 2) {
    throw new InputError("Fewer than two customers remain after dropping rows with missing values; choose another missing-value rule.", { field: "missing" });
  }
  const n = rowIndex.length;
  const valuesImputed = {};
  const imputed = numericColumns.map((column) => {
    const keptValues = gather(column.values, rowIndex);
    const fill = numericFill(presentValues(keptValues), options.missing);
    let filled = 0;
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(keptValues[i])) {
        keptValues[i] = fill;
        filled++;
      }
    }
    valuesImputed[column.name] = filled;
    return { column, fill, values: keptValues };
  });
  const fitMask = new Uint8Array(n).fill(1);
  const outliersPerColumn = {};
  const clipping = options.outliers.endsWith("-clip");
  const bounds = imputed.map(({ column, values }) => {
    const [low, high] = outlierBounds(values, options.outliers);
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (values[i] < low || values[i] > high) {
        count++;
        if (clipping) values[i] = Math.min(high, Math.max(low, values[i]));
        else fitMask[i] = 0;
      }
    }
    outliersPerColumn[column.name] = count;
    return clipping ? [low, high] : [null, null];
  });
  let rowsExcluded = 0;
  for (let i = 0; i < n; i++) if (!fitMask[i]) rowsExcluded++;
  if (n - rowsExcluded < 2) throw new InputError("The outlier rule excludes almost every customer; choose a milder rule.", { field: "outliers" });
  const numeric = imputed.map(({ column, fill, values }, j) => {
    const fitValues = rowsExcluded === 0 ? values : values.filter((_, i) => fitMask[i] === 1);
    return { name: column.name, fill, clipLow: bounds[j][0], clipHigh: bounds[j][1], ...scalerFor(fitValues, options.scaling) };
  });
  const categorical = categoricalColumns.map((column) => {
    const kept = Array.from(rowIndex, (r) => column.values[r]);
    const fill = mostFrequentText(kept) ?? "";
    valuesImputed[column.name] = kept.filter((v) => v === null).length;
    const levels = [...new Set(kept.map((v) => v ?? fill))].sort();
    return { name: column.name, levels, fill, weight: CATEGORICAL_WEIGHT };
  });
  const fitted = {
    missing: options.missing,
    outliers: options.outliers,
    scaling: options.scaling,
    numeric,
    categorical,
    outputNames: [...numeric.map((s) => s.name), ...categorical.flatMap((s) => s.levels.map((l) => `${s.name}=${l}`))]
  };
  const matrix = createMatrix(n, fitted.outputNames.length);
  const cols = matrix.cols;
  numeric.forEach((step, j) => {
    const values = imputed[j].values;
    for (let i = 0; i < n; i++) matrix.data[i * cols + j] = (values[i] - step.center) / step.scale;
  });
  let offset = numeric.length;
  categorical.forEach((step, j) => {
    const column = categoricalColumns[j];
    const levelIndex = new Map(step.levels.map((l, i) => [l, i]));
    for (let i = 0; i < n; i++) {
      const level = levelIndex.get(column.values[rowIndex[i]] ?? step.fill);
      if (level !== void 0) matrix.data[i * cols + offset + level] = step.weight;
    }
    offset += step.levels.length;
  });
  return {
    fitted,
    matrix,
    rowIndex,
    fitMask,
    report: {
      rowsDropped: table.rowCount - n,
      valuesImputed,
      outlierRule: options.outliers,
      outliersPerColumn,
      rowsExcluded,
      categoricalRule: CATEGORICAL_RULE
    }
  };
}
function stepColumns(fitted, table) {
  const values = (name) => findColumn(table, name)?.values;
  return {
    numeric: fitted.numeric.map((s) => values(s.name)),
    categorical: fitted.categorical.map((s) => values(s.name))
  };
}
function transformTableRow(fitted, columns, row, out) {
  out.fill(0);
  for (let j = 0; j < fitted.numeric.length; j++) {
    const step = fitted.numeric[j];
    let value = columns.numeric[j]?.[row] ?? Number.NaN;
    if (value === Infinity || value === -Infinity) return false;
    if (Number.isNaN(value)) {
      if (fitted.missing === "drop") return false;
      value = step.fill;
    }
    if (step.clipLow !== null) value = Math.max(step.clipLow, value);
    if (step.clipHigh !== null) value = Math.min(step.clipHigh, value);
    out[j] = (value - step.center) / step.scale;
  }
  let offset = fitted.numeric.length;
  for (let j = 0; j < fitted.categorical.length; j++) {
    const step = fitted.categorical[j];
    let level = columns.categorical[j]?.[row] ?? null;
    if (level === null || level === "") {
      if (fitted.missing === "drop") return false;
      level = step.fill;
    }
    const index = step.levels.indexOf(level);
    if (index >= 0) out[offset + index] = step.weight;
    offset += step.levels.length;
  }
  return true;
}
function transformCustomer(fitted, customer) {
  const out = new Float64Array(fitted.outputNames.length);
  fitted.numeric.forEach((step, j) => {
    const raw = customer[step.name];
    let value = raw === null || raw === void 0 || raw === "" ? Number.NaN : Number(raw);
    if (raw !== null && raw !== void 0 && raw !== "" && !Number.isFinite(value)) {
      throw new InputError(`"${step.name}" must be a number; got "${String(raw).slice(0, 40)}".`, { field: step.name });
    }
    if (Number.isNaN(value)) {
      if (fitted.missing === "drop") {
        throw new InputError(`"${step.name}" is missing; this segmentation drops customers with missing values, so give a value.`, { field: step.name });
      }
      value = step.fill;
    }
    if (step.clipLow !== null) value = Math.max(step.clipLow, value);
    if (step.clipHigh !== null) value = Math.min(step.clipHigh, value);
    out[j] = (value - step.center) / step.scale;
  });
  let offset = fitted.numeric.length;
  for (const step of fitted.categorical) {
    const raw = customer[step.name];
    let level = raw === null || raw === void 0 || raw === "" ? null : String(raw);
    if (level === null) {
      if (fitted.missing === "drop") {
        throw new InputError(`"${step.name}" is missing; this segmentation drops customers with missing values, so give a value.`, { field: step.name });
      }
      level = step.fill;
    }
    const index = step.levels.indexOf(level);
    if (index >= 0) out[offset + index] = step.weight;
    offset += step.levels.length;
  }
  return out;
}

// server/analysis/predict.ts
var PIPELINE_FORMAT = 1;
function predictCustomer(pipeline, customer) {
  if (typeof customer !== "object" || customer === null || Array.isArray(customer)) {
    throw new InputError("The customer must be an object of column names to values.", { field: "customer" });
  }
  const known = new Set([...pipeline.preprocessor.numeric, ...pipeline.preprocessor.categorical].map((s) => s.name));
  for (const key of Object.keys(customer)) {
    if (!known.has(key)) {
      throw new InputError(`Unknown field "${key}": this segmentation uses ${[...known].join(", ")}.`, { field: key });
    }
  }
  return predictTransformed(pipeline, transformCustomer(pipeline.preprocessor, customer));
}
function dbscanCores(pipeline) {
  if (!pipeline.dbscan) return void 0;
  const { corePoints } = pipeline.dbscan;
  return corePoints.length ? fromRows(corePoints) : createMatrix(0, pipeline.preprocessor.outputNames.length);
}
function predictTransformed(pipeline, x, cores = dbscanCores(pipeline)) {
  const distances = pipeline.centroids.map((c) => Math.sqrt(c.reduce((s, v, j) => s + (v - x[j]) ** 2, 0)));
  let segment2;
  if (pipeline.dbscan && cores) {
    segment2 = predictDbscan(x, cores, Int32Array.from(pipeline.dbscan.coreLabels), pipeline.dbscan.eps);
  } else {
    segment2 = distances.indexOf(Math.min(...distances));
  }
  return {
    segment: segment2,
    name: segment2 === NOISE ? "Noise" : pipeline.segmentNames[segment2],
    distances,
    point: projectPoint(pipeline.pca, x)
  };
}
function parsePipeline(json) {
  const value = JSON.parse(json);
  if (value?.format !== PIPELINE_FORMAT || !Array.isArray(value.centroids) || !value.preprocessor) {
    throw new InputError("This is not a saved segmentation model (format 1).");
  }
  return value;
}

// server/analysis/summary.ts
function summariseColumns(table, topLevels = 12) {
  return table.columns.map((column) => {
    if (column.kind === "numeric") {
      const values = column.values;
      const order = ascendingRows(values);
      const { mean: m, sd } = presentMoments(values);
      return {
        name: column.name,
        kind: "numeric",
        count: order.length,
        missing: values.length - order.length,
        mean: m,
        sd,
        min: order.length ? values[order[0]] : Number.NaN,
        q1: quantileOfOrder(values, order, 0.25),
        median: quantileOfOrder(values, order, 0.5),
        q3: quantileOfOrder(values, order, 0.75),
        max: order.length ? values[order[order.length - 1]] : Number.NaN
      };
    }
    const counts = /* @__PURE__ */ new Map();
    let missing = 0;
    for (const v of column.values) {
      if (v === null) missing++;
      else counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const top = [...counts].map(([level, count]) => ({ level, count })).sort((a, b) => b.count - a.count || a.level.localeCompare(b.level));
    return { name: column.name, kind: column.kind, count: column.values.length - missing, missing, distinct: counts.size, top: top.slice(0, topLevels) };
  });
}
function histogram(values, bins) {
  let present = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    present++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (present === 0) return { edges: [], counts: [] };
  const binCount = bins ?? Math.min(30, Math.max(5, Math.ceil(Math.log2(present) + 1)));
  const width = max > min ? (max - min) / binCount : 1;
  const counts = new Array(binCount).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isNaN(v)) counts[Math.min(binCount - 1, Math.floor((v - min) / width))]++;
  }
  const edges = Array.from({ length: binCount + 1 }, (_, i) => min + i * width);
  return { edges, counts };
}
function correlationMatrix(table) {
  const numeric = table.columns.filter((c) => c.kind === "numeric");
  const values = numeric.map(
    (a, i) => numeric.map((b, j) => {
      if (j < i) return Number.NaN;
      let n = 0;
      let sa = 0;
      let sb = 0;
      for (let i2 = 0; i2 < table.rowCount; i2++) {
        const x = a.values[i2];
        const y = b.values[i2];
        if (Number.isNaN(x) || Number.isNaN(y)) continue;
        n++;
        sa += x;
        sb += y;
      }
      const ma = sa / n;
      const mb = sb / n;
      let cov = 0;
      let va = 0;
      let vb = 0;
      for (let i2 = 0; i2 < table.rowCount; i2++) {
        const x = a.values[i2];
        const y = b.values[i2];
        if (Number.isNaN(x) || Number.isNaN(y)) continue;
        cov += (x - ma) * (y - mb);
        va += (x - ma) ** 2;
        vb += (y - mb) ** 2;
      }
      return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : Number.NaN;
    })
  );
  values.forEach((row, i) => row.forEach((_, j) => j < i && (row[j] = values[j][i])));
  return { names: numeric.map((c) => c.name), values };
}
function boxStatsOfSorted(sorted) {
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  const fenceLow = q1 - 1.5 * (q3 - q1);
  const fenceHigh = q3 + 1.5 * (q3 - q1);
  let low = q1;
  let high = q3;
  let outliers = 0;
  for (const v of sorted) {
    if (v < fenceLow || v > fenceHigh) outliers++;
    else {
      if (v < low) low = v;
      if (v > high) high = v;
    }
  }
  return { low, q1, median: quantileSorted(sorted, 0.5), q3, high, outliers };
}
function boxStatsOfOrder(values, order) {
  const q1 = quantileOfOrder(values, order, 0.25);
  const q3 = quantileOfOrder(values, order, 0.75);
  const fenceLow = q1 - 1.5 * (q3 - q1);
  const fenceHigh = q3 + 1.5 * (q3 - q1);
  let low = q1;
  let high = q3;
  let outliers = 0;
  for (let j = 0; j < order.length; j++) {
    const v = values[order[j]];
    if (v < fenceLow || v > fenceHigh) outliers++;
    else {
      if (v < low) low = v;
      if (v > high) high = v;
    }
  }
  return { low, q1, median: quantileOfOrder(values, order, 0.5), q3, high, outliers };
}
function boxStatsByGroup(values, group, groups) {
  const order = ascendingRows(values);
  const sizes = new Int32Array(groups);
  for (let j = 0; j < order.length; j++) {
    const g = group[order[j]];
    if (g >= 0) sizes[g]++;
  }
  const QUARTILES = [0.25, 0.5, 0.75];
  const ranks = new Float64Array(groups * 6);
  const picked = new Float64Array(groups * 6).fill(Number.NaN);
  for (let g = 0; g < groups; g++) {
    QUARTILES.forEach((q, t) => {
      const position = q * (sizes[g] - 1);
      ranks[g * 6 + 2 * t] = Math.floor(position);
      ranks[g * 6 + 2 * t + 1] = Math.ceil(position);
    });
  }
  const seen = new Int32Array(groups);
  for (let j = 0; j < order.length; j++) {
    const i = order[j];
    const g = group[i];
    if (g < 0) continue;
    const rank = seen[g]++;
    for (let t = g * 6; t < g * 6 + 6; t++) if (ranks[t] === rank) picked[t] = values[i];
  }
  const quartile = (g, t) => {
    if (sizes[g] === 0) return Number.NaN;
    const position = QUARTILES[t] * (sizes[g] - 1);
    const lower = picked[g * 6 + 2 * t];
    return lower + (picked[g * 6 + 2 * t + 1] - lower) * (position - Math.floor(position));
  };
  const boxes = Array.from({ length: groups }, (_, g) => {
    const q1 = quartile(g, 0);
    const q3 = quartile(g, 2);
    return { low: q1, q1, median: quartile(g, 1), q3, high: q3, outliers: 0 };
  });
  const fenceLow = boxes.map((b) => b.q1 - 1.5 * (b.q3 - b.q1));
  const fenceHigh = boxes.map((b) => b.q3 + 1.5 * (b.q3 - b.q1));
  for (let j = 0; j < order.length; j++) {
    const i = order[j];
    const g = group[i];
    if (g < 0) continue;
    const v = values[i];
    const box = boxes[g];
    if (v < fenceLow[g] || v > fenceHigh[g]) box.outliers++;
    else {
      if (v < box.low) box.low = v;
      if (v > box.high) box.high = v;
    }
  }
  return boxes;
}
function countOutlierRows(table, rule) {
  const flagged = new Uint8Array(table.rowCount);
  const perColumn = {};
  for (const column of table.columns) {
    if (column.kind !== "numeric") continue;
    let low;
    let high;
    if (rule === "iqr") {
      const order = ascendingRows(column.values);
      const q1 = quantileOfOrder(column.values, order, 0.25);
      const q3 = quantileOfOrder(column.values, order, 0.75);
      low = q1 - 1.5 * (q3 - q1);
      high = q3 + 1.5 * (q3 - q1);
    } else {
      const { mean: m, sd } = presentMoments(column.values);
      low = m - 3 * sd;
      high = m + 3 * sd;
    }
    let count = 0;
    const values = column.values;
    for (let i = 0; i < values.length; i++) {
      if (values[i] < low || values[i] > high) {
        count++;
        flagged[i] = 1;
      }
    }
    perColumn[column.name] = count;
  }
  return { rows: flagged.reduce((a, b) => a + b, 0), perColumn };
}
function featureRanges(table, names) {
  return names.flatMap((name) => {
    const column = table.columns.find((c) => c.name === name);
    if (!column) return [];
    if (column.kind === "numeric") {
      const values = column.values;
      const order = ascendingRows(values);
      let integers = true;
      for (let j = 0; j < order.length && integers; j++) integers = Number.isInteger(values[order[j]]);
      return [{ name, kind: "numeric", min: values[order[0]], max: values[order[order.length - 1]], median: quantileOfOrder(values, order, 0.5), integers }];
    }
    const levels = [...new Set(column.values.filter((v) => v !== null))].sort();
    return [{ name, kind: "categorical", levels, mode: mostFrequentText(column.values) }];
  });
}
function datasetOverview(table, outlierRule) {
  return {
    summaries: summariseColumns(table),
    histograms: table.columns.flatMap((c) => c.kind === "numeric" ? [{ name: c.name, histogram: histogram(c.values) }] : []),
    correlation: correlationMatrix(table),
    outliers: { rule: outlierRule, ...countOutlierRows(table, outlierRule) },
    standardisedBoxes: table.columns.flatMap((c) => {
      if (c.kind !== "numeric") return [];
      const { mean: m, sd } = presentMoments(c.values);
      const scale = sd || 1;
      const raw = boxStatsOfOrder(c.values, ascendingRows(c.values));
      const z7 = (v) => (v - m) / scale;
      return [{ name: c.name, stats: { low: z7(raw.low), q1: z7(raw.q1), median: z7(raw.median), q3: z7(raw.q3), high: z7(raw.high), outliers: raw.outliers } }];
    })
  };
}

// server/analysis/profile.ts
var DISTINCTIVE_SD = 0.5;
var CONCEPTS = [
  { pattern: /recency|days.?since|last.?seen|inactive/i, high: "lapsed", low: "recently active", role: "recency" },
  { pattern: /\bage\b|^age|age$/i, high: "older", low: "young", role: "age" },
  { pattern: /income|salary|earning|wealth/i, high: "high income", low: "low income", role: "income" },
  { pattern: /spend|score|monetary/i, high: "high spending", low: "low spending", role: "spending" },
  { pattern: /freq|visits|orders|invoices|purchases.?per/i, high: "frequent", low: "infrequent", role: "frequency" },
  { pattern: /member|tenure|years|loyal/i, high: "long-standing", low: "new", role: "tenure" },
  { pattern: /amount|basket|order.?value|aov|purchase|price/i, high: "big-basket", low: "small-basket", role: "basket" }
];
var NAME_PART_MAX = 32;
function humanise(column) {
  const words = column.replace(/[_.]+/g, " ").replace(/\s+/g, " ").trim().toLowerCase();
  return words.length > NAME_PART_MAX ? `${words.slice(0, NAME_PART_MAX - 1)}\u2026` : words;
}
function conceptFor(feature) {
  return CONCEPTS.find((c) => c.pattern.test(feature)) ?? {
    pattern: /$^/,
    high: `high ${humanise(feature)}`,
    low: `low ${humanise(feature)}`,
    role: "other"
  };
}
function describeDifference(feature, differenceSd) {
  const concept = conceptFor(feature);
  return differenceSd >= 0 ? concept.high : concept.low;
}
function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
function recommend(distinguishing) {
  const z7 = (...roles) => {
    const hits = distinguishing.filter((d) => roles.includes(conceptFor(d.feature).role));
    if (hits.length === 0) return null;
    return hits.reduce((a, b) => Math.abs(b.differenceSd) > Math.abs(a.differenceSd) ? b : a).differenceSd;
  };
  const high = (v) => v !== null && v >= DISTINCTIVE_SD;
  const low = (v) => v !== null && v <= -DISTINCTIVE_SD;
  const value = z7("spending", "basket");
  const income = z7("income");
  if (high(z7("recency"))) return 'Win back: a time-limited comeback offer and a "we miss you" message; ask what changed.';
  if (high(value) && high(income)) return "Reward and retain: a VIP tier, early access to launches and personal service; protect them with perks rather than discounts.";
  if (low(value) && high(income)) return "Unlock untapped potential: premium showcases and quality-led messages to turn their income into spend.";
  if (high(z7("frequency")) && low(value)) return 'Upsell: bundles, free-delivery thresholds and "complete the set" offers to raise the value of each visit.';
  if (high(value) && low(income)) return "Keep them engaged: trend-led content and a points programme on affordable lines that rewards frequency.";
  if (high(z7("tenure"))) return "Recognise loyalty: anniversary rewards, referral incentives and early-renewal perks.";
  if (low(value) || low(income)) return "Value first: price-led promotions, multibuy deals and budget ranges; keep the cost of reaching them low.";
  if (low(z7("age")) || low(z7("tenure"))) return "Grow the relationship: mobile-first onboarding offers and a welcome series that builds the habit.";
  if (high(value) || high(z7("frequency"))) return "Cross-sell: recommend adjacent categories to customers who already buy well.";
  return "Nurture: regular personalised recommendations, and test offers to learn what moves this group.";
}
function buildProfiles(input) {
  const { table, rowIndex, labels, k } = input;
  const total = labels.length;
  const numeric = table.columns.filter((c) => c.kind === "numeric");
  const categorical = table.columns.filter((c) => c.kind === "categorical");
  const overall = numeric.map((col) => presentMoments(col.values, rowIndex));
  const sizes = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) sizes[labels[i]]++;
  const sums = numeric.map(() => new Float64Array(k));
  const counts = numeric.map(() => new Float64Array(k));
  numeric.forEach((col, j) => {
    const values = col.values;
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      const v = values[rowIndex[i]];
      if (l >= 0 && !Number.isNaN(v)) {
        sums[j][l] += v;
        counts[j][l]++;
      }
    }
  });
  const segmentOfRow = groupOf(table.rowCount, rowIndex, labels);
  const boxes = numeric.map((col) => boxStatsByGroup(col.values, segmentOfRow, k));
  const mixes = categorical.map((col) => {
    const perSegment = Array.from({ length: k }, () => /* @__PURE__ */ new Map());
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      if (l < 0) continue;
      const level = col.values[rowIndex[i]] ?? "(missing)";
      perSegment[l].set(level, (perSegment[l].get(level) ?? 0) + 1);
    }
    return perSegment;
  });
  const profiles = Array.from({ length: k }, (_, id) => {
    const size = sizes[id];
    const features = numeric.map((col, j) => {
      const m = counts[j][id] > 0 ? sums[j][id] / counts[j][id] : Number.NaN;
      const sd = overall[j].sd;
      return {
        feature: col.name,
        mean: m,
        median: boxes[j][id].median,
        spread: boxes[j][id],
        overallMean: overall[j].mean,
        differenceSd: sd > 0 && Number.isFinite(m) ? (m - overall[j].mean) / sd : 0
      };
    });
    const categories = categorical.map((col, c) => {
      const mix = [...mixes[c][id]].map(([level, count]) => ({ level, count, share: size ? count / size : 0 }));
      return { feature: col.name, mix: mix.sort((a, b) => b.count - a.count) };
    });
    const inModel = new Set(input.featureNames);
    const distinguishing = features.filter((f) => Math.abs(f.differenceSd) >= DISTINCTIVE_SD).sort((a, b) => Number(inModel.has(b.feature)) - Number(inModel.has(a.feature)) || Math.abs(b.differenceSd) - Math.abs(a.differenceSd)).map((f) => ({ feature: f.feature, differenceSd: f.differenceSd, description: describeDifference(f.feature, f.differenceSd) }));
    return {
      id,
      name: "",
      size,
      share: total ? size / total : 0,
      features,
      categories,
      distinguishing,
      recommendation: recommend(distinguishing)
    };
  });
  assignUniqueNames(profiles);
  return profiles;
}
function assignUniqueNames(profiles) {
  const nameWith = (p, count) => {
    const parts = p.distinguishing.slice(0, count).map((d) => d.description);
    return parts.length ? capitalise(parts.join(", ")) : "Typical customers";
  };
  const depth = profiles.map(() => 2);
  for (let round2 = 0; round2 < 4; round2++) {
    const names = profiles.map((p, i) => nameWith(p, depth[i]));
    const counts = /* @__PURE__ */ new Map();
    names.forEach((n) => counts.set(n, (counts.get(n) ?? 0) + 1));
    let collided = false;
    names.forEach((n, i) => {
      if (counts.get(n) > 1 && depth[i] < profiles[i].distinguishing.length) {
        depth[i]++;
        collided = true;
      }
    });
    if (!collided) break;
  }
  const used = /* @__PURE__ */ new Map();
  profiles.forEach((p, i) => {
    const base = nameWith(p, depth[i]);
    const seen = used.get(base) ?? 0;
    used.set(base, seen + 1);
    p.name = seen === 0 ? base : `${base} (${seen + 1})`;
  });
}

// server/analysis/scatter.ts
var SCATTER_MAX_POINTS = 5e3;
function scatterRows(labels, seed, max = SCATTER_MAX_POINTS) {
  if (labels.length <= max) return Int32Array.from({ length: labels.length }, (_, i) => i);
  const sizes = /* @__PURE__ */ new Map();
  for (let i = 0; i < labels.length; i++) sizes.set(labels[i], (sizes.get(labels[i]) ?? 0) + 1);
  const wanted = /* @__PURE__ */ new Map();
  for (const [segment2, size] of sizes) {
    const quota = Math.min(size, Math.max(50, Math.round(size / labels.length * max)));
    wanted.set(segment2, { ranks: sampleIndices(size, quota, seed + segment2 + 1), next: 0, seen: 0 });
  }
  const picked = [];
  for (let i = 0; i < labels.length; i++) {
    const w = wanted.get(labels[i]);
    if (w.next < w.ranks.length && w.ranks[w.next] === w.seen) {
      picked.push(i);
      w.next++;
    }
    w.seen++;
  }
  return Int32Array.from(picked).sort();
}

// server/analysis/stability.ts
var STABILITY_REPLICATES = 5;
var STABILITY_MAX_SAMPLE = 2e3;
var STABILITY_SCORED_ROWS = 2e4;
function bootstrapStability(data, allLabels, options, scoredRows = STABILITY_SCORED_ROWS) {
  const scored = data.rows > scoredRows ? sampleIndices(data.rows, scoredRows, options.seed ^ 377069) : void 0;
  const x = scored ? selectRows(data, scored) : data;
  const labels = scored ? Int32Array.from(scored, (i) => allLabels[i]) : allLabels;
  const sampleSize = Math.min(data.rows, STABILITY_MAX_SAMPLE);
  const rng = createRng(options.seed ^ 5352222);
  let total = 0;
  let counted = 0;
  for (let rep = 0; rep < STABILITY_REPLICATES; rep++) {
    const picks = Int32Array.from({ length: sampleSize }, () => Math.floor(rng() * data.rows));
    const sample = selectRows(data, picks);
    let fit;
    try {
      fit = fitAlgorithm(sample, { ...options, seed: options.seed + 1e3 + rep, nInit: Math.min(options.nInit, 3), quick: true });
    } catch {
      continue;
    }
    let replicateLabels;
    if (fit.dbscan) {
      const { corePoints, coreLabels } = fit.dbscan;
      replicateLabels = Int32Array.from({ length: x.rows }, (_, i) => predictDbscan(x.data.subarray(i * x.cols, (i + 1) * x.cols), corePoints, coreLabels, options.eps));
    } else {
      replicateLabels = assignNearest(x, fit.centroids).labels;
    }
    total += adjustedRandIndex(labels, replicateLabels);
    counted++;
  }
  return { meanAri: counted ? Math.max(0, total / counted) : Number.NaN, replicates: counted, sampleSize };
}

// server/analysis/sweep.ts
var SHARED_DISTANCE_LIMIT = 3e3;
var SILHOUETTE_TIE = 0.02;
var RECOMMENDATION_RULE = `the k with the highest mean silhouette; k within ${SILHOUETTE_TIE} of it count as ties, broken by the k nearest the elbow of the inertia curve (kneedle)`;
function kneedleElbow(ks, values) {
  const first = values[0];
  const last = values[values.length - 1];
  let bestK = ks[0];
  let bestGap = -Infinity;
  ks.forEach((k, i) => {
    const xNorm = ks.length > 1 ? i / (ks.length - 1) : 0;
    const yNorm = first !== last ? (values[i] - last) / (first - last) : 0;
    const gap = 1 - xNorm - yNorm;
    if (gap > bestGap) {
      bestGap = gap;
      bestK = k;
    }
  });
  return bestK;
}
function recommendK(rows) {
  const elbowK = kneedleElbow(rows.map((r) => r.k), rows.map((r) => r.inertia));
  const valid = rows.filter((r) => Number.isFinite(r.silhouette));
  if (valid.length === 0) return { recommendedK: elbowK, elbowK };
  const best = Math.max(...valid.map((r) => r.silhouette));
  const ties = valid.filter((r) => r.silhouette >= best - SILHOUETTE_TIE);
  ties.sort((a, b) => Math.abs(a.k - elbowK) - Math.abs(b.k - elbowK) || b.silhouette - a.silhouette);
  return { recommendedK: ties[0].k, elbowK };
}
function validateSweepRange(kMin, kMax, rows) {
  if (!Number.isInteger(kMin) || !Number.isInteger(kMax) || kMin < 2 || kMax < kMin) {
    throw new InputError(`The k range must be whole numbers with 2 <= from <= to; got ${kMin}..${kMax}.`, { field: "kMin" });
  }
  if (kMin > rows - 1) throw new InputError(`A sweep from k = ${kMin} needs more than ${rows} customers.`, { field: "kMin" });
}
function sweepK(x, options, sharedDistances, onFit) {
  validateSweepRange(options.kMin, options.kMax, x.rows);
  const kMax = Math.min(options.kMax, x.rows - 1);
  const notes = [];
  let algorithm = options.algorithm;
  if (algorithm === "dbscan") {
    notes.push("DBSCAN chooses its own number of segments; the curves over k use k-means.");
    algorithm = "kmeans";
  }
  let wardCut;
  if (algorithm === "agglomerative") {
    const maxRows = options.agglomerativeMaxRows ?? DEFAULT_AGGLOMERATIVE_MAX_ROWS;
    if (x.rows <= maxRows) {
      const merges = wardMerges(x);
      wardCut = (k) => cutMerges(x.rows, merges, k);
    } else {
      const sample = selectRows(x, sampleIndices(x.rows, maxRows, options.seed));
      const merges = wardMerges(sample);
      wardCut = (k) => assignNearest(x, clusterMeans(sample, cutMerges(sample.rows, merges, k), k)).labels;
      notes.push(`Ward curves come from a sample of ${maxRows.toLocaleString("en-US")} customers.`);
    }
  }
  const distances = sharedDistances ?? (x.rows <= SHARED_DISTANCE_LIMIT ? pairwiseDistances(x) : void 0);
  let silhouetteFrom;
  if (distances) silhouetteFrom = { distances };
  else {
    const rows2 = sampleIndices(x.rows, SHARED_DISTANCE_LIMIT, options.seed);
    silhouetteFrom = { sample: selectRows(x, rows2), rows: rows2 };
    notes.push(`Silhouettes on the curves are estimated on a random sample of ${SHARED_DISTANCE_LIMIT.toLocaleString("en-US")} customers.`);
  }
  const rows = [];
  for (let k = options.kMin; k <= kMax; k++) {
    let labels;
    let fit;
    if (wardCut) labels = wardCut(k);
    else {
      fit = algorithm === "minibatch" ? fitMiniBatch(x, { k, seed: options.seed, batchSize: options.batchSize, maxIterations: options.iterations }) : fitKMeans(x, { k, seed: options.seed, nInit: options.nInit });
      labels = fit.labels;
    }
    const m = computeMetrics(x, labels, options.seed, silhouetteFrom);
    if (fit) onFit?.(k, { fit, metrics: m });
    rows.push({ k, inertia: m.inertia, silhouette: m.silhouette, daviesBouldin: m.daviesBouldin, calinskiHarabasz: m.calinskiHarabasz });
  }
  return { algorithm, ...recommendK(rows), rule: RECOMMENDATION_RULE, rows, notes };
}

// server/analysis/pipeline.ts
var SWEEP_LABELS_MAX_ROWS = 2e5;
function fitKey(o, k) {
  return JSON.stringify([o.algorithm, k, o.seed, o.nInit, o.batchSize, o.iterations]);
}
function pcaOf(prepared) {
  prepared.shared.pca ??= fitPcaModel(prepared.prep.matrix);
  return prepared.shared.pca;
}
function distancesOf(prepared) {
  if (prepared.shared.distances === void 0) {
    prepared.shared.distances = prepared.fitX.rows <= SHARED_DISTANCE_LIMIT ? pairwiseDistances(prepared.fitX) : null;
  }
  return prepared.shared.distances;
}
function prepare(table, options) {
  const prep = fitPreprocess(table, options);
  const excluded = prep.report.rowsExcluded > 0;
  const fitRows = [];
  if (excluded) prep.fitMask.forEach((m, i) => m && fitRows.push(i));
  return { prep, fitX: excluded ? selectRows(prep.matrix, fitRows) : prep.matrix, shared: {} };
}
function runSweep(prepared, options, keepLabelsUpTo = SWEEP_LABELS_MAX_ROWS) {
  const fits = prepared.shared.fits ??= /* @__PURE__ */ new Map();
  const algorithm = options.algorithm === "minibatch" ? "minibatch" : "kmeans";
  return sweepK(prepared.fitX, options, distancesOf(prepared) ?? void 0, (k, { fit, metrics }) => {
    const stability = bootstrapStability(prepared.fitX, fit.labels, { ...options, algorithm, k, eps: 0 });
    const kept = prepared.fitX.rows > keepLabelsUpTo ? { ...fit, labels: void 0 } : fit;
    fits.set(fitKey({ ...options, algorithm }, k), { fit: kept, metrics, stability });
  });
}
function scatterOf(x, labels, seed, pca) {
  const rows = scatterRows(labels, seed);
  return { rows, points: projectRows(selectRows(x, rows), pca) };
}
function orderBySize(labels, k) {
  const sizes = clusterSizes(labels, k);
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => sizes[b] - sizes[a] || a - b);
  const newId = new Int32Array(k);
  order.forEach((old, i) => newId[old] = i);
  return newId;
}
function remapRows(m, newId) {
  const out = createMatrix(m.rows, m.cols);
  for (let old = 0; old < m.rows; old++) out.data.set(m.data.subarray(old * m.cols, (old + 1) * m.cols), newId[old] * m.cols);
  return out;
}
function centroidInOriginalUnits(prep, centroid) {
  const out = {};
  prep.fitted.numeric.forEach((step, j) => out[step.name] = step.center + step.scale * centroid[j]);
  let offset = prep.fitted.numeric.length;
  for (const step of prep.fitted.categorical) {
    step.levels.forEach((level, l) => out[`${step.name}=${level}`] = centroid[offset + l] / step.weight);
    offset += step.levels.length;
  }
  return out;
}
function lacksSharedParts(result) {
  return result.rowIndex.length === 0 && result.labels.length > 0;
}
function segment(table, prepared, options, extras = {}) {
  const { warmStart, withoutSharedParts } = extras;
  const { prep, fitX } = prepared;
  const notes = [];
  let eps = options.eps ?? 0;
  if (options.algorithm === "dbscan" && options.eps === null) {
    eps = suggestEps(fitX, options.minPts, options.seed).eps;
    notes.push(`eps ${eps} was suggested from the knee of the ${options.minPts}-distance curve.`);
  }
  const algorithmOptions = { ...options, eps, initialCentroids: warmStart };
  const shared = warmStart ? void 0 : prepared.shared.fits?.get(fitKey(options, options.k));
  const fit = shared ? { ...shared.fit, labels: shared.fit.labels ?? assignNearest(fitX, shared.fit.centroids).labels, k: options.k } : fitAlgorithm(fitX, algorithmOptions);
  notes.push(...fit.notes);
  const k = fit.k;
  const newId = orderBySize(fit.labels, k);
  const centroids = remapRows(fit.centroids, newId);
  const coreLabels = fit.dbscan ? fit.dbscan.coreLabels.map((l) => l < 0 ? l : newId[l]) : void 0;
  const x = prep.matrix;
  let labels;
  if (prep.report.rowsExcluded === 0) {
    labels = fit.labels.map((l) => l < 0 ? l : newId[l]);
  } else if (fit.dbscan) {
    labels = Int32Array.from({ length: x.rows }, (_, i) => predictDbscan(x.data.subarray(i * x.cols, (i + 1) * x.cols), fit.dbscan.corePoints, coreLabels, eps));
  } else {
    labels = assignNearest(x, centroids).labels;
  }
  if (prep.report.rowsExcluded > 0) {
    notes.push(`${prep.report.rowsExcluded} outlier customer${prep.report.rowsExcluded === 1 ? " was" : "s were"} left out of fitting and assigned to the nearest segment afterwards.`);
  }
  let noiseCount = 0;
  for (const l of labels) if (l === NOISE) noiseCount++;
  const distances = prep.report.rowsExcluded === 0 && !labels.some((l) => l < 0) ? distancesOf(prepared) ?? void 0 : void 0;
  const metrics = shared && prep.report.rowsExcluded === 0 && !shared.metrics.silhouetteSampled ? shared.metrics : k >= 2 ? computeMetrics(x, labels, options.seed, distances ? { distances } : void 0) : { inertia: Number.NaN, silhouette: Number.NaN, silhouetteSampled: false, daviesBouldin: Number.NaN, calinskiHarabasz: Number.NaN };
  if (metrics.silhouetteSampled) notes.push(`The silhouette is estimated on a random sample of ${SILHOUETTE_SAMPLE.toLocaleString("en-US")} customers.`);
  if (fit.dbscan && noiseCount > 0) notes.push("Metrics leave DBSCAN noise points out.");
  const stability = shared ? shared.stability : k >= 2 ? bootstrapStability(fitX, fit.labels, { ...algorithmOptions, initialCentroids: void 0 }) : { meanAri: Number.NaN, replicates: 0, sampleSize: 0 };
  const pca = pcaOf(prepared);
  const profiles = buildProfiles({ table, rowIndex: prep.rowIndex, labels, k, featureNames: options.features });
  const segments = profiles.map((p) => ({
    ...p,
    centroid: centroidInOriginalUnits(prep, centroids.data.subarray(p.id * centroids.cols, (p.id + 1) * centroids.cols))
  }));
  const resolved = { ...options, k, eps };
  const pipeline = {
    format: PIPELINE_FORMAT,
    options: resolved,
    preprocessor: prep.fitted,
    centroids: toRows(centroids),
    segmentNames: segments.map((s) => s.name),
    dbscan: fit.dbscan ? { eps, corePoints: toRows(fit.dbscan.corePoints), coreLabels: Array.from(coreLabels) } : void 0,
    pca: { mean: pca.mean, components: pca.components, explainedVarianceRatio: pca.explainedVarianceRatio }
  };
  return {
    options: resolved,
    k,
    rowCount: table.rowCount,
    rowIndex: withoutSharedParts ? new Int32Array(0) : prep.rowIndex,
    labels,
    scatter: scatterOf(x, labels, options.seed, pca),
    metrics,
    stability,
    segments,
    noiseCount,
    pca,
    featureNames: options.features,
    outputNames: prep.fitted.outputNames,
    report: prep.report,
    notes,
    pipeline
  };
}
function customerAt(table, row, features) {
  const out = {};
  for (const name of features) {
    const column = table.columns.find((c) => c.name === name);
    const v = column?.values[row];
    out[name] = v === void 0 || typeof v === "number" && Number.isNaN(v) ? null : v;
  }
  return out;
}
function extendSegmentation(result, table) {
  if (table.rowCount <= result.rowCount) return result;
  const { pipeline } = result;
  const fitted = pipeline.preprocessor;
  const columns = stepColumns(fitted, table);
  const width = result.outputNames.length;
  const kept = result.rowIndex.length;
  const capacity = kept + table.rowCount - result.rowCount;
  const rowIndex = new Int32Array(capacity);
  const labels = new Int32Array(capacity);
  rowIndex.set(result.rowIndex);
  labels.set(result.labels);
  const x = createMatrix(capacity, width);
  for (let i = 0; i < kept; i++) transformTableRow(fitted, columns, rowIndex[i], x.data.subarray(i * width, (i + 1) * width));
  const cores = dbscanCores(pipeline);
  let m = kept;
  for (let r = result.rowCount; r < table.rowCount; r++) {
    const vector = x.data.subarray(m * width, (m + 1) * width);
    if (!transformTableRow(fitted, columns, r, vector)) continue;
    rowIndex[m] = r;
    labels[m] = predictTransformed(pipeline, vector, cores).segment;
    m++;
  }
  const rowIndexArray = m === capacity ? rowIndex : rowIndex.slice(0, m);
  const labelArray = m === capacity ? labels : labels.slice(0, m);
  const xKept = m === capacity ? x : createMatrix(m, width, x.data.subarray(0, m * width));
  const metrics = result.k >= 2 ? computeMetrics(xKept, labelArray, result.options.seed) : result.metrics;
  const profiles = buildProfiles({ table, rowIndex: rowIndexArray, labels: labelArray, k: result.k, featureNames: result.featureNames });
  let noiseCount = 0;
  for (const l of labelArray) if (l === NOISE) noiseCount++;
  const registered = table.rowCount - result.rowCount;
  return {
    ...result,
    rowCount: table.rowCount,
    rowIndex: rowIndexArray,
    labels: labelArray,
    scatter: scatterOf(xKept, labelArray, result.options.seed, result.pca),
    metrics,
    noiseCount,
    // Names stay those of the fit, so a segment keeps its identity while customers arrive.
    segments: profiles.map((p, i) => ({ ...result.segments[i], ...p, name: result.segments[i]?.name ?? p.name })),
    notes: [...result.notes.filter((n) => !n.startsWith("Assigned without refitting")), `Assigned without refitting: ${registered.toLocaleString("en-US")} customer${registered === 1 ? "" : "s"} added since the fit.`]
  };
}

// server/store/datasets.ts
var rowTable = (datasetId) => `ds_${Math.trunc(datasetId)}`;
var columnIdent = (position) => `c${Math.trunc(position)}`;
function createDataset(db2, dataset) {
  const id = db2.transaction(() => {
    const info = db2.prepare("INSERT INTO datasets (name) VALUES (?)").run(dataset.name);
    const datasetId = Number(info.lastInsertRowid);
    const table = rowTable(datasetId);
    const columnDefs = dataset.columns.map((c, i) => `${columnIdent(i)} ${c.kind === "numeric" ? "REAL" : "TEXT"}`).join(", ");
    db2.exec(`CREATE TABLE ${table} (row_id INTEGER PRIMARY KEY, ${columnDefs})`);
    const placeholders = dataset.columns.map(() => "?").join(", ");
    const idents = dataset.columns.map((_, i) => columnIdent(i)).join(", ");
    const insert = db2.prepare(`INSERT INTO ${table} (${idents}) VALUES (${placeholders})`);
    const missing = new Array(dataset.columns.length).fill(0);
    let rowCount = 0;
    for (const row of dataset.rows) {
      for (let c = 0; c < row.length; c++) if (row[c] === null) missing[c]++;
      insert.run(row);
      rowCount++;
    }
    const insertColumn = db2.prepare(
      "INSERT INTO dataset_columns (dataset_id, position, name, kind, missing) VALUES (?, ?, ?, ?, ?)"
    );
    dataset.columns.forEach((c, i) => insertColumn.run(datasetId, i, c.name, c.kind, missing[i]));
    db2.prepare("UPDATE datasets SET row_count = ? WHERE id = ?").run(rowCount, datasetId);
    return datasetId;
  })();
  return getDataset(db2, id);
}
function columnsOf(db2, datasetId) {
  return db2.prepare("SELECT name, kind, missing FROM dataset_columns WHERE dataset_id = ? ORDER BY position").all(datasetId);
}
function toInfo(db2, row) {
  return {
    id: row.id,
    name: row.name,
    rowCount: row.row_count,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    columns: columnsOf(db2, row.id)
  };
}
function listDatasets(db2) {
  const rows = db2.prepare("SELECT * FROM datasets ORDER BY id").all();
  return rows.map((row) => toInfo(db2, row));
}
function findDataset(db2, id) {
  const row = db2.prepare("SELECT * FROM datasets WHERE id = ?").get(id);
  return row ? toInfo(db2, row) : void 0;
}
function getDataset(db2, id) {
  const info = findDataset(db2, id);
  if (!info) throw new NotFoundError(`There is no dataset with id ${id}.`);
  return info;
}
function datasetVersion(db2, id) {
  const row = db2.prepare("SELECT version, created_at AS createdAt, row_count AS rowCount FROM datasets WHERE id = ?").get(id);
  if (!row) throw new NotFoundError(`There is no dataset with id ${id}.`);
  return row;
}
var analysed = (kind) => kind === "numeric" || kind === "categorical";
function loadDataTable(db2, id, options = {}) {
  const info = getDataset(db2, id);
  const wanted = info.columns.map((c, position) => ({ ...c, position })).filter((c) => !options.analysisOnly || analysed(c.kind));
  const rowCount = options.rowCount ?? db2.prepare(`SELECT COUNT(*) AS n FROM ${rowTable(id)}`).get().n;
  const previous = options.previous;
  const base = previous && previous.rowCount <= rowCount && sameColumns(previous, wanted) ? previous : void 0;
  const from = base?.rowCount ?? 0;
  const numeric = wanted.map((col, c) => {
    if (col.kind !== "numeric") return void 0;
    const values = new Float64Array(rowCount);
    if (base) values.set(base.columns[c].values);
    return values;
  });
  const text = wanted.map((col, c) => {
    if (col.kind === "numeric") return void 0;
    const values = base ? base.columns[c].values.slice() : [];
    values.length = rowCount;
    return values.fill(null, from);
  });
  const levels = wanted.map((col, c) => {
    if (col.kind !== "categorical") return void 0;
    const seen = /* @__PURE__ */ new Map();
    for (let i = 0; i < from; i++) {
      const v = text[c][i];
      if (v !== null && !seen.has(v)) seen.set(v, v);
    }
    return seen;
  });
  let r = from;
  const idents = wanted.map((c) => columnIdent(c.position));
  const rows = db2.prepare(`SELECT ${idents.join(", ")} FROM ${rowTable(id)} ORDER BY row_id LIMIT ? OFFSET ?`).raw().iterate(rowCount - from, from);
  for (const row of rows) {
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      const values = numeric[c];
      if (values) values[r] = v === null ? Number.NaN : Number(v);
      else if (v !== null) {
        const s = String(v);
        const seen = levels[c];
        let kept = seen?.get(s);
        if (seen && kept === void 0) seen.set(s, kept = s);
        text[c][r] = kept ?? s;
      }
    }
    r++;
  }
  const columns = wanted.map((col, c) => col.kind === "numeric" ? { name: col.name, kind: "numeric", values: r === rowCount ? numeric[c] : numeric[c].subarray(0, r) } : { name: col.name, kind: col.kind, values: r === rowCount ? text[c] : text[c].slice(0, r) });
  const omitted = info.columns.filter((c) => !wanted.some((w) => w.name === c.name)).map((c) => ({ name: c.name, kind: c.kind }));
  return omitted.length > 0 ? { rowCount: r, columns, omitted } : { rowCount: r, columns };
}
function iterateRows(db2, id, rowCount) {
  const info = getDataset(db2, id);
  const idents = info.columns.map((_, i) => columnIdent(i));
  return db2.prepare(`SELECT ${idents.join(", ")} FROM ${rowTable(id)} ORDER BY row_id LIMIT ?`).raw().iterate(rowCount);
}
function sameColumns(table, columns) {
  return table.columns.length === columns.length && table.columns.every((c, i) => c.name === columns[i].name && c.kind === columns[i].kind);
}
function pageRows(db2, id, options) {
  const info = getDataset(db2, id);
  const idents = info.columns.map((_, i) => columnIdent(i));
  let order = "row_id";
  if (options.sortColumn !== void 0) {
    if (!Number.isInteger(options.sortColumn) || options.sortColumn < 0 || options.sortColumn >= idents.length) {
      throw new NotFoundError(`There is no column number ${options.sortColumn} to sort by.`);
    }
    const ident = columnIdent(options.sortColumn);
    order = `${ident} IS NULL, ${ident} ${options.descending ? "DESC" : "ASC"}, row_id`;
  }
  const rows = db2.prepare(`SELECT ${idents.join(", ")} FROM ${rowTable(id)} ORDER BY ${order} LIMIT ? OFFSET ?`).raw().all(options.limit, options.offset);
  return { rows, total: info.rowCount };
}
function renameDataset(db2, id, name) {
  getDataset(db2, id);
  db2.prepare("UPDATE datasets SET name = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?").run(name, id);
  return getDataset(db2, id);
}
function deleteDataset(db2, id) {
  getDataset(db2, id);
  db2.transaction(() => {
    db2.exec(`DROP TABLE IF EXISTS ${rowTable(id)}`);
    db2.prepare("DELETE FROM dataset_columns WHERE dataset_id = ?").run(id);
    db2.prepare("DELETE FROM datasets WHERE id = ?").run(id);
  })();
}

// server/engine/lru.ts
var LruCache = class {
  constructor(capacity, limits = void 0) {
    this.capacity = capacity;
    this.limits = limits;
  }
  capacity;
  limits;
  entries = /* @__PURE__ */ new Map();
  totalWeight = 0;
  get(key) {
    const entry = this.entries.get(key);
    if (entry !== void 0) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry?.value;
  }
  set(key, value) {
    this.delete(key);
    const weight = this.limits?.weigh(value) ?? 0;
    this.entries.set(key, { value, weight });
    this.totalWeight += weight;
    while (this.entries.size > 1 && (this.entries.size > this.capacity || this.limits && this.totalWeight > this.limits.maxWeight)) {
      this.delete(this.entries.keys().next().value);
    }
  }
  delete(key) {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.totalWeight -= entry.weight;
    this.entries.delete(key);
  }
  /** Gets the value, computing and storing it on a miss. */
  getOrCompute(key, compute) {
    const hit = this.get(key);
    if (hit !== void 0) return hit;
    const value = compute();
    this.set(key, value);
    return value;
  }
  get size() {
    return this.entries.size;
  }
  get weight() {
    return this.totalWeight;
  }
  clear() {
    this.entries.clear();
    this.totalWeight = 0;
  }
};

// server/analysis/drift.ts
var PSI_LIMIT = 0.25;
var MEAN_SHIFT_LIMIT = 0.5;
var MIX_CHANGE_LIMIT = 0.1;
var MIN_NEW_CUSTOMERS = 30;
function binShares(values, edges) {
  const counts = new Array(edges.length + 1).fill(0);
  for (const v of values) {
    let b = 0;
    while (b < edges.length && v > edges[b]) b++;
    counts[b]++;
  }
  return counts.map((c) => values.length ? c / values.length : 0);
}
function featureBaseline(feature, values) {
  const present = presentValues(values);
  const sorted = sortedCopy(present);
  const edges = [...new Set(Array.from({ length: 9 }, (_, i) => quantileSorted(sorted, (i + 1) / 10)))];
  const m = mean(present);
  return { feature, mean: m, sd: populationSd(present, m), edges, shares: binShares(present, edges) };
}
function psi(expected, actual) {
  const floor = 1e-4;
  return expected.reduce((sum, e, i) => {
    const a = Math.max(actual[i], floor);
    const x = Math.max(e, floor);
    return sum + (a - x) * Math.log(a / x);
  }, 0);
}
function driftReport(baseline, newValues, newLabels) {
  const features = baseline.features.map((b) => {
    const present = presentValues(newValues.get(b.feature) ?? new Float64Array());
    if (present.length === 0) return { feature: b.feature, meanShiftSd: 0, psi: 0 };
    return {
      feature: b.feature,
      meanShiftSd: b.sd > 0 ? (mean(present) - b.mean) / b.sd : 0,
      psi: psi(b.shares, binShares(present, b.edges))
    };
  });
  const counts = new Array(baseline.segmentShares.length).fill(0);
  let assigned = 0;
  for (const l of newLabels) {
    if (l >= 0 && l < counts.length) {
      counts[l]++;
      assigned++;
    }
  }
  const segmentShares = baseline.segmentShares.map((before, segment2) => ({ segment: segment2, before, after: assigned ? counts[segment2] / assigned : 0 }));
  const mixChange = assigned ? segmentShares.reduce((s, x) => s + Math.abs(x.after - x.before), 0) / 2 : 0;
  const reasons = [];
  const enough = newLabels.length >= MIN_NEW_CUSTOMERS;
  if (enough) {
    for (const f of features) {
      if (f.psi > PSI_LIMIT) reasons.push(`${f.feature}: population stability index ${f.psi.toFixed(2)} > ${PSI_LIMIT}`);
      else if (Math.abs(f.meanShiftSd) > MEAN_SHIFT_LIMIT) reasons.push(`${f.feature}: mean moved ${f.meanShiftSd.toFixed(2)} SD`);
    }
    if (mixChange > MIX_CHANGE_LIMIT) reasons.push(`segment mix changed by ${(mixChange * 100).toFixed(0)}%`);
  }
  return { newCustomers: newLabels.length, features, segmentShares, mixChange, retrainRecommended: reasons.length > 0, reasons };
}

// server/analysis/hungarian.ts
function hungarian(cost) {
  const n = cost.length;
  const u = new Array(n + 1).fill(0);
  const v = new Array(n + 1).fill(0);
  const match = new Array(n + 1).fill(0);
  const way = new Array(n + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    match[0] = i;
    let j0 = 0;
    const minv = new Array(n + 1).fill(Infinity);
    const used = new Array(n + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = match[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[match[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (match[j0] !== 0);
    do {
      const j1 = way[j0];
      match[j0] = match[j1];
      j0 = j1;
    } while (j0);
  }
  const assignment = new Array(n).fill(-1);
  for (let j = 1; j <= n; j++) if (match[j] > 0) assignment[match[j] - 1] = j - 1;
  return assignment;
}

// server/analysis/retrain.ts
function translateCentroid(centroid, from, to) {
  const original = /* @__PURE__ */ new Map();
  from.numeric.forEach((s, j) => original.set(s.name, s.center + s.scale * centroid[j]));
  let offset = from.numeric.length;
  for (const s of from.categorical) {
    s.levels.forEach((level, l) => original.set(`${s.name}=${level}`, centroid[offset + l] / s.weight));
    offset += s.levels.length;
  }
  const out = new Float64Array(to.outputNames.length);
  to.numeric.forEach((s, j) => out[j] = ((original.get(s.name) ?? s.center) - s.center) / s.scale);
  offset = to.numeric.length;
  for (const s of to.categorical) {
    s.levels.forEach((level, l) => out[offset + l] = (original.get(`${s.name}=${level}`) ?? 0) * s.weight);
    offset += s.levels.length;
  }
  return out;
}
function renumber(result, newToOld, names) {
  const k = newToOld.length;
  const map = (l) => l < 0 ? l : newToOld[l];
  const centroids = new Array(k);
  result.pipeline.centroids.forEach((c, j) => centroids[newToOld[j]] = c);
  const segments = new Array(k);
  result.segments.forEach((s, j) => segments[newToOld[j]] = { ...s, id: newToOld[j], name: names[newToOld[j]] ?? s.name });
  return {
    ...result,
    labels: result.labels.map(map),
    segments,
    pipeline: {
      ...result.pipeline,
      centroids,
      segmentNames: segments.map((s) => s.name),
      dbscan: result.pipeline.dbscan ? { ...result.pipeline.dbscan, coreLabels: result.pipeline.dbscan.coreLabels.map(map) } : void 0
    }
  };
}
function retrain(table, old) {
  const options = old.options;
  const prepared = prepare(table, options);
  const x = prepared.prep.matrix;
  const warm = options.algorithm === "kmeans" ? (() => {
    const m = createMatrix(old.centroids.length, x.cols);
    old.centroids.forEach((c, i) => m.data.set(translateCentroid(c, old.preprocessor, prepared.prep.fitted), i * x.cols));
    return m;
  })() : void 0;
  const refit = segment(table, prepared, options, { warmStart: warm });
  const oldLabels = Int32Array.from(prepared.prep.rowIndex, (r) => {
    try {
      return predictCustomer(old, customerAt(table, r, refit.featureNames)).segment;
    } catch {
      return -1;
    }
  });
  const oldSilhouette = silhouetteScore(x, oldLabels, options.seed).value;
  const newSilhouette = refit.metrics.silhouette;
  if (refit.k !== old.centroids.length) {
    return { accepted: false, reason: `the refit found ${refit.k} segments instead of ${old.centroids.length}`, oldSilhouette, newSilhouette };
  }
  if (!(newSilhouette >= oldSilhouette - 1e-12)) {
    return { accepted: false, reason: `the refit's silhouette ${newSilhouette.toFixed(3)} is below the current model's ${oldSilhouette.toFixed(3)}`, oldSilhouette, newSilhouette };
  }
  const oldInNew = old.centroids.map((c) => translateCentroid(c, old.preprocessor, prepared.prep.fitted));
  const cost = refit.pipeline.centroids.map((n) => oldInNew.map((o) => n.reduce((s, v, d) => s + (v - o[d]) ** 2, 0)));
  const newToOld = hungarian(cost);
  return { accepted: true, reason: "the refit is at least as well separated", oldSilhouette, newSilhouette, result: renumber(refit, newToOld, old.segmentNames) };
}

// server/analysis/model-ops.ts
function assignAll(pipeline, table, from = 0) {
  const features = [...pipeline.preprocessor.numeric, ...pipeline.preprocessor.categorical].map((s) => s.name);
  return Int32Array.from({ length: Math.max(0, table.rowCount - from) }, (_, i) => {
    try {
      return predictCustomer(pipeline, customerAt(table, from + i, features)).segment;
    } catch {
      return -2;
    }
  });
}
function baselineFor(pipeline, table, labels) {
  const k = pipeline.centroids.length;
  const counts = new Array(k).fill(0);
  let assigned = 0;
  for (const l of labels) if (l >= 0) {
    counts[l]++;
    assigned++;
  }
  return {
    features: pipeline.preprocessor.numeric.map((s) => {
      const column = table.columns.find((c) => c.name === s.name);
      return featureBaseline(s.name, column?.kind === "numeric" ? column.values : new Float64Array());
    }),
    segmentShares: counts.map((c) => assigned ? c / assigned : 0),
    rowCount: table.rowCount
  };
}
function validateForDataset(pipeline, table) {
  const width = pipeline.preprocessor.outputNames.length;
  if (pipeline.centroids.length < 1 || pipeline.centroids.some((c) => !Array.isArray(c) || c.length !== width || c.some((v) => !Number.isFinite(v)))) {
    throw new InputError(`Every centroid needs ${width} finite numbers, one per transformed feature (${pipeline.preprocessor.outputNames.join(", ")}).`);
  }
  if (pipeline.segmentNames.length !== pipeline.centroids.length) throw new InputError("Give one segment name per centroid.");
  const columns = columnKinds(table);
  for (const step of pipeline.preprocessor.numeric) {
    const column = columns.find((c) => c.name === step.name);
    if (!column || column.kind !== "numeric") throw new InputError(`The model uses the numeric column "${step.name}", which this dataset does not have.`);
    if (!(step.scale > 0)) throw new InputError(`The scale of "${step.name}" must be positive.`);
  }
  for (const step of pipeline.preprocessor.categorical) {
    const column = columns.find((c) => c.name === step.name);
    if (!column || column.kind !== "categorical") throw new InputError(`The model uses the categorical column "${step.name}", which this dataset does not have.`);
  }
  if (!pipeline.pca?.components || pipeline.pca.components.length !== 2) {
    throw new InputError('The model needs a 2-D PCA projection ("pca": {"mean", "components", "explainedVarianceRatio"}).');
  }
}
function compareModels(table, a, b) {
  const la = assignAll(a.pipeline, table);
  const lb = assignAll(b.pipeline, table);
  const common = [];
  la.forEach((l, i) => l >= -1 && lb[i] >= -1 && common.push(i));
  const sizes = (labels, k) => {
    const out = new Array(k).fill(0);
    for (const l of labels) if (l >= 0) out[l]++;
    return out;
  };
  const numeric = a.pipeline.preprocessor.numeric.map((s) => s.name).filter((n) => b.pipeline.preprocessor.numeric.some((s) => s.name === n));
  const sd = new Map(numeric.map((n) => {
    const values = presentValues(table.columns.find((c) => c.name === n).values);
    return [n, populationSd(values, mean(values)) || 1];
  }));
  const centres = (m) => m.pipeline.centroids.map((c) => numeric.map((n) => {
    const j = m.pipeline.preprocessor.numeric.findIndex((s) => s.name === n);
    const step = m.pipeline.preprocessor.numeric[j];
    return (step.center + step.scale * c[j]) / sd.get(n);
  }));
  const ca = centres(a);
  const cb = centres(b);
  const size = Math.max(ca.length, cb.length);
  const cost = Array.from({ length: size }, (_, i) => Array.from({ length: size }, (_2, j) => i < ca.length && j < cb.length ? Math.sqrt(ca[i].reduce((s, v, d) => s + (v - cb[j][d]) ** 2, 0)) : 1e6));
  const match = hungarian(cost);
  const centroidShifts = match.flatMap((j, i) => i < ca.length && j < cb.length ? [{ a: i, b: j, aName: a.pipeline.segmentNames[i], bName: b.pipeline.segmentNames[j], distanceSd: cost[i][j] }] : []);
  return {
    a: { id: a.id, name: a.name, sizes: sizes(la, a.pipeline.centroids.length) },
    b: { id: b.id, name: b.name, sizes: sizes(lb, b.pipeline.centroids.length) },
    commonCustomers: common.length,
    adjustedRandIndex: common.length ? adjustedRandIndex(common.map((i) => la[i]), common.map((i) => lb[i])) : Number.NaN,
    centroidShifts
  };
}
function runTableTask(table, task) {
  switch (task.op) {
    case "baseline":
      return baselineFor(task.pipeline, table, assignAll(task.pipeline, table));
    case "import":
      validateForDataset(task.pipeline, table);
      return baselineFor(task.pipeline, table, assignAll(task.pipeline, table));
    case "compare":
      return compareModels(table, task.a, task.b);
    case "drift": {
      const from = Math.min(task.baseline.rowCount, table.rowCount);
      const newValues = new Map(task.baseline.features.map((f) => {
        const column = table.columns.find((c) => c.name === f.feature);
        return [f.feature, column?.kind === "numeric" ? column.values.slice(from) : new Float64Array()];
      }));
      return driftReport(task.baseline, newValues, assignAll(task.pipeline, table, from));
    }
    case "retrain": {
      const outcome = retrain(table, task.pipeline);
      const answer = { accepted: outcome.accepted, reason: outcome.reason };
      if (outcome.accepted && outcome.result) {
        const pipeline = outcome.result.pipeline;
        answer.refit = { pipeline, baseline: baselineFor(pipeline, table, assignAll(pipeline, table)) };
      }
      return answer;
    }
  }
}

// server/store/column-counts.ts
function textColumnCounts(db2, datasetId, position, rowCount, topLevels) {
  const rows = `(SELECT ${columnIdent(position)} AS v FROM ${rowTable(datasetId)} ORDER BY row_id LIMIT ?)`;
  const totals = db2.prepare(`SELECT COUNT(v) AS count, COUNT(DISTINCT v) AS distinct_count FROM ${rows}`).get(rowCount);
  const top = db2.prepare(`SELECT CAST(v AS TEXT) AS level, COUNT(*) AS count FROM ${rows} WHERE v IS NOT NULL GROUP BY v ORDER BY count DESC, v LIMIT ?`).all(rowCount, topLevels);
  return { count: totals.count, missing: rowCount - totals.count, distinct: totals.distinct_count, top };
}

// server/engine/tables.ts
var TABLE_CACHE_ROWS = 15e5;
var TableCache = class {
  tables = new LruCache(4, { maxWeight: TABLE_CACHE_ROWS, weigh: (t) => t.rowCount });
  /** The newest table per dataset, which the next version extends. */
  latest = new LruCache(4, { maxWeight: TABLE_CACHE_ROWS, weigh: (t) => t.table.rowCount });
  get(db2, source) {
    return this.tables.getOrCompute(source.version, () => {
      const key = String(source.datasetId);
      const last = this.latest.get(key);
      const previous = last?.identity === source.identity && last.table.rowCount <= source.rowCount ? last.table : void 0;
      const table = loadDataTable(db2, source.datasetId, { previous, rowCount: source.rowCount, analysisOnly: true });
      this.latest.set(key, { identity: source.identity, table });
      return table;
    });
  }
};

// server/engine/tasks.ts
var TOP_LEVELS = 12;
var TaskRunner = class {
  tables = new TableCache();
  /** A prepared matrix is as big as its table: about one of them on a million customers. */
  prepared = new LruCache(8, { maxWeight: TABLE_CACHE_ROWS, weigh: (p) => p.prep.matrix.rows });
  run(db2, task) {
    const table = this.tables.get(db2, task.source);
    switch (task.kind) {
      case "extend":
        return extendSegmentation(task.previous, table);
      case "table":
        return runTableTask(table, task.task);
      case "ranges":
        return featureRanges(table, table.columns.map((c) => c.name));
      case "overview":
        return withUnloadedColumns(db2, task.source, datasetOverview(table, task.outlierRule));
      case "segment":
      case "sweep": {
        const data = this.prepared.getOrCompute(`${task.source.version}|${preprocessKey(task.options)}`, () => prepare(table, task.options));
        if (task.kind === "sweep") return runSweep(data, task.options);
        return segment(table, data, task.options, { withoutSharedParts: task.omitShared });
      }
    }
  }
};
function withUnloadedColumns(db2, source, overview) {
  const loaded = new Map(overview.summaries.map((s) => [s.name, s]));
  const summaries = getDataset(db2, source.datasetId).columns.map((column, position) => {
    const summary = loaded.get(column.name);
    if (summary) return summary;
    return { name: column.name, kind: column.kind, ...textColumnCounts(db2, source.datasetId, position, source.rowCount, TOP_LEVELS) };
  });
  return { ...overview, summaries };
}

// server/engine/engine.ts
var RESULT_CACHE_ROWS = 4e6;
var byRows = { maxWeight: RESULT_CACHE_ROWS, weigh: (r) => r.labels.length };
function sameRows(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
var Engine = class {
  constructor(db2, settings = {}) {
    this.db = db2;
    this.settings = settings;
    this.local = settings.pool ? void 0 : new TaskRunner();
  }
  db;
  settings;
  overviews = new LruCache(8);
  ranges = new LruCache(8);
  /** The newest ranges per dataset: registrations check values against them without waiting. */
  latestRanges = new LruCache(8);
  sweeps = new LruCache(32);
  results = new LruCache(64, byRows);
  /** The newest fit per (dataset, params) whatever the version: registrations extend it. */
  latestFits = new LruCache(64, byRows);
  /**
   * One copy of what every k shares (the labelled rows) per dataset version and
   * preprocessing: results arriving from a worker are separate copies of it.
   */
  sharedParts = new LruCache(8);
  latestSweeps = new LruCache(32);
  /** Without a worker pool (tests, WORKERS=0) the work runs here, on the request thread. */
  local;
  /** Server-wide settings win over request params: they bound the work one request can ask for. */
  withSettings(params) {
    return this.settings.agglomerativeMaxRows ? { ...params, agglomerativeMaxRows: this.settings.agglomerativeMaxRows } : params;
  }
  /**
   * Cache keys of a dataset, read once per call: `identity` names the dataset across its
   * versions (with its creation time, because SQLite gives a new dataset the id of a deleted
   * one), `version` adds the version, so a changed dataset never reads stale results.
   */
  keysOf(datasetId) {
    const { version, createdAt, rowCount } = datasetVersion(this.db, datasetId);
    const identity = `${datasetId}#${createdAt}`;
    return { datasetId, identity, version: `${identity}@${version}`, rowCount };
  }
  /** Runs a task in the pool, or here without one. Tasks with the same key share one run. */
  async run(task, key, context = {}) {
    const pool2 = this.settings.pool;
    if (pool2) return pool2.run({ ...task, dbPath: this.db.name }, key, context);
    return this.local.run(this.db, task);
  }
  /** The Overview tab's statistics, once per dataset version and outlier rule. */
  async overview(datasetId, outlierRule, context = {}) {
    const source = this.keysOf(datasetId);
    const key = `${source.version}|overview|${outlierRule}`;
    const cached = this.overviews.get(key);
    if (cached) return cached;
    const overview = await this.run({ kind: "overview", source, outlierRule }, key, context);
    this.overviews.set(key, overview);
    return overview;
  }
  /**
   * Range, median and levels of every analysis column, once per version. `latest` accepts
   * those of an earlier version of the same dataset: registrations only need plausible
   * bounds, and each registration makes a new version.
   */
  async columnRanges(datasetId, options = {}) {
    const source = this.keysOf(datasetId);
    const key = `${source.version}|ranges`;
    const cached = this.ranges.get(key);
    if (cached) return cached;
    const last = this.latestRanges.get(String(datasetId));
    if (options.latest && last?.identity === source.identity) return last.ranges;
    const ranges = await this.run({ kind: "ranges", source }, key, options.context);
    this.ranges.set(key, ranges);
    this.latestRanges.set(String(datasetId), { identity: source.identity, ranges });
    return ranges;
  }
  async sweep(requested, context = {}) {
    const params = this.withSettings(requested);
    const keys = this.keysOf(params.datasetId);
    const key = `${keys.version}|${sweepKey(params)}`;
    const cached = this.sweeps.get(key);
    if (cached) return cached;
    const latestKey = `${keys.identity}|${sweepKey(params)}`;
    const previous = this.latestSweeps.get(latestKey);
    if (previous) {
      this.sweeps.set(key, previous);
      return previous;
    }
    const sweep = await this.run({ kind: "sweep", source: keys, options: params }, key, context);
    this.sweeps.set(key, sweep);
    this.latestSweeps.set(latestKey, sweep);
    return sweep;
  }
  async segment(requested, context = {}) {
    const params = this.withSettings(requested);
    const k = params.k ?? (params.algorithm === "dbscan" ? 2 : (await this.sweep(params, context)).recommendedK);
    const resolved = { ...params, k };
    const keys = this.keysOf(params.datasetId);
    const key = `${keys.version}|${JSON.stringify(resolved)}`;
    const cached = this.results.get(key);
    if (cached) return cached;
    const latestKey = `${keys.identity}|${JSON.stringify(resolved)}`;
    const previous = this.latestFits.get(latestKey);
    const partsKey = `${keys.version}|${preprocessKey(params)}`;
    let result;
    if (previous && previous.rowCount < keys.rowCount) {
      result = await this.run({ kind: "extend", source: keys, previous }, key, context);
    } else {
      const omitShared = this.settings.pool !== void 0 && this.sharedParts.get(partsKey) !== void 0;
      result = await this.run({ kind: "segment", source: keys, options: resolved, omitShared }, key, context);
      if (lacksSharedParts(result) && !this.sharedParts.get(partsKey)) {
        result = await this.run({ kind: "segment", source: keys, options: resolved }, `${key}|whole`, context);
      }
    }
    result = this.shareParts(partsKey, result);
    this.results.set(key, result);
    this.latestFits.set(latestKey, result);
    return result;
  }
  /** Callers that shared one worker run get one result object. */
  canonical = /* @__PURE__ */ new WeakMap();
  shareParts(key, result) {
    const known = this.canonical.get(result);
    if (known) return known;
    let out = result;
    const shared = this.sharedParts.get(key);
    if (shared && (lacksSharedParts(result) || shared.rowIndex.length === result.rowIndex.length && sameRows(shared.rowIndex, result.rowIndex))) {
      out = { ...result, rowIndex: shared.rowIndex };
    } else {
      this.sharedParts.set(key, { rowIndex: result.rowIndex });
    }
    this.canonical.set(result, out);
    return out;
  }
  tableTasks = 0;
  /** Table-wide work for saved segmentations (see model-ops.ts), where the data is. */
  async onTable(datasetId, task) {
    return this.run({ kind: "table", source: this.keysOf(datasetId), task }, `table-task|${++this.tableTasks}`);
  }
  /** Drops cached fits (the sweep and matrices stay): benchmarks time honest re-runs with it. */
  clearResults() {
    this.results.clear();
    this.latestFits.clear();
  }
  async predict(params, customer, context = {}) {
    const result = await this.segment(params, context);
    return { result, prediction: predictCustomer(result.pipeline, customer) };
  }
};

// server/store/db.ts
import Database from "better-sqlite3";
var MIGRATIONS = [
  `CREATE TABLE datasets (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL,
     row_count INTEGER NOT NULL DEFAULT 0,
     version INTEGER NOT NULL DEFAULT 1,
     created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
     updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
   );
   CREATE TABLE dataset_columns (
     dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
     position INTEGER NOT NULL,
     name TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('numeric', 'categorical', 'id', 'date')),
     missing INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (dataset_id, position),
     UNIQUE (dataset_id, name)
   );`,
  `CREATE TABLE customer_segments (
     dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
     row_id INTEGER NOT NULL,
     segment INTEGER NOT NULL,
     segment_name TEXT NOT NULL,
     model TEXT NOT NULL,
     assigned_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
     PRIMARY KEY (dataset_id, row_id)
   );`,
  `CREATE TABLE saved_models (
     id INTEGER PRIMARY KEY,
     dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     pipeline TEXT NOT NULL,
     baseline TEXT NOT NULL,
     source TEXT NOT NULL CHECK (source IN ('fitted', 'imported')),
     active INTEGER NOT NULL DEFAULT 0,
     refits INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
     fitted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
     UNIQUE (dataset_id, name)
   );
   CREATE UNIQUE INDEX one_active_model ON saved_models (dataset_id) WHERE active = 1;`
];
function openDatabase(path) {
  const db2 = new Database(path);
  try {
    db2.pragma("busy_timeout = 5000");
    db2.pragma("journal_mode = WAL");
    db2.pragma("foreign_keys = ON");
    migrate(db2);
  } catch (error) {
    db2.close();
    throw error;
  }
  return db2;
}
function describeOpenError(error, path) {
  const code = error.code ?? "";
  if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) {
    return `The database file ${path} is damaged or is not a Customer Segments database. Restore it from a backup, or set DB_PATH to a new file to start afresh.`;
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return `The database file ${path} is locked by another process (is another dashboard or import running on it?). Stop that process, or set DB_PATH to another file.`;
  }
  if (code.startsWith("SQLITE_READONLY") || code === "SQLITE_CANTOPEN" || code === "SQLITE_PERM" || code === "SQLITE_AUTH") {
    return `The database file ${path} cannot be written (read-only file, folder or disk). The dashboard must be able to write there: fix the permissions, or set DB_PATH to a writable location.`;
  }
  return `The database file ${path} could not be opened: ${error.message}`;
}
function migrate(db2) {
  db2.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
  const applied = new Set(
    db2.prepare("SELECT version FROM schema_migrations").pluck().all()
  );
  MIGRATIONS.forEach((sql, index) => {
    const version = index + 1;
    if (applied.has(version)) return;
    db2.transaction(() => {
      db2.exec(sql);
      db2.prepare("INSERT INTO schema_migrations (version) VALUES (?)").run(version);
    })();
  });
}
function pingDatabase(db2) {
  db2.prepare("SELECT 1").get();
}

// server/web/api.ts
import { Router } from "express";

// server/ingest/stream-import.ts
import { stat } from "node:fs/promises";

// server/store/dataset-writer.ts
import Database2 from "better-sqlite3";
function openDatasetWriter(dbPath, name, columns) {
  const db2 = new Database2(dbPath);
  db2.pragma("busy_timeout = 10000");
  db2.pragma("foreign_keys = ON");
  const missing = new Array(columns.length).fill(0);
  let rowCount = 0;
  let open = true;
  db2.exec("BEGIN IMMEDIATE");
  try {
    const datasetId = Number(db2.prepare("INSERT INTO datasets (name) VALUES (?)").run(name).lastInsertRowid);
    const table = `ds_${Math.trunc(datasetId)}`;
    const defs = columns.map((c, i) => `c${i} ${c.kind === "numeric" ? "REAL" : "TEXT"}`).join(", ");
    db2.exec(`CREATE TABLE ${table} (row_id INTEGER PRIMARY KEY, ${defs})`);
    const insert = db2.prepare(`INSERT INTO ${table} (${columns.map((_, i) => `c${i}`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
    const close = () => {
      open = false;
      db2.close();
    };
    return {
      insert(row) {
        for (let c = 0; c < row.length; c++) if (row[c] === null) missing[c]++;
        insert.run(row);
        rowCount++;
      },
      commit() {
        const insertColumn = db2.prepare("INSERT INTO dataset_columns (dataset_id, position, name, kind, missing) VALUES (?, ?, ?, ?, ?)");
        columns.forEach((c, i) => insertColumn.run(datasetId, i, c.name, c.kind, missing[i]));
        db2.prepare("UPDATE datasets SET row_count = ? WHERE id = ?").run(rowCount, datasetId);
        db2.exec("COMMIT");
        close();
        return datasetId;
      },
      rollback() {
        if (!open) return;
        if (db2.inTransaction) db2.exec("ROLLBACK");
        close();
      }
    };
  } catch (error) {
    if (db2.inTransaction) db2.exec("ROLLBACK");
    db2.close();
    throw error;
  }
}

// server/ingest/csv.ts
import { parse as parse2 } from "csv-parse/sync";

// server/ingest/records.ts
import { createReadStream } from "node:fs";
import { Transform } from "node:stream";
import { parse } from "csv-parse";
var Utf8Text = class extends Transform {
  decoder = new TextDecoder("utf-8", { fatal: true });
  constructor() {
    super({ readableObjectMode: false, decodeStrings: true });
  }
  _transform(chunk, _encoding, done) {
    if (chunk.includes(0)) {
      done(new InputError("The file looks binary (it contains NUL bytes); upload a CSV text file."));
      return;
    }
    try {
      done(null, this.decoder.decode(chunk, { stream: true }));
    } catch {
      done(new InputError('The file is not UTF-8 text; save it as "CSV UTF-8" and try again.'));
    }
  }
  _flush(done) {
    try {
      done(null, this.decoder.decode());
    } catch {
      done(new InputError('The file is not UTF-8 text; save it as "CSV UTF-8" and try again.'));
    }
  }
};
function describeParseError(error) {
  if (error instanceof InputError) return error;
  const err = error;
  switch (err.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return new InputError(`A quoted field is never closed (it starts near line ${err.lines ?? "?"}); add the closing quote.`);
    case "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH":
      return new InputError(`Line ${err.lines ?? "?"} has a different number of fields than the header; every row needs one value per column.`);
    case "CSV_INVALID_CLOSING_QUOTE":
    case "INVALID_OPENING_QUOTE":
      return new InputError(`Line ${err.lines ?? "?"} has a quote in the middle of a field; quote the whole field and double any quote inside it.`);
    default:
      return new InputError(`The file is not valid CSV: ${err.message ?? String(error)}`);
  }
}
async function* readRecords(path, delimiter) {
  const parser = createReadStream(path).pipe(new Utf8Text());
  const records = parser.pipe(parse({ delimiter, bom: true, skip_empty_lines: true, relax_column_count: false }));
  parser.on("error", (error) => records.destroy(error));
  try {
    for await (const record of records) yield record;
  } catch (error) {
    throw describeParseError(error);
  } finally {
    records.destroy();
  }
}
async function readHead(path, bytes = 64 * 1024) {
  const chunks = [];
  let size = 0;
  for await (const chunk of createReadStream(path, { start: 0, end: bytes - 1 })) {
    chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

// server/ingest/csv.ts
var DELIMITERS = [",", ";", "	"];
function detectDelimiter(text) {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? "";
  let best = ",";
  let bestCount = 0;
  for (const delimiter of DELIMITERS) {
    let count = 0;
    let inQuotes = false;
    for (const ch of firstLine) {
      if (ch === '"') inQuotes = !inQuotes;
      else if (ch === delimiter && !inQuotes) count++;
    }
    if (count > bestCount) {
      best = delimiter;
      bestCount = count;
    }
  }
  return best;
}

// server/ingest/values.ts
var MISSING_MARKERS = /* @__PURE__ */ new Set(["", "na", "n/a", "nan", "null", "none", "-", "?", "#n/a", "missing"]);
function isMissing(raw) {
  if (raw === "") return true;
  const first = raw.charCodeAt(0);
  if (first >= 48 && first <= 57 || raw.length > 12) return false;
  return MISSING_MARKERS.has(raw.trim().toLowerCase());
}
var PLAIN_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
var NUMBER_DECORATION = /^[\s$€£¥]*(usd|eur|gbp)?\s*|\s*(usd|eur|gbp|%)?\s*$/gi;
function parseNumber(raw) {
  if (PLAIN_NUMBER.test(raw)) return Number(raw);
  let text = raw.trim();
  if (text === "") return Number.NaN;
  let negative = false;
  if (/^\(.*\)$/.test(text)) {
    negative = true;
    text = text.slice(1, -1);
  }
  text = text.replace(NUMBER_DECORATION, "");
  if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) text = text.replace(/,/g, "");
  else if (/^[-+]?\d{1,3}( \d{3})+(\.\d+)?$/.test(text)) text = text.replace(/ /g, "");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return Number.NaN;
  const value = Number(text);
  return negative ? -value : value;
}
var ISO_DATE = /^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
var DAY_MONTH_YEAR = /^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}( \d{1,2}:\d{2}(:\d{2})?)?$/;
function looksLikeDate(raw) {
  const text = raw.trim();
  return ISO_DATE.test(text) || DAY_MONTH_YEAR.test(text);
}

// server/ingest/infer.ts
var ID_NAME = /(^|[_\s-])(id|key|code|number|no)$|^id$|id$/i;
var MAX_CODE_LEVELS = 5;
var MIN_ROWS_FOR_CODES = 50;
function inferColumnKind(name, values) {
  const present = values.filter((v) => !isMissing(v));
  if (present.length === 0) return "categorical";
  const numbers = present.map(parseNumber);
  const allNumeric = numbers.every((n) => Number.isFinite(n));
  const distinct = new Set(present.map((v) => v.trim())).size;
  const unique = distinct === present.length && present.length === values.length;
  if (unique && ID_NAME.test(name.trim()) && present.length > 1) return "id";
  if (allNumeric) {
    const integers = numbers.every((n) => Number.isInteger(n));
    if (integers && distinct <= MAX_CODE_LEVELS && values.length >= MIN_ROWS_FOR_CODES) return "categorical";
    return "numeric";
  }
  if (present.every(looksLikeDate)) return "date";
  if (unique && present.length >= MIN_ROWS_FOR_CODES) return "id";
  return "categorical";
}

// server/ingest/transactions.ts
var find = (header, pattern, exclude = []) => header.findIndex((h, i) => pattern.test(h) && !exclude.includes(i));
function detectTransactionColumns(header, kinds) {
  const customer = find(header, /customer.?id|client.?id|^customer$|^client$|member.?id/i);
  let date = kinds.findIndex((k, i) => k === "date" && /date|time/i.test(header[i]));
  if (date < 0) date = kinds.indexOf("date");
  if (customer < 0 || date < 0) return null;
  const invoice = find(header, /invoice|order.?(id|no|number)|transaction.?id|receipt/i, [customer]);
  const numericAt = (i) => i >= 0 && kinds[i] === "numeric" ? i : -1;
  const quantity = numericAt(find(header, /quantity|qty|units/i));
  const unitPrice = numericAt(find(header, /unit.?price|price/i));
  const amount = numericAt(find(header, /amount|total|revenue|sales|spend|value/i, [customer, date]));
  if (amount < 0 && (quantity < 0 || unitPrice < 0)) return null;
  return {
    customer,
    date,
    invoice: invoice >= 0 ? invoice : void 0,
    amount: amount >= 0 ? amount : void 0,
    quantity: quantity >= 0 ? quantity : void 0,
    unitPrice: unitPrice >= 0 ? unitPrice : void 0
  };
}
var DAY_MS = 864e5;
function parseDate(text, dayFirst) {
  const t = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?/.exec(t);
  if (iso) return Date.UTC(+iso[1], +iso[2] - 1, +iso[3], +(iso[4] ?? 0), +(iso[5] ?? 0), +(iso[6] ?? 0));
  const dmy = /^(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  if (dmy) {
    const year = dmy[3].length === 2 ? 2e3 + Number(dmy[3]) : Number(dmy[3]);
    const [day, month] = dayFirst ? [+dmy[1], +dmy[2]] : [+dmy[2], +dmy[1]];
    if (month < 1 || month > 12 || day < 1 || day > 31) return Number.NaN;
    return Date.UTC(year, month - 1, day, +(dmy[4] ?? 0), +(dmy[5] ?? 0), +(dmy[6] ?? 0));
  }
  return Number.NaN;
}
function guessDayFirst(dates) {
  return dates.some((d) => {
    const m = /^(\d{1,2})[/.](\d{1,2})[/.]/.exec(d.trim());
    return m !== null && Number(m[1]) > 12;
  });
}
function quintileScores(values, higherIsBetter) {
  const order = values.map((v, i) => i).sort((a, b) => values[a] - values[b] || a - b);
  const scores = new Array(values.length);
  order.forEach((index, rank) => {
    const quintile = Math.min(4, Math.floor(rank * 5 / values.length)) + 1;
    scores[index] = higherIsBetter ? quintile : 6 - quintile;
  });
  return scores;
}
function rfmGroup(r, f) {
  if (r >= 5 && f >= 4) return "Champions";
  if (r >= 3 && f >= 4) return "Loyal";
  if (r <= 2 && f >= 5) return "Can't Lose Them";
  if (r <= 2 && f >= 3) return "At Risk";
  if (r <= 2) return "Hibernating";
  if (r === 3 && f <= 2) return "About to Sleep";
  if (r === 3) return "Need Attention";
  if (r === 4 && f === 1) return "Promising";
  if (r === 5 && f === 1) return "New Customers";
  return "Potential Loyalists";
}
async function deriveCustomers(records, columns, dayFirst, firstLine) {
  const totals = /* @__PURE__ */ new Map();
  const report = { transactions: 0, cancellations: 0, negativeQuantities: 0, missingCustomer: 0 };
  let maxDate = -Infinity;
  let line = firstLine;
  for await (const record of records) {
    const current = line++;
    report.transactions++;
    const customer = record[columns.customer]?.trim() ?? "";
    if (isMissing(customer)) {
      report.missingCustomer++;
      continue;
    }
    const when = parseDate(record[columns.date] ?? "", dayFirst);
    if (!Number.isFinite(when)) throw new InputError(`Row ${current} has the date "${String(record[columns.date]).slice(0, 30)}", which is not a date (use YYYY-MM-DD or D/M/YYYY).`);
    const invoice = columns.invoice !== void 0 ? record[columns.invoice].trim() : `${customer}@${when}`;
    if (/^c/i.test(invoice)) {
      report.cancellations++;
      continue;
    }
    let value;
    if (columns.amount !== void 0) value = parseNumber(record[columns.amount]);
    else {
      const quantity = parseNumber(record[columns.quantity]);
      if (quantity < 0) {
        report.negativeQuantities++;
        continue;
      }
      value = quantity * parseNumber(record[columns.unitPrice]);
    }
    if (!Number.isFinite(value)) throw new InputError(`Row ${current} has no amount that reads as a number.`);
    if (value < 0) {
      report.negativeQuantities++;
      continue;
    }
    if (when > maxDate) maxDate = when;
    const t = totals.get(customer);
    if (t) {
      if (when < t.first) t.first = when;
      if (when > t.last) t.last = when;
      t.invoices.add(invoice);
      t.lines++;
      t.monetary += value;
    } else {
      totals.set(customer, { first: when, last: when, invoices: /* @__PURE__ */ new Set([invoice]), lines: 1, monetary: value });
    }
  }
  if (totals.size < 2) throw new InputError("Fewer than two customers have valid purchases; the log cannot be segmented.");
  const ids = [...totals.keys()];
  const recency = ids.map((id) => Math.round((maxDate - totals.get(id).last) / DAY_MS));
  const frequency = ids.map((id) => totals.get(id).invoices.size);
  const monetary = ids.map((id) => Math.round(totals.get(id).monetary * 100) / 100);
  const r = quintileScores(recency, false);
  const f = quintileScores(frequency, true);
  const m = quintileScores(monetary, true);
  const rows = ids.map((id, i) => {
    const t = totals.get(id);
    return [id, recency[i], frequency[i], monetary[i], Math.round((t.last - t.first) / DAY_MS), Math.round(monetary[i] / frequency[i] * 100) / 100, r[i], f[i], m[i], rfmGroup(r[i], f[i])];
  });
  return {
    columns: [
      { name: "customer_id", kind: "id" },
      { name: "recency_days", kind: "numeric" },
      { name: "frequency", kind: "numeric" },
      { name: "monetary", kind: "numeric" },
      { name: "tenure_days", kind: "numeric" },
      { name: "average_order_value", kind: "numeric" },
      { name: "r_score", kind: "numeric" },
      { name: "f_score", kind: "numeric" },
      { name: "m_score", kind: "numeric" },
      { name: "rfm_segment", kind: "categorical" }
    ],
    rows,
    report: { ...report, customers: totals.size, referenceDate: new Date(maxDate).toISOString().slice(0, 10) }
  };
}

// server/ingest/stream-import.ts
var SAMPLE_ROWS = 5e3;
var DEFAULT_MAX_BYTES = 2e8;
function validateColumnName(name, position) {
  if (name === "") throw new InputError(`Column ${position + 1} has an empty header name; give every column a name.`);
  if (name.length > 200) throw new InputError(`The name of column ${position + 1} is ${name.length} characters long; keep column names under 200 characters.`);
  if (/[<>]/.test(name)) throw new InputError(`The column name "${name.slice(0, 60)}" contains < or >, which look like HTML; rename the column.`);
  if (/;|--|\/\*|\*\//.test(name)) throw new InputError(`The column name "${name.slice(0, 60)}" contains ; -- or /*, which look like SQL; rename the column.`);
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new InputError(`The name of column ${position + 1} contains control characters; rename the column.`);
}
function checkHeader(header) {
  header.forEach((name, i) => validateColumnName(name, i));
  const seen = /* @__PURE__ */ new Set();
  for (const name of header) {
    if (seen.has(name)) throw new InputError(`The header names the column "${name.slice(0, 60)}" twice; column names must be unique.`);
    seen.add(name);
  }
}
var CODE_NAME = /id\b|id$|code|invoice|number|\bno\b|sku|zip|postal|phone|ref/i;
function checkMixed(name, values, firstLine) {
  if (CODE_NAME.test(name)) return;
  let numbers = 0;
  let present = 0;
  let firstText = -1;
  values.forEach((v, i) => {
    if (isMissing(v)) return;
    present++;
    if (Number.isFinite(parseNumber(v))) numbers++;
    else if (firstText < 0) firstText = i;
  });
  if (present > 0 && firstText >= 0 && numbers / present >= 0.8) {
    throw new InputError(
      `Column "${name.slice(0, 60)}" holds numbers, but row ${firstLine + firstText} holds "${values[firstText].slice(0, 40)}"; fix that value, leave it empty, or import the column as categorical.`
    );
  }
}
async function readPlan(path, options, records) {
  const first = await records.next();
  if (first.done) throw new InputError("The file is empty; it needs a header row and at least one customer.");
  const firstRow = first.value.map((v) => v.trim());
  const hasHeader = options.hasHeader ?? !firstRow.every((v) => Number.isFinite(parseNumber(v)));
  const header = hasHeader ? firstRow : firstRow.map((_, i) => `column ${i + 1}`);
  checkHeader(header);
  const sample = hasHeader ? [] : [first.value];
  while (sample.length < SAMPLE_ROWS) {
    const next = await records.next();
    if (next.done) break;
    sample.push(next.value);
  }
  if (sample.length === 0) throw new InputError("The file has a header but no rows; add at least one customer.");
  const firstDataLine = hasHeader ? 2 : 1;
  const kinds = header.map((name, c) => {
    const override = options.kinds?.[name];
    if (override) return override;
    const values = sample.map((r) => r[c]);
    const kind = inferColumnKind(name, values);
    if (kind === "categorical") checkMixed(name, values, firstDataLine);
    return kind;
  });
  return { delimiter: options.delimiter, hasHeader, header, kinds, sample, transactions: detectTransactionColumns(header, kinds) };
}
async function openRecords(path, options) {
  const { size } = await stat(path);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (size > maxBytes) {
    throw new InputError(`The file is ${(size / 1e6).toFixed(1)} MB; the limit is ${(maxBytes / 1e6).toFixed(0)} MB. Split it or raise MAX_UPLOAD_MB.`, { status: 413 });
  }
  if (size === 0) throw new InputError("The file is empty; it needs a header row and at least one customer.");
  const delimiter = options.delimiter ?? detectDelimiter((await readHead(path)).replace(/^\uFEFF/, ""));
  return { delimiter, records: readRecords(path, delimiter) };
}
async function previewCsv(path, options = {}) {
  const { delimiter, records } = await openRecords(path, options);
  try {
    return await readPlan(path, { ...options, delimiter }, records);
  } finally {
    await records.return(void 0);
  }
}
function convertRecord(record, kinds, header, line) {
  const row = new Array(record.length);
  for (let c = 0; c < record.length; c++) {
    const raw = record[c];
    if (isMissing(raw)) row[c] = null;
    else if (kinds[c] !== "numeric") row[c] = raw.trim();
    else {
      const value = parseNumber(raw);
      if (!Number.isFinite(value)) {
        throw new InputError(`Column "${header[c].slice(0, 60)}" is numeric but row ${line} holds "${raw.slice(0, 40)}"; fix the value, leave it empty, or import the column as categorical.`);
      }
      row[c] = value;
    }
  }
  return row;
}
async function importCsvFile(db2, path, options) {
  const name = options.name.trim();
  if (name === "") throw new InputError("Give the dataset a name.", { field: "name" });
  if (name.length > 200) throw new InputError("Keep the dataset name under 200 characters.", { field: "name" });
  const { delimiter, records } = await openRecords(path, options);
  try {
    const plan = await readPlan(path, { ...options, delimiter }, records);
    if (!plan.kinds.includes("numeric")) {
      throw new InputError("No column holds numbers; segmentation needs at least one numeric column.");
    }
    const writer = openDatasetWriter(db2.name, name, plan.header.map((column, c) => ({ name: column, kind: plan.kinds[c] })));
    try {
      let line = plan.hasHeader ? 2 : 1;
      for (const record of plan.sample) writer.insert(convertRecord(record, plan.kinds, plan.header, line++));
      for await (const record of records) writer.insert(convertRecord(record, plan.kinds, plan.header, line++));
      return getDataset(db2, writer.commit());
    } catch (error) {
      writer.rollback();
      throw error;
    }
  } finally {
    await records.return(void 0);
  }
}
async function* concat(first, rest) {
  yield* first;
  yield* rest;
}
async function importTransactionsFile(db2, path, options) {
  const name = options.name.trim();
  if (name === "") throw new InputError("Give the dataset a name.", { field: "name" });
  const { delimiter, records } = await openRecords(path, options);
  try {
    const plan = await readPlan(path, { ...options, delimiter }, records);
    if (!plan.transactions) {
      throw new InputError("This file does not look like a transaction log: it needs a customer id, a date, and an amount or a quantity and unit price.");
    }
    const dayFirst = guessDayFirst(plan.sample.map((r) => r[plan.transactions.date]));
    const derived = await deriveCustomers(concat(plan.sample, records), plan.transactions, dayFirst, plan.hasHeader ? 2 : 1);
    return { dataset: createDataset(db2, { name, columns: derived.columns, rows: derived.rows }), report: derived.report };
  } finally {
    await records.return(void 0);
  }
}

// server/web/import-options.ts
import { z } from "zod";
var DELIMITERS2 = { ",": ",", comma: ",", ";": ";", semicolon: ";", "	": "	", tab: "	" };
var KINDS = ["numeric", "categorical", "id", "date"];
var KIND_PREFIX = "kind:";
var flag = z.enum(["true", "false", "on", "1", "0"]).transform((v) => v === "true" || v === "on" || v === "1");
function parseImportChoices(fields) {
  const single2 = (key) => {
    const v = fields[key];
    if (Array.isArray(v)) throw new InputError(`The field "${key}" is given more than once.`, { field: key });
    return typeof v === "string" && v !== "" ? v : void 0;
  };
  const choices = { rfm: false };
  const name = single2("name");
  if (name !== void 0) choices.name = name;
  const delimiter = single2("delimiter");
  if (delimiter !== void 0) {
    if (!(delimiter in DELIMITERS2)) throw new InputError("delimiter must be comma, semicolon or tab.", { field: "delimiter" });
    choices.delimiter = DELIMITERS2[delimiter];
  }
  for (const key of ["hasHeader", "rfm"]) {
    const raw = single2(key);
    if (raw === void 0) continue;
    const parsed = flag.safeParse(raw);
    if (!parsed.success) throw new InputError(`${key} must be true or false.`, { field: key });
    if (key === "rfm") choices.rfm = parsed.data;
    else choices.hasHeader = parsed.data;
  }
  const kinds = {};
  for (const [key, value] of Object.entries(fields)) {
    if (!key.startsWith(KIND_PREFIX)) continue;
    if (typeof value !== "string" || !KINDS.includes(value)) {
      throw new InputError(`The kind of "${key.slice(KIND_PREFIX.length).slice(0, 60)}" must be one of ${KINDS.join(", ")}.`, { field: key });
    }
    kinds[key.slice(KIND_PREFIX.length)] = value;
  }
  if (Object.keys(kinds).length) choices.kinds = kinds;
  return choices;
}
function delimiterName(delimiter) {
  return delimiter === "," ? "comma" : delimiter === ";" ? "semicolon" : "tab";
}

// server/web/uploads.ts
import { createWriteStream } from "node:fs";
import multer from "multer";
function tooLarge(maxBytes) {
  return new InputError(`The file is larger than the ${(maxBytes / 1e6).toFixed(0)} MB limit; split it or raise MAX_UPLOAD_MB.`, { status: 413 });
}
function multipartUpload(staging, maxBytes) {
  const upload = multer({
    storage: multer.diskStorage({
      destination: staging.dir,
      filename: (req, _file, done) => {
        const token = staging.newToken();
        req.staged = { token, path: staging.path(token) };
        done(null, `${token}.csv`);
      }
    }),
    limits: { fileSize: maxBytes, files: 1, fields: 50 }
  }).single("file");
  return (req, res, next) => {
    upload(req, res, (error) => {
      if (error instanceof multer.MulterError) {
        if (req.staged) staging.discard(req.staged.token);
        next(error.code === "LIMIT_FILE_SIZE" ? tooLarge(maxBytes) : new InputError(`The upload was not understood: ${error.message}; send the CSV in the field "file".`));
        return;
      }
      if (error) {
        next(error);
        return;
      }
      if (req.staged && req.file) req.staged.originalName = req.file.originalname;
      next();
    });
  };
}
function stageRawBody(req, staging, maxBytes) {
  const token = staging.newToken();
  const path = staging.path(token);
  return new Promise((resolve, reject) => {
    let size = 0;
    const out = createWriteStream(path);
    const fail = (error) => {
      out.destroy();
      staging.discard(token);
      reject(error);
    };
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.unpipe(out);
        req.resume();
        fail(tooLarge(maxBytes));
      }
    });
    req.on("error", fail);
    out.on("error", fail);
    out.on("finish", () => {
      if (size <= maxBytes) resolve({ token, path });
    });
    req.pipe(out);
  });
}

// server/web/params.ts
import { z as z2 } from "zod";
var LIMITS = { kMax: 20, features: 50, seedMax: 2 ** 31 - 1, nInit: 50, batchSize: 1e5, iterations: 1e4 };
var wholeNumber = (name, min, max) => z2.coerce.number({ error: `${name} must be a number` }).int({ error: `${name} must be a whole number` }).min(min, { error: `${name} must be at least ${min}` }).max(max, { error: `${name} must be at most ${max}` });
var choice = (name, values) => z2.enum(values, { error: `${name} must be one of ${values.join(", ")}` });
var querySchema = z2.object({
  dataset: wholeNumber("dataset", 1, Number.MAX_SAFE_INTEGER).optional(),
  k: wholeNumber("k", 2, LIMITS.kMax).optional(),
  features: z2.string().max(2e4).optional(),
  algorithm: choice("algorithm", ALGORITHMS).optional(),
  scaling: choice("scaling", SCALING_METHODS).optional(),
  missing: choice("missing", MISSING_STRATEGIES).optional(),
  outliers: choice("outliers", OUTLIER_RULES).optional(),
  seed: wholeNumber("seed", 0, LIMITS.seedMax).optional(),
  eps: z2.coerce.number({ error: "eps must be a number" }).gt(0, { error: "eps must be greater than 0" }).max(1e3, { error: "eps must be at most 1000" }).optional(),
  minPts: wholeNumber("minPts", 1, 1e3).optional(),
  nInit: wholeNumber("nInit", 1, LIMITS.nInit).optional(),
  batchSize: wholeNumber("batchSize", 16, LIMITS.batchSize).optional(),
  iterations: wholeNumber("iterations", 1, LIMITS.iterations).optional(),
  kMin: wholeNumber("kMin", 2, LIMITS.kMax).optional(),
  kMax: wholeNumber("kMax", 2, LIMITS.kMax).optional()
});
var PARAM_NAMES = Object.keys(querySchema.shape);
function resolveDataset(db2, id) {
  if (id !== void 0) return getDataset(db2, id);
  const first = listDatasets(db2)[0];
  if (!first) throw new InputError("There are no datasets yet; import a CSV first.", { status: 404 });
  return first;
}
function defaultFeatures(dataset) {
  return dataset.columns.filter((c) => c.kind === "numeric").map((c) => c.name);
}
function parseSegmentationParams(query, db2) {
  for (const name of PARAM_NAMES) {
    if (Array.isArray(query[name])) throw new InputError(`The parameter "${name}" is given more than once; give it once.`, { field: name });
    if (query[name] !== void 0 && typeof query[name] !== "string") throw new InputError(`The parameter "${name}" must be a plain value.`, { field: name });
  }
  const present = Object.fromEntries(PARAM_NAMES.filter((n) => query[n] !== void 0 && query[n] !== "").map((n) => [n, query[n]]));
  const parsed = querySchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${issue.message}.`, { field: String(issue.path[0] ?? "") });
  }
  const q = parsed.data;
  const dataset = resolveDataset(db2, q.dataset);
  const features = q.features ? [...new Set(q.features.split(",").map((f) => f.trim()).filter(Boolean))] : defaultFeatures(dataset);
  if (features.length > LIMITS.features) throw new InputError(`Choose at most ${LIMITS.features} features.`, { field: "features" });
  for (const name of features) {
    const column = dataset.columns.find((c) => c.name === name);
    if (!column) throw new InputError(`Unknown feature "${name.slice(0, 100)}": dataset "${dataset.name}" has no such column.`, { field: "features" });
    if (column.kind !== "numeric" && column.kind !== "categorical") {
      throw new InputError(`"${name.slice(0, 100)}" is an ${column.kind === "id" ? "identifier" : "date"} column and cannot be a feature.`, { field: "features" });
    }
  }
  const kMin = q.kMin ?? DEFAULT_OPTIONS.kMin;
  const kMax = q.kMax ?? DEFAULT_OPTIONS.kMax;
  if (kMax < kMin) throw new InputError(`kMax (${kMax}) must not be below kMin (${kMin}).`, { field: "kMax" });
  return {
    ...DEFAULT_OPTIONS,
    datasetId: dataset.id,
    k: q.k ?? null,
    features,
    algorithm: q.algorithm ?? DEFAULT_OPTIONS.algorithm,
    scaling: q.scaling ?? DEFAULT_OPTIONS.scaling,
    missing: q.missing ?? DEFAULT_OPTIONS.missing,
    outliers: q.outliers ?? DEFAULT_OPTIONS.outliers,
    seed: q.seed ?? DEFAULT_OPTIONS.seed,
    eps: q.eps ?? null,
    minPts: q.minPts ?? DEFAULT_OPTIONS.minPts,
    nInit: q.nInit ?? DEFAULT_OPTIONS.nInit,
    batchSize: q.batchSize ?? DEFAULT_OPTIONS.batchSize,
    iterations: q.iterations ?? DEFAULT_OPTIONS.iterations,
    kMin,
    kMax
  };
}
function toQueryString(params, dataset, extra = {}) {
  const q = new URLSearchParams();
  q.set("dataset", String(params.datasetId));
  if (params.k !== null) q.set("k", String(params.k));
  if (params.features.join(",") !== defaultFeatures(dataset).join(",")) q.set("features", params.features.join(","));
  for (const name of ["algorithm", "scaling", "missing", "outliers", "seed", "minPts", "nInit", "batchSize", "iterations", "kMin", "kMax"]) {
    if (params[name] !== DEFAULT_OPTIONS[name]) q.set(name, String(params[name]));
  }
  if (params.eps !== null) q.set("eps", String(params.eps));
  for (const [key, value] of Object.entries(extra)) q.set(key, value);
  return q.toString();
}

// server/web/run-context.ts
var VIEW_HEADER = "X-View-Id";
function runContext(req, res) {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  const id = req.get(VIEW_HEADER);
  const view = id && /^[A-Za-z0-9-]{1,64}$/.test(id) ? `${id}|${req.path}` : void 0;
  return { view, signal: controller.signal };
}

// server/web/inputs.ts
import { z as z3 } from "zod";
function parseInput(schema, value, options = {}) {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InputError(issue.message, { field: options.field ?? (issue.path[0] === void 0 ? void 0 : String(issue.path[0])), status: options.status });
}
var single = (name) => z3.string({ error: (issue) => Array.isArray(issue.input) ? `The parameter "${name}" is given more than once; give it once.` : `${name} must be a plain value.` });
var idSchema = (what) => z3.union([z3.string().regex(/^\d{1,15}$/).transform(Number), z3.number()], { error: `${what} must be a positive whole number.` }).pipe(z3.number().int({ error: `${what} must be a positive whole number.` }).positive({ error: `${what} must be a positive whole number.` }));
var wholeNumber2 = (name, min) => single(name).regex(/^\d{1,15}$/, { error: `${name} must be a whole number of at least ${min}.` }).transform(Number).pipe(z3.number().min(min, { error: `${name} must be a whole number of at least ${min}.` })).optional();
var pathId = (value, what) => parseInput(idSchema(what), value, { status: 404 });
var datasetIdParam = (params) => pathId(params.id, "The dataset id");
var optionalDatasetQuery = z3.union([z3.undefined(), idSchema("dataset")], { error: "dataset must be a positive whole number, given once." });
var nameSchema = (message) => z3.string({ error: message }).trim().min(1, { error: message }).max(200, { error: message });
var renameBody = z3.object({ name: nameSchema("A dataset name needs 1 to 200 characters.") }, { error: 'Send {"name": "..."} with 1 to 200 characters.' });
var predictBody = z3.object({
  customer: z3.record(z3.string().max(200), z3.union([z3.number(), z3.string().max(1e4), z3.null()], { error: "Each customer value must be a number, text or null." }), {
    error: 'Send JSON like {"customer": {"age": 35, ...}} with one value per feature.'
  })
}, { error: 'Send JSON like {"customer": {"age": 35, ...}} with one value per feature.' });
var formFields = z3.record(z3.string(), z3.string({ error: "Each form field must be given once." }));
var customerPageQuery = z3.object({
  page: wholeNumber2("page", 1),
  sort: wholeNumber2("sort", 0),
  dir: z3.enum(["asc", "desc"], { error: "dir must be asc or desc." }).optional()
});

// server/web/api.ts
var finite = (v) => Number.isFinite(v) ? v : null;
function segmentsBody(result) {
  return {
    params: result.options,
    metrics: {
      inertia: finite(result.metrics.inertia),
      silhouette: finite(result.metrics.silhouette),
      silhouetteSampled: result.metrics.silhouetteSampled,
      daviesBouldin: finite(result.metrics.daviesBouldin),
      calinskiHarabasz: finite(result.metrics.calinskiHarabasz),
      stability: finite(result.stability.meanAri)
    },
    segments: result.segments.map((s) => ({
      id: s.id,
      name: s.name,
      size: s.size,
      share: s.share,
      centroid: s.centroid,
      recommendation: s.recommendation,
      distinguishing: s.distinguishing
    })),
    noise: result.noiseCount,
    preprocessing: result.report,
    pca: { explainedVarianceRatio: result.pca.explainedVarianceRatio.slice(0, 2), components: result.pca.components, features: result.outputNames },
    notes: result.notes
  };
}
var datasetBody = ({ id, name, rowCount, version, columns }) => ({ id, name, rowCount, version, columns });
function apiRouter({ db: db2, engine: engine2, models: models2, staging, maxUploadBytes }) {
  const router = Router();
  const multipart = multipartUpload(staging, maxUploadBytes);
  router.get("/api/datasets", (_req, res) => {
    res.json(listDatasets(db2).map(datasetBody));
  });
  router.post("/api/datasets", async (req, res, next) => {
    if (req.is("multipart/form-data")) {
      multipart(req, res, next);
      return;
    }
    if (!req.is("text/*")) throw new InputError('Send the CSV as a text/csv body with ?name=NAME, or as multipart with the fields "file" and "name".', { status: 415 });
    req.staged = await stageRawBody(req, staging, maxUploadBytes);
    next();
  }, async (req, res) => {
    const staged = req.staged;
    if (!staged || req.is("multipart/form-data") && !req.file) throw new InputError('Send the CSV in the multipart field "file".', { field: "file" });
    try {
      const choices = parseImportChoices({ ...req.query, ...req.body && typeof req.body === "object" ? req.body : {} });
      if (!choices.name) throw new InputError('Name the dataset: ?name=NAME, or a "name" field.', { field: "name" });
      const options = { ...choices, name: choices.name, maxBytes: maxUploadBytes };
      if (choices.rfm) {
        const { dataset, report } = await importTransactionsFile(db2, staged.path, options);
        res.status(201).json({ ...datasetBody(dataset), transactions: report });
      } else {
        res.status(201).json(datasetBody(await importCsvFile(db2, staged.path, options)));
      }
    } finally {
      staging.discard(staged.token);
    }
  });
  router.patch("/api/datasets/:id", (req, res) => {
    const { name } = parseInput(renameBody, req.body ?? {}, { field: "name" });
    res.json(datasetBody(renameDataset(db2, datasetIdParam(req.params), name)));
  });
  router.delete("/api/datasets/:id", (req, res) => {
    deleteDataset(db2, datasetIdParam(req.params));
    res.status(204).end();
  });
  router.get("/api/segments", async (req, res) => {
    const params = parseSegmentationParams(req.query, db2);
    res.json(segmentsBody(await engine2.segment(params, runContext(req, res))));
  });
  router.get("/api/sweep", async (req, res) => {
    const params = parseSegmentationParams(req.query, db2);
    const sweep = await engine2.sweep(params, runContext(req, res));
    res.json({
      recommendedK: sweep.recommendedK,
      elbowK: sweep.elbowK,
      rule: sweep.rule,
      algorithm: sweep.algorithm,
      rows: sweep.rows.map((r) => ({ k: r.k, inertia: r.inertia, silhouette: finite(r.silhouette), daviesBouldin: finite(r.daviesBouldin), calinskiHarabasz: finite(r.calinskiHarabasz) })),
      notes: sweep.notes
    });
  });
  router.post("/api/predict", async (req, res) => {
    const params = parseSegmentationParams(req.query, db2);
    const { customer } = parseInput(predictBody, req.body ?? {}, { field: "customer" });
    const explicit = PARAM_NAMES.some((name) => name !== "dataset" && req.query[name] !== void 0);
    const active = explicit ? void 0 : models2.active(params.datasetId);
    const prediction = active ? predictCustomer(active.pipeline, customer) : (await engine2.predict(params, customer, runContext(req, res))).prediction;
    res.json({ segment: prediction.segment, name: prediction.name, distances: prediction.distances, point: prediction.point, model: active ? { id: active.id, name: active.name } : null });
  });
  return router;
}

// server/ingest/staging.ts
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
var STALE_MS = 60 * 60 * 1e3;
var UploadStaging = class {
  dir;
  constructor(dir = join(tmpdir(), "customer-segments-uploads")) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
  }
  newToken() {
    return randomBytes(16).toString("hex");
  }
  /** The staged file of a token; the token's form is checked, so no path is ever user text. */
  path(token) {
    if (!/^[a-f0-9]{32}$/.test(token)) throw new InputError("This upload link is not valid; upload the file again.", { status: 404 });
    return join(this.dir, `${token}.csv`);
  }
  existingPath(token) {
    const path = this.path(token);
    try {
      statSync(path);
    } catch {
      throw new InputError("This upload has expired or was already imported; upload the file again.", { status: 404 });
    }
    return path;
  }
  discard(token) {
    rmSync(this.path(token), { force: true });
  }
  /** Removes uploads nobody imported within the hour. */
  sweep(now = Date.now()) {
    for (const name of readdirSync(this.dir)) {
      const path = join(this.dir, name);
      try {
        if (now - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true });
      } catch {
      }
    }
  }
};

// server/web/clusters.ts
import { Router as Router2 } from "express";

// server/web/charts.ts
var SEGMENT_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#332288", "#882255", "#117733", "#44AA99", "#999933"];
var NOISE_COLOUR = "#9E9E9E";
function segmentColour(id) {
  return id === NOISE ? NOISE_COLOUR : SEGMENT_COLOURS[id % SEGMENT_COLOURS.length];
}
var title = (text) => ({ display: true, text, font: { size: 14, weight: "bold" } });
var axis = (text, extra = {}) => ({ title: { display: true, text }, ...extra });
var round = (v, digits = 3) => Number(v.toPrecision(digits));
var shortLabel = (text, max = 26) => text.length > max ? `${text.slice(0, max - 1)}\u2026` : text;
function axisLabel(result, axisIndex) {
  const share = result.pca.explainedVarianceRatio[axisIndex] ?? 0;
  const loadings = topLoadings(result.pca, result.outputNames, axisIndex, 2).map((l) => `${l.loading >= 0 ? "+" : "\u2212"}${shortLabel(l.feature, 30)}`);
  return `PC${axisIndex + 1} (${(share * 100).toFixed(1)}% of variance): ${loadings.join(", ")}`;
}
function scatterChart(result, prediction) {
  const { rows, points: xy } = result.scatter;
  const ids = [...result.segments.map((s) => s.id), ...result.noiseCount > 0 ? [NOISE] : []];
  const nameOf = (id) => id === NOISE ? "Noise" : shortLabel(`${id + 1}. ${result.segments[id].name}`, 60);
  const points = new Map(ids.map((id) => [id, []]));
  const coordinate = (v) => Math.round(v * 1e3) / 1e3;
  rows.forEach((i, s) => points.get(result.labels[i])?.push({ x: coordinate(xy[s * 2]), y: coordinate(xy[s * 2 + 1]) }));
  const datasets = ids.map((id) => ({ label: nameOf(id), data: points.get(id), backgroundColor: segmentColour(id) + "AA", borderColor: segmentColour(id), pointRadius: 2.5, borderWidth: 0 }));
  const centres = result.pipeline.centroids.map((c) => {
    let x = 0;
    let y = 0;
    c.forEach((v, j) => {
      x += (v - result.pca.mean[j]) * result.pca.components[0][j];
      y += (v - result.pca.mean[j]) * result.pca.components[1][j];
    });
    return { x: round(x, 4), y: round(y, 4) };
  });
  datasets.push({
    label: "Segment centres",
    data: centres,
    pointStyle: "crossRot",
    pointRadius: 9,
    borderWidth: 3,
    borderColor: "#111111",
    backgroundColor: "#111111"
  });
  if (prediction) {
    datasets.push({
      label: "This customer",
      data: [{ x: round(prediction.point[0], 4), y: round(prediction.point[1], 4) }],
      pointStyle: "star",
      pointRadius: 14,
      borderWidth: 3,
      borderColor: "#D00000",
      backgroundColor: "#D00000"
    });
  }
  const shown = rows.length < result.labels.length ? ` (${rows.length.toLocaleString("en-US")} of ${result.labels.length.toLocaleString("en-US")} customers shown)` : "";
  return {
    type: "scatter",
    data: { datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: title(`Customers on the first two principal components${shown}`), legend: { position: "bottom" } },
      scales: { x: axis(axisLabel(result, 0)), y: axis(axisLabel(result, 1)) }
    }
  };
}
function sizesChart(result) {
  const bars = result.segments.map((s) => ({ label: shortLabel(`${s.id + 1}. ${s.name}`, 18), value: s.size, colour: segmentColour(s.id) }));
  if (result.noiseCount > 0) bars.push({ label: "Noise", value: result.noiseCount, colour: NOISE_COLOUR });
  return {
    type: "bar",
    data: {
      labels: bars.map((b) => b.label),
      datasets: [{ label: "Customers", data: bars.map((b) => b.value), backgroundColor: bars.map((b) => b.colour) }]
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      indexAxis: "y",
      plugins: { title: title("Segment sizes"), legend: { display: false } },
      scales: { x: axis("Customers", { beginAtZero: true }), y: axis("Segment") }
    }
  };
}
function markerColours(ks, current, recommended) {
  return ks.map((k) => k === current ? "#D55E00" : k === recommended ? "#009E73" : "#0072B2");
}
function sweepChart(sweep, currentK, metric) {
  const ks = sweep.rows.map((r) => r.k);
  const colours = markerColours(ks, currentK, sweep.recommendedK);
  const label = metric === "inertia" ? "Inertia (within-segment sum of squares)" : "Mean silhouette (\u22121 to 1, higher is better)";
  return {
    type: "line",
    data: {
      labels: ks.map(String),
      datasets: [{
        label,
        data: sweep.rows.map((r) => round(r[metric], 5)),
        borderColor: "#0072B2",
        pointBackgroundColor: colours,
        pointBorderColor: colours,
        pointRadius: ks.map((k) => k === currentK || k === sweep.recommendedK ? 7 : 3),
        tension: 0
      }]
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        title: title(metric === "inertia" ? `Elbow: inertia by k (elbow at k = ${sweep.elbowK})` : `Silhouette by k (recommended k = ${sweep.recommendedK})`),
        subtitle: { display: true, text: "Orange: current k \xB7 Green: recommended k" },
        legend: { display: false }
      },
      scales: { x: axis("Number of segments (k)"), y: axis(label) }
    }
  };
}
var elbowChart = (sweep, k) => sweepChart(sweep, k, "inertia");
var silhouetteChart = (sweep, k) => sweepChart(sweep, k, "silhouette");
function featureMeansChart(result) {
  const features = result.segments[0]?.features.map((f) => f.feature) ?? [];
  return {
    type: "bar",
    data: {
      labels: features,
      datasets: result.segments.map((s) => ({
        label: `${s.id + 1}. ${s.name}`,
        data: s.features.map((f) => round(f.differenceSd, 3)),
        backgroundColor: segmentColour(s.id)
      }))
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: title("Feature means by segment, relative to all customers"), legend: { position: "bottom" } },
      scales: { x: axis("Feature"), y: axis("Difference from overall mean (standard deviations)") }
    }
  };
}
function distanceChart(prediction, names) {
  return {
    type: "bar",
    data: {
      labels: names.map((n, i) => shortLabel(`${i + 1}. ${n}`)),
      datasets: [{ label: "Distance", data: prediction.distances.map((d) => round(d, 4)), backgroundColor: names.map((_, i) => segmentColour(i)) }]
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      indexAxis: "y",
      plugins: { title: title("Distance from this customer to each segment centre"), legend: { display: false } },
      scales: { x: axis("Distance in scaled feature space (shorter is closer)", { beginAtZero: true }), y: axis("Segment") }
    }
  };
}
function histogramChart(name, hist) {
  const fmt = (v) => Math.abs(v) >= 1e3 ? Math.round(v).toLocaleString("en-US") : String(round(v, 3));
  return {
    type: "bar",
    data: {
      labels: hist.counts.map((_, i) => `${fmt(hist.edges[i])}\u2013${fmt(hist.edges[i + 1])}`),
      datasets: [{ label: "Customers", data: hist.counts, backgroundColor: "#0072B2", barPercentage: 1, categoryPercentage: 1 }]
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: title(`Distribution of ${name}`), legend: { display: false } },
      scales: { x: axis(name), y: axis("Customers", { beginAtZero: true }) }
    }
  };
}
function categoryChart(name, levels) {
  return {
    type: "bar",
    data: {
      labels: levels.map((l) => l.level),
      datasets: [{ label: "Customers", data: levels.map((l) => l.count), backgroundColor: levels.map((_, i) => SEGMENT_COLOURS[i % SEGMENT_COLOURS.length]) }]
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: title(`Customers by ${name}`), legend: { display: false } },
      scales: { x: axis(name), y: axis("Customers", { beginAtZero: true }) }
    }
  };
}
function boxPlotChart(chartTitle, yTitle, labels, stats, colours) {
  return {
    type: "bar",
    data: {
      labels,
      datasets: [
        { label: "Whiskers (within 1.5 IQR)", data: stats.map((s) => [round(s.low, 5), round(s.high, 5)]), backgroundColor: "#555555", barPercentage: 0.06, grouped: false, order: 2 },
        { label: "Middle half (Q1 to Q3)", data: stats.map((s) => [round(s.q1, 5), round(s.q3, 5)]), backgroundColor: colours, barPercentage: 0.55, grouped: false, order: 1 },
        { type: "line", label: "Median", data: stats.map((s) => round(s.median, 5)), showLine: false, pointStyle: "line", pointRadius: 12, borderWidth: 3, borderColor: "#111111", order: 0 }
      ]
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: title(chartTitle), legend: { display: false } },
      scales: { x: axis(""), y: axis(yTitle) }
    }
  };
}
function featureBoxChart(result, feature) {
  const stats = result.segments.map((s) => s.features.find((f) => f.feature === feature)?.spread ?? boxStatsOfSorted(new Float64Array(0)));
  return boxPlotChart(`${feature} by segment`, feature, result.segments.map((s) => shortLabel(`${s.id + 1}. ${s.name}`, 18)), stats, result.segments.map((s) => segmentColour(s.id)));
}
function categoryMixChart(result, feature) {
  const levels = [...new Set(result.segments.flatMap((s) => s.categories.find((c) => c.feature === feature)?.mix.map((m) => m.level) ?? []))].sort();
  return {
    type: "bar",
    data: {
      labels: result.segments.map((s) => shortLabel(`${s.id + 1}. ${s.name}`, 22)),
      datasets: levels.map((level, i) => ({
        label: level,
        data: result.segments.map((s) => round(100 * (s.categories.find((c) => c.feature === feature)?.mix.find((m) => m.level === level)?.share ?? 0), 4)),
        backgroundColor: SEGMENT_COLOURS[i % SEGMENT_COLOURS.length]
      }))
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      indexAxis: "y",
      plugins: { title: title(`${feature} mix by segment`), legend: { position: "bottom" } },
      scales: { x: axis("Share of the segment (%)", { stacked: true, max: 100 }), y: axis("Segment", { stacked: true }) }
    }
  };
}
function overviewBoxChart(boxes) {
  return boxPlotChart("Spread of each numeric column (standardised)", "Standard deviations from the column mean", boxes.map((b) => b.name), boxes.map((b) => b.stats), boxes.map(() => "#56B4E9"));
}

// server/web/render.ts
function isHtmx(req) {
  return req.get("HX-Request") === "true" && req.get("HX-History-Restore-Request") !== "true" && req.get("HX-Request-Type") !== "full";
}
function renderPageOrPartial(req, res, page, partial, locals) {
  res.vary("HX-Request").vary("HX-History-Restore-Request");
  res.render(isHtmx(req) ? partial : page, locals);
}
function formatNumber(value, digits = 3) {
  if (value === null || value === void 0 || Number.isNaN(value)) return "\u2014";
  if (!Number.isFinite(value)) return value > 0 ? "\u221E" : "\u2212\u221E";
  const abs = Math.abs(value);
  if (abs >= 1e3) return Math.round(value).toLocaleString("en-US");
  if (Number.isInteger(value)) return String(value);
  return Number(value.toPrecision(digits)).toLocaleString("en-US", { maximumFractionDigits: 6 });
}
function formatPercent(share, digits = 1) {
  return Number.isFinite(share) ? `${(share * 100).toFixed(digits)}%` : "\u2014";
}
var escapedCharts = /* @__PURE__ */ new WeakMap();
function chartAttribute(config2) {
  let escaped = escapedCharts.get(config2);
  if (escaped === void 0) {
    escaped = JSON.stringify(config2).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&#34;").replaceAll("'", "&#39;");
    escapedCharts.set(config2, escaped);
  }
  return escaped;
}
function correlationClass(r) {
  if (!Number.isFinite(r)) return "corr-na";
  const step = Math.min(4, Math.floor(Math.abs(r) * 5));
  return `corr-${r >= 0 ? "p" : "n"}${step}`;
}
var viewHelpers = { formatNumber, formatPercent, chartAttribute, correlationClass };

// server/web/clusters.ts
var CONTROL_CHOICES = {
  algorithms: ALGORITHMS.map((value) => ({ value, label: { kmeans: "k-means", minibatch: "Mini-batch k-means", agglomerative: "Agglomerative (Ward)", dbscan: "DBSCAN (density)" }[value] })),
  scalings: SCALING_METHODS.map((value) => ({ value, label: { standard: "Standard (z-score)", minmax: "Min-max (0 to 1)", robust: "Robust (median / IQR)", none: "None" }[value] })),
  missing: MISSING_STRATEGIES.map((value) => ({ value, label: { drop: "Drop incomplete rows", mean: "Fill with mean", median: "Fill with median", mode: "Fill with most frequent" }[value] })),
  outliers: OUTLIER_RULES.map((value) => ({ value, label: { none: "Keep all", "iqr-clip": "IQR 1.5\xD7 \u2014 clip", "iqr-exclude": "IQR 1.5\xD7 \u2014 exclude from fit", "zscore-clip": "|z| > 3 \u2014 clip", "zscore-exclude": "|z| > 3 \u2014 exclude from fit" }[value] }))
};
function clustersRouter(db2, engine2) {
  const router = Router2();
  const chartCache = /* @__PURE__ */ new WeakMap();
  const partialCache = /* @__PURE__ */ new WeakMap();
  router.get("/clusters", async (req, res) => {
    const params = parseSegmentationParams(req.query, db2);
    const context = runContext(req, res);
    const datasets = listDatasets(db2);
    const dataset = datasets.find((d) => d.id === params.datasetId);
    const [result, sweep] = await Promise.all([engine2.segment(params, context), engine2.sweep(params, context)]);
    const hit = chartCache.get(result);
    const charts = hit?.sweep === sweep ? hit.charts : {
      boxes: result.featureNames.filter((f) => dataset.columns.some((c) => c.name === f && c.kind === "numeric")).map((f) => ({ feature: f, config: featureBoxChart(result, f) })),
      mixes: dataset.columns.filter((c) => c.kind === "categorical").map((c) => ({ feature: c.name, config: categoryMixChart(result, c.name) })),
      scatter: scatterChart(result),
      sizes: sizesChart(result),
      elbow: elbowChart(sweep, result.options.algorithm === "dbscan" ? null : result.k),
      silhouette: silhouetteChart(sweep, result.options.algorithm === "dbscan" ? null : result.k),
      featureMeans: featureMeansChart(result)
    };
    chartCache.set(result, { sweep, charts });
    const query = toQueryString(params, dataset);
    const locals = { tab: "clusters", params, dataset, datasets, result, sweep, charts, choices: CONTROL_CHOICES, segmentColour, query };
    if (!isHtmx(req)) {
      renderPageOrPartial(req, res, "clusters", "partials/cluster-results", locals);
      return;
    }
    let rendered = partialCache.get(result);
    if (rendered?.sweep !== sweep) {
      rendered = { sweep, html: /* @__PURE__ */ new Map() };
      partialCache.set(result, rendered);
    }
    const key = `${dataset.name}|${query}`;
    let html = rendered.html.get(key);
    if (html === void 0) {
      html = await new Promise((resolve, reject) => res.render("partials/cluster-results", locals, (error, out) => error ? reject(error) : resolve(out)));
      rendered.html.set(key, html);
    }
    res.vary("HX-Request").vary("HX-History-Restore-Request").type("html").send(html);
  });
  return router;
}

// server/web/customers.ts
import express, { Router as Router4 } from "express";

// server/ingest/registration.ts
import { randomBytes as randomBytes2 } from "node:crypto";
import { z as z4 } from "zod";
var MAX_REGISTRATIONS = 1e3;
function plausibleBounds(range) {
  const min = range?.min ?? Number.NaN;
  const max = range?.max ?? Number.NaN;
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { min: -Number.MAX_VALUE, max: Number.MAX_VALUE };
  const width = Math.max(max - min, Math.abs(max) * 0.1, 1);
  return { min: min >= 0 ? Math.max(0, min - width) : min - width, max: max + width };
}
function registrationSchema(columns, ranges) {
  const shape = {};
  for (const column of columns) {
    if (column.kind === "numeric") {
      const { min, max } = plausibleBounds(ranges.find((r) => r.name === column.name));
      const fmt = (v) => Number(v.toPrecision(6));
      shape[column.name] = z4.number({ error: `must be a number` }).finite({ error: "must be a finite number" }).min(min, { error: `must be between ${fmt(min)} and ${fmt(max)} (the data's range, widened)` }).max(max, { error: `must be between ${fmt(min)} and ${fmt(max)} (the data's range, widened)` }).nullable().optional();
    } else if (column.kind === "date") {
      shape[column.name] = z4.string({ error: "must be a date as text" }).refine(looksLikeDate, { error: "must be a date such as 2024-05-31" }).nullable().optional();
    } else {
      shape[column.name] = z4.string({ error: "must be text" }).trim().min(1, { error: "must not be empty" }).max(200, { error: "must be at most 200 characters" }).nullable().optional();
    }
  }
  return z4.strictObject(shape);
}
function validateRegistrations(columns, ranges, body) {
  if (body === void 0 || body === null || typeof body === "object" && !Array.isArray(body) && Object.keys(body).length === 0) {
    throw new InputError("Send one customer as a JSON object, or several as an array of objects.");
  }
  const customers = Array.isArray(body) ? body : [body];
  if (customers.length === 0) throw new InputError("The array of customers is empty.");
  if (customers.length > MAX_REGISTRATIONS) throw new InputError(`Register at most ${MAX_REGISTRATIONS} customers per request.`);
  const schema = registrationSchema(columns, ranges);
  return customers.map((customer, index) => {
    const where = customers.length > 1 ? `customer ${index + 1}: ` : "";
    if (typeof customer !== "object" || customer === null || Array.isArray(customer)) throw new InputError(`${where}each customer must be a JSON object of column names to values.`);
    const parsed = schema.safeParse(customer);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      if (issue.code === "unrecognized_keys") {
        throw new InputError(`${where}unknown field "${String(issue.keys[0]).slice(0, 60)}"; the dataset's columns are ${columns.map((c) => c.name).join(", ")}.`, { field: String(issue.keys[0]) });
      }
      const field = String(issue.path[0] ?? "");
      throw new InputError(`${where}"${field.slice(0, 60)}" ${issue.message}.`, { field });
    }
    const values = parsed.data;
    if (!columns.some((c) => c.kind !== "id" && values[c.name] !== void 0 && values[c.name] !== null)) {
      throw new InputError(`${where}the customer has no values; give at least one feature.`);
    }
    return columns.map((c) => {
      const v = values[c.name];
      if (v === void 0 || v === null) return c.kind === "id" ? `REG-${randomBytes2(5).toString("hex")}` : null;
      return v;
    });
  });
}

// server/store/customers.ts
function registerCustomers(db2, datasetId, model, registrations) {
  const info = getDataset(db2, datasetId);
  const idents = info.columns.map((_, i) => `c${i}`);
  const insertRow = db2.prepare(`INSERT INTO ds_${Math.trunc(datasetId)} (${idents.join(", ")}) VALUES (${idents.map(() => "?").join(", ")})`);
  const insertSegment = db2.prepare("INSERT INTO customer_segments (dataset_id, row_id, segment, segment_name, model) VALUES (?, ?, ?, ?, ?)");
  const addMissing = db2.prepare("UPDATE dataset_columns SET missing = missing + ? WHERE dataset_id = ? AND position = ?");
  return db2.transaction(() => {
    const missing = new Array(info.columns.length).fill(0);
    const out = registrations.map((r) => {
      r.row.forEach((v, c) => v === null && missing[c]++);
      const rowId = Number(insertRow.run(r.row).lastInsertRowid);
      insertSegment.run(datasetId, rowId, r.segment, r.segmentName, model);
      return { id: rowId, segment: r.segment, name: r.segmentName };
    });
    missing.forEach((m, c) => m > 0 && addMissing.run(m, datasetId, c));
    db2.prepare("UPDATE datasets SET row_count = row_count + ?, version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?").run(registrations.length, datasetId);
    return out;
  })();
}

// server/engine/registration.ts
async function registerWithModel(deps, params, body) {
  const { db: db2, engine: engine2, events: events2, models: models2 } = deps;
  const { columns } = getDataset(db2, params.datasetId);
  const rows = validateRegistrations(columns, await engine2.columnRanges(params.datasetId, { latest: true }), body);
  const active = models2.active(params.datasetId);
  const pipeline = active?.pipeline ?? (await engine2.segment(params)).pipeline;
  const features = [...pipeline.preprocessor.numeric, ...pipeline.preprocessor.categorical].map((s) => s.name);
  const columnIndex = new Map(columns.map((c, i) => [c.name, i]));
  const registrations = rows.map((row) => {
    const customer = Object.fromEntries(features.map((f) => [f, row[columnIndex.get(f)]]));
    const prediction = predictCustomer(pipeline, customer);
    return { row, segment: prediction.segment, segmentName: prediction.name };
  });
  const model = active ? `saved:${active.id}` : JSON.stringify({ k: pipeline.options.k, algorithm: pipeline.options.algorithm, features, seed: pipeline.options.seed });
  const registered = registerCustomers(db2, params.datasetId, model, registrations);
  events2.notify(params.datasetId, getDataset(db2, params.datasetId).version);
  models2.considerRetraining(params.datasetId);
  return registered;
}

// server/web/predict.ts
import { Router as Router3 } from "express";
var CUSTOMER_PREFIX = "c:";
function featureInputs(ranges, result, query) {
  const byName = new Map(ranges.map((r) => [r.name, r]));
  return result.featureNames.flatMap((name) => byName.get(name) ?? []).map((range) => {
    const field = CUSTOMER_PREFIX + range.name;
    const given = typeof query[field] === "string" ? query[field] : void 0;
    if (range.kind === "numeric") {
      const min = range.min;
      const max = range.max;
      const step = range.integers ? 1 : Number(((max - min) / 200).toPrecision(1)) || 0.01;
      const typical = range.integers ? Math.round(range.median) : Number(range.median.toPrecision(6));
      return { name: range.name, field, kind: "numeric", value: given ?? String(typical), min, max, step };
    }
    return { name: range.name, field, kind: "categorical", value: given ?? range.mode ?? "", levels: range.levels };
  });
}
function predictRouter(db2, engine2) {
  const router = Router3();
  router.get("/predict", async (req, res) => {
    const params = parseSegmentationParams(req.query, db2);
    const datasets = listDatasets(db2);
    const dataset = datasets.find((d) => d.id === params.datasetId);
    const context = runContext(req, res);
    const result = await engine2.segment(params, context);
    const inputs = featureInputs(await engine2.columnRanges(dataset.id, { context }), result, req.query);
    const customer = Object.fromEntries(inputs.map((f) => [f.name, f.value]));
    const { prediction } = await engine2.predict(params, customer, context);
    const segment2 = prediction.segment >= 0 ? result.segments[prediction.segment] : void 0;
    renderPageOrPartial(req, res, "predict", "partials/prediction-result", {
      tab: "predict",
      params,
      dataset,
      datasets,
      result,
      inputs,
      prediction,
      segment: segment2,
      segmentColour,
      charts: { distances: distanceChart(prediction, result.pipeline.segmentNames), scatter: scatterChart(result, prediction) },
      query: toQueryString(params, dataset)
    });
  });
  return router;
}

// server/web/customers.ts
function customersRouter(deps) {
  const { db: db2, events: events2 } = deps;
  const router = Router4();
  router.get("/events", events2.handle);
  router.post("/api/customers", async (req, res) => {
    const params = parseSegmentationParams(req.query, db2);
    const customers = await registerWithModel(deps, params, req.body);
    res.status(201).json({ customers });
  });
  router.post("/customers", express.urlencoded({ extended: false, limit: "64kb" }), async (req, res) => {
    const fields = parseInput(formFields, req.body ?? {});
    const params = parseSegmentationParams(fields, db2);
    const { columns } = getDataset(db2, params.datasetId);
    const customer = {};
    for (const [key, value] of Object.entries(fields)) {
      if (!key.startsWith(CUSTOMER_PREFIX) || value === "") continue;
      const name = key.slice(CUSTOMER_PREFIX.length);
      const column = columns.find((c) => c.name === name);
      customer[name] = column?.kind === "numeric" ? Number(value) : value;
    }
    const [registered] = await registerWithModel(deps, params, customer);
    res.status(201).render("partials/registration-result", { registered });
  });
  return router;
}

// server/web/models.ts
import express2, { Router as Router5 } from "express";

// server/store/models.ts
var toModel = (r) => ({
  id: r.id,
  datasetId: r.dataset_id,
  name: r.name,
  pipeline: JSON.parse(r.pipeline),
  baseline: JSON.parse(r.baseline),
  source: r.source,
  active: r.active === 1,
  refits: r.refits,
  createdAt: r.created_at,
  fittedAt: r.fitted_at
});
function saveModel(db2, model) {
  const exists = db2.prepare("SELECT 1 FROM saved_models WHERE dataset_id = ? AND name = ?").get(model.datasetId, model.name);
  if (exists) throw new InputError(`A saved segmentation named "${model.name.slice(0, 60)}" already exists for this dataset; choose another name.`, { field: "name", status: 409 });
  const id = db2.transaction(() => {
    const info = db2.prepare("INSERT INTO saved_models (dataset_id, name, pipeline, baseline, source) VALUES (?, ?, ?, ?, ?)").run(model.datasetId, model.name, JSON.stringify(model.pipeline), JSON.stringify(model.baseline), model.source);
    const newId = Number(info.lastInsertRowid);
    const active = db2.prepare("SELECT 1 FROM saved_models WHERE dataset_id = ? AND active = 1").get(model.datasetId);
    if (!active) db2.prepare("UPDATE saved_models SET active = 1 WHERE id = ?").run(newId);
    return newId;
  })();
  return getModel(db2, id);
}
function listModels(db2, datasetId) {
  return db2.prepare("SELECT * FROM saved_models WHERE dataset_id = ? ORDER BY id").all(datasetId).map(toModel);
}
function getModel(db2, id) {
  const row = db2.prepare("SELECT * FROM saved_models WHERE id = ?").get(id);
  if (!row) throw new NotFoundError(`There is no saved segmentation with id ${id}.`);
  return toModel(row);
}
function activeModel(db2, datasetId) {
  const row = db2.prepare("SELECT * FROM saved_models WHERE dataset_id = ? AND active = 1").get(datasetId);
  return row ? toModel(row) : void 0;
}
function activateModel(db2, id) {
  const model = getModel(db2, id);
  db2.transaction(() => {
    db2.prepare("UPDATE saved_models SET active = 0 WHERE dataset_id = ?").run(model.datasetId);
    db2.prepare("UPDATE saved_models SET active = 1 WHERE id = ?").run(id);
  })();
  return getModel(db2, id);
}
function deleteModel(db2, id) {
  getModel(db2, id);
  db2.prepare("DELETE FROM saved_models WHERE id = ?").run(id);
}
function replaceModelFit(db2, id, pipeline, baseline) {
  db2.prepare("UPDATE saved_models SET pipeline = ?, baseline = ?, refits = refits + 1, fitted_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?").run(JSON.stringify(pipeline), JSON.stringify(baseline), id);
  return getModel(db2, id);
}

// server/web/models.ts
import { readFile } from "node:fs/promises";
var modelBody = (m) => ({
  id: m.id,
  datasetId: m.datasetId,
  name: m.name,
  source: m.source,
  active: m.active,
  refits: m.refits,
  createdAt: m.createdAt,
  fittedAt: m.fittedAt,
  k: m.pipeline.centroids.length,
  algorithm: m.pipeline.options.algorithm,
  features: [...m.pipeline.preprocessor.numeric, ...m.pipeline.preprocessor.categorical].map((s) => s.name),
  segmentNames: m.pipeline.segmentNames
});
function idParam(req, name = "id") {
  return pathId(req.params[name] ?? req.query[name], `${name} (the id of a saved segmentation)`);
}
function modelName(value) {
  return parseInput(nameSchema("Name the segmentation (1 to 200 characters)."), value, { field: "name" });
}
function datasetQuery(value) {
  return parseInput(optionalDatasetQuery, value, { field: "dataset" });
}
function modelsRouter({ db: db2, engine: engine2, models: models2, staging }) {
  const router = Router5();
  const form = express2.urlencoded({ extended: false, limit: "64kb" });
  const renderPanel = async (req, res, datasetId, extra = {}) => {
    const list = listModels(db2, datasetId);
    const active = list.find((m) => m.active);
    const drift = active ? await models2.drift(active) : void 0;
    res.render("partials/models-panel", { models: list, active, drift, datasetId, message: void 0, ...extra });
  };
  router.get("/api/models", (req, res) => {
    const dataset = resolveDataset(db2, datasetQuery(req.query.dataset));
    res.json(listModels(db2, dataset.id).map(modelBody));
  });
  router.post("/api/models", async (req, res) => {
    const params = parseSegmentationParams(req.query, db2);
    const saved = await models2.saveFit(params.datasetId, modelName(req.query.name ?? req.body?.name), await engine2.segment(params));
    res.status(201).json(modelBody(saved));
  });
  router.get("/api/models/compare", async (req, res) => {
    res.json(await models2.compare(idParam(req, "a"), idParam(req, "b")));
  });
  router.get("/api/models/:id", (req, res) => res.json(modelBody(getModel(db2, idParam(req)))));
  router.get("/api/models/:id/export", (req, res) => {
    const model = getModel(db2, idParam(req));
    res.attachment(`${model.name.replace(/[^\w.-]+/g, "_").slice(0, 60) || "segmentation"}.json`);
    res.type("application/json").send(JSON.stringify(model.pipeline, null, 2));
  });
  router.post("/api/models/import", async (req, res) => {
    const dataset = resolveDataset(db2, datasetQuery(req.query.dataset));
    if (typeof req.body !== "object" || req.body === null || Object.keys(req.body).length === 0) {
      throw new InputError("Send the exported model JSON as an application/json body.");
    }
    res.status(201).json(modelBody(await models2.importModel(dataset.id, modelName(req.query.name), JSON.stringify(req.body))));
  });
  router.post("/api/models/:id/activate", (req, res) => res.json(modelBody(activateModel(db2, idParam(req)))));
  router.delete("/api/models/:id", (req, res) => {
    deleteModel(db2, idParam(req));
    res.status(204).end();
  });
  router.get("/api/models/:id/drift", async (req, res) => res.json(await models2.drift(getModel(db2, idParam(req)))));
  router.post("/api/models/:id/retrain", async (req, res) => {
    const model = getModel(db2, idParam(req));
    if (!model.active) throw new InputError("Only the active segmentation is retrained; activate it first.");
    res.json(await models2.retrainNow(model.datasetId));
  });
  router.get("/models", async (req, res) => {
    const dataset = resolveDataset(db2, datasetQuery(req.query.dataset));
    if (!isHtmx(req)) {
      res.redirect(`/clusters?dataset=${dataset.id}`);
      return;
    }
    await renderPanel(req, res, dataset.id);
  });
  router.post("/models", form, async (req, res) => {
    const fields = parseInput(formFields, req.body ?? {});
    const params = parseSegmentationParams(fields, db2);
    const saved = await models2.saveFit(params.datasetId, modelName(fields.modelName), await engine2.segment(params));
    res.status(201);
    await renderPanel(req, res, params.datasetId, { message: `Saved \u201C${saved.name}\u201D.` });
  });
  router.post("/models/import", multipartUpload(staging, 2e7), async (req, res) => {
    const dataset = resolveDataset(db2, datasetQuery(req.body.dataset));
    if (!req.staged) throw new InputError("Choose an exported model JSON file.", { field: "file" });
    try {
      const saved = await models2.importModel(dataset.id, modelName(req.body.modelName), await readFile(req.staged.path, "utf8"));
      res.status(201);
      await renderPanel(req, res, dataset.id, { message: `Imported \u201C${saved.name}\u201D.` });
    } finally {
      staging.discard(req.staged.token);
    }
  });
  router.post("/models/:id/activate", async (req, res) => {
    const model = activateModel(db2, idParam(req));
    await renderPanel(req, res, model.datasetId, { message: `\u201C${model.name}\u201D now assigns predictions and registrations.` });
  });
  router.post("/models/:id/delete", async (req, res) => {
    const model = getModel(db2, idParam(req));
    deleteModel(db2, model.id);
    await renderPanel(req, res, model.datasetId, { message: `Deleted \u201C${model.name}\u201D.` });
  });
  router.post("/models/:id/retrain", async (req, res) => {
    const model = getModel(db2, idParam(req));
    if (!model.active) throw new InputError("Only the active segmentation is retrained; activate it first.");
    const outcome = await models2.retrainNow(model.datasetId);
    await renderPanel(req, res, model.datasetId, { message: outcome.accepted ? `Retrained: ${outcome.reason}.` : `Kept the current fit: ${outcome.reason}.` });
  });
  router.get("/models/compare", async (req, res) => {
    const comparison = await models2.compare(idParam(req, "a"), idParam(req, "b"));
    res.render("partials/model-compare", { comparison });
  });
  return router;
}

// server/engine/models.ts
var ModelService = class {
  constructor(db2, engine2, policy, onChange = () => {
  }) {
    this.db = db2;
    this.engine = engine2;
    this.policy = policy;
    this.onChange = onChange;
  }
  db;
  engine;
  policy;
  onChange;
  retraining = /* @__PURE__ */ new Set();
  log = [];
  async saveFit(datasetId, name, result) {
    const baseline = await this.engine.onTable(datasetId, { op: "baseline", pipeline: result.pipeline });
    return saveModel(this.db, { datasetId, name: name.trim(), pipeline: result.pipeline, baseline, source: "fitted" });
  }
  async importModel(datasetId, name, json) {
    let pipeline;
    try {
      pipeline = parsePipeline(json);
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError("The model file is not valid JSON.");
    }
    const baseline = await this.engine.onTable(datasetId, { op: "import", pipeline });
    return saveModel(this.db, { datasetId, name: name.trim(), pipeline, baseline, source: "imported" });
  }
  active(datasetId) {
    return activeModel(this.db, datasetId);
  }
  async compare(aId, bId) {
    const a = getModel(this.db, aId);
    const b = getModel(this.db, bId);
    if (a.datasetId !== b.datasetId) throw new InputError("Compare two segmentations of the same dataset.");
    const ref = (m) => ({ id: m.id, name: m.name, pipeline: m.pipeline });
    return this.engine.onTable(a.datasetId, { op: "compare", a: ref(a), b: ref(b) });
  }
  drift(model) {
    return this.engine.onTable(model.datasetId, { op: "drift", pipeline: model.pipeline, baseline: model.baseline });
  }
  /** Refits the active model now; replaces it only if the refit is not worse. */
  async retrainNow(datasetId) {
    const model = this.active(datasetId);
    if (!model) throw new InputError("This dataset has no active saved segmentation to retrain.");
    const answer = await this.engine.onTable(datasetId, { op: "retrain", pipeline: model.pipeline });
    if (answer.accepted && answer.refit) {
      replaceModelFit(this.db, model.id, answer.refit.pipeline, answer.refit.baseline);
      this.onChange(datasetId);
    }
    this.log.push(`${(/* @__PURE__ */ new Date()).toISOString()} dataset ${datasetId} model ${model.id}: ${answer.accepted ? "refitted" : "kept"} (${answer.reason})`);
    return { accepted: answer.accepted, reason: answer.reason };
  }
  /** Called after registrations: refits in the background once enough customers arrived. */
  considerRetraining(datasetId, now = Date.now()) {
    const model = this.active(datasetId);
    if (!model || this.retraining.has(datasetId)) return false;
    const newCustomers = getDataset(this.db, datasetId).rowCount - model.baseline.rowCount;
    const minutes = (now - Date.parse(model.fittedAt)) / 6e4;
    const due = newCustomers >= this.policy.afterCustomers || newCustomers > 0 && minutes >= this.policy.afterMinutes;
    if (!due) return false;
    this.retraining.add(datasetId);
    void this.retrainNow(datasetId).catch((error) => this.log.push(`${(/* @__PURE__ */ new Date()).toISOString()} dataset ${datasetId}: retraining failed: ${error.message}`)).finally(() => this.retraining.delete(datasetId));
    return true;
  }
  get busy() {
    return this.retraining.size > 0;
  }
};

// server/web/datasets.ts
import { basename } from "node:path";
import express3, { Router as Router6 } from "express";
function defaultName(originalName) {
  const base = basename(originalName ?? "Imported data").replace(/\.(csv|txt|tsv)$/i, "").trim();
  return base.slice(0, 120) || "Imported data";
}
function datasetsRouter({ db: db2, staging, maxUploadBytes }) {
  const router = Router6();
  const form = express3.urlencoded({ extended: false, limit: "256kb", parameterLimit: 2e3 });
  const renderList = (req, res, locals = {}) => {
    const datasets = listDatasets(db2);
    const page = { tab: "datasets", datasets, dataset: datasets[0], query: datasets[0] ? `dataset=${datasets[0].id}` : "", preview: void 0, imported: void 0, maxUploadMb: Math.round(maxUploadBytes / 1e6), ...locals };
    res.vary("HX-Request");
    res.render(isHtmx(req) ? "partials/dataset-list" : "datasets", page);
  };
  const renderPreview = async (req, res, token, originalName) => {
    const choices = parseImportChoices(req.body ?? {});
    const plan = await previewCsv(staging.existingPath(token), { ...choices, maxBytes: maxUploadBytes });
    const locals = { token, plan, delimiter: delimiterName(plan.delimiter), name: choices.name ?? defaultName(originalName), kindPrefix: KIND_PREFIX };
    if (isHtmx(req)) res.render("partials/import-preview", locals);
    else renderList(req, res, { preview: locals });
  };
  router.get("/datasets", (req, res) => renderList(req, res));
  router.post("/datasets/preview", multipartUpload(staging, maxUploadBytes), async (req, res) => {
    if (!req.staged || !req.file) throw new InputError("Choose a CSV file to upload.", { field: "file" });
    staging.sweep();
    try {
      await renderPreview(req, res, req.staged.token, req.staged.originalName);
    } catch (error) {
      staging.discard(req.staged.token);
      throw error;
    }
  });
  router.post("/datasets/preview/:token", form, async (req, res) => {
    await renderPreview(req, res, String(req.params.token));
  });
  router.post("/datasets/import/:token", form, async (req, res) => {
    const token = String(req.params.token);
    const path = staging.existingPath(token);
    const choices = parseImportChoices(req.body ?? {});
    const options = { ...choices, name: choices.name ?? "Imported data", maxBytes: maxUploadBytes };
    let imported;
    if (choices.rfm) {
      const { dataset, report } = await importTransactionsFile(db2, path, options);
      imported = { dataset, note: `${report.transactions.toLocaleString("en-US")} transactions from ${report.customers.toLocaleString("en-US")} customers up to ${report.referenceDate}; ${report.cancellations} cancellations, ${report.negativeQuantities} returns or negative quantities and ${report.missingCustomer} lines without a customer were left out.` };
    } else {
      imported = { dataset: await importCsvFile(db2, path, options) };
    }
    staging.discard(token);
    res.status(201);
    if (isHtmx(req)) res.render("partials/import-result", { imported });
    else renderList(req, res, { imported });
  });
  router.post("/datasets/:id/rename", form, (req, res) => {
    const { name } = parseInput(renameBody, req.body ?? {}, { field: "name" });
    renameDataset(db2, datasetIdParam(req.params), name);
    renderList(req, res);
  });
  router.post("/datasets/:id/delete", (req, res) => {
    deleteDataset(db2, getDataset(db2, datasetIdParam(req.params)).id);
    renderList(req, res);
  });
  return router;
}

// server/web/events.ts
var COALESCE_MS = 250;
var KEEPALIVE_MS = 25e3;
var LiveEvents = class {
  clients = /* @__PURE__ */ new Set();
  pending = /* @__PURE__ */ new Map();
  versions = /* @__PURE__ */ new Map();
  /** Id of the last event sent per dataset, so a reconnecting client can catch up. */
  lastSent = /* @__PURE__ */ new Map();
  eventId = 0;
  get clientCount() {
    return this.clients.size;
  }
  /** GET /events[?dataset=ID]: a stream that stays open until the browser leaves. */
  handle = (req, res) => {
    const client = { res, datasetId: parseInput(optionalDatasetQuery, req.query.dataset, { field: "dataset" }) ?? null };
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no"
    });
    res.write("retry: 2000\n\n");
    this.clients.add(client);
    const lastSeen = Number(req.get("Last-Event-ID"));
    if (Number.isInteger(lastSeen)) {
      for (const [datasetId, sentId] of this.lastSent) {
        if (sentId > lastSeen && (client.datasetId === null || client.datasetId === datasetId)) {
          res.write(this.message(sentId, datasetId, this.versions.get(datasetId) ?? 0));
        }
      }
    }
    const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), KEEPALIVE_MS);
    const drop = () => {
      clearInterval(keepAlive);
      this.clients.delete(client);
    };
    req.on("close", drop);
    res.on("error", drop);
  };
  /** Announces that a dataset changed; several calls within COALESCE_MS send one event. */
  notify(datasetId, version) {
    this.versions.set(datasetId, version);
    if (this.pending.has(datasetId)) return;
    this.pending.set(datasetId, setTimeout(() => {
      this.pending.delete(datasetId);
      this.send(datasetId, this.versions.get(datasetId) ?? version);
    }, COALESCE_MS));
  }
  message(id, datasetId, version) {
    return `id: ${id}
event: data-changed
data: ${JSON.stringify({ dataset: datasetId, version })}

`;
  }
  send(datasetId, version) {
    const id = ++this.eventId;
    this.lastSent.set(datasetId, id);
    const message = this.message(id, datasetId, version);
    for (const client of this.clients) {
      if (client.datasetId === null || client.datasetId === datasetId) client.res.write(message);
    }
  }
  /** Ends every stream (shutdown). */
  close() {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }
};

// server/web/exports.ts
import { Router as Router7 } from "express";

// server/web/export-format.ts
function neutraliseFormula(text) {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
function csvCell(value) {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const text = neutraliseFormula(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
function toCsv(table) {
  const lines = [table.headers.map(csvCell), ...table.rows.map((row) => row.map(csvCell))];
  return lines.map((cells) => cells.join(",")).join("\r\n") + "\r\n";
}
async function toXlsx(table) {
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "Customer Segments";
  const sheet = workbook.addWorksheet(table.sheetName);
  const header = sheet.addRow(table.headers.map(neutraliseFormula));
  header.font = { bold: true };
  sheet.views = [{ state: "frozen", ySplit: 1 }];
  for (const row of table.rows) sheet.addRow(row.map((v) => typeof v === "string" ? neutraliseFormula(v) : v));
  sheet.columns.forEach((column, i) => {
    column.width = Math.min(40, Math.max(10, table.headers[i].length + 2));
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

// server/web/export-tables.ts
var finiteOrNull = (v) => Number.isFinite(v) ? v : null;
function segmentsTable(result) {
  const numericFeatures = result.segments[0]?.features.map((f) => f.feature) ?? [];
  const headers = ["segment", "name", "customers", "share", "recommendation", ...numericFeatures.map((f) => `mean ${f}`), ...numericFeatures.map((f) => `median ${f}`)];
  const rows = result.segments.map((s) => [
    s.id + 1,
    s.name,
    s.size,
    s.share,
    s.recommendation,
    ...s.features.map((f) => finiteOrNull(f.mean)),
    ...s.features.map((f) => finiteOrNull(f.median))
  ]);
  if (result.noiseCount > 0) rows.push([null, "Noise", result.noiseCount, result.noiseCount / result.labels.length, "", ...numericFeatures.flatMap(() => [null, null])]);
  return { sheetName: "Segments", headers, rows };
}
function customersTable(result, columnNames, storedRows) {
  const segmentOfRow = new Int32Array(result.rowCount).fill(-2);
  result.rowIndex.forEach((r2, i) => segmentOfRow[r2] = result.labels[i]);
  const headers = [...columnNames, "segment", "segment name"];
  const rows = [];
  let r = 0;
  for (const stored of storedRows) {
    const cells = stored.map((v) => typeof v === "number" ? finiteOrNull(v) : v);
    const segment2 = segmentOfRow[r++];
    if (segment2 === -2) cells.push(null, "Not segmented (missing values dropped)");
    else if (segment2 === -1) cells.push(null, "Noise");
    else cells.push(segment2 + 1, result.segments[segment2].name);
    rows.push(cells);
  }
  return { sheetName: "Customers", headers, rows };
}

// server/web/exports.ts
var XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
async function send(res, table, name, format) {
  res.attachment(`${name}.${format}`);
  if (format === "csv") res.type("text/csv; charset=utf-8").send(toCsv(table));
  else res.type(XLSX_TYPE).send(await toXlsx(table));
}
function exportsRouter(db2, engine2) {
  const router = Router7();
  for (const format of ["csv", "xlsx"]) {
    router.get(`/export/segments.${format}`, async (req, res) => {
      const result = await engine2.segment(parseSegmentationParams(req.query, db2));
      await send(res, segmentsTable(result), "segments", format);
    });
    router.get(`/export/customers.${format}`, async (req, res) => {
      const params = parseSegmentationParams(req.query, db2);
      const result = await engine2.segment(params);
      const columns = getDataset(db2, params.datasetId).columns.map((c) => c.name);
      await send(res, customersTable(result, columns, iterateRows(db2, params.datasetId, result.rowCount)), "customers", format);
    });
  }
  return router;
}

// server/web/overview.ts
import { Router as Router8 } from "express";
var PAGE_SIZE = 25;
function customerTable(db2, req, dataset, baseQuery) {
  const pageCount = Math.max(1, Math.ceil(dataset.rowCount / PAGE_SIZE));
  const paging = parseInput(customerPageQuery, { page: req.query.page || void 0, sort: req.query.sort || void 0, dir: req.query.dir || void 0 });
  const page = Math.min(paging.page ?? 1, pageCount);
  const sort = paging.sort;
  if (sort !== void 0 && sort >= dataset.columns.length) throw new InputError(`sort must name one of the ${dataset.columns.length} columns (0 to ${dataset.columns.length - 1}).`, { field: "sort" });
  const dir = paging.dir;
  const { rows, total } = pageRows(db2, dataset.id, { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE, sortColumn: sort, descending: dir === "desc" });
  return { columns: dataset.columns, rows, page, pageCount, total, sort: sort ?? null, descending: dir === "desc", baseQuery };
}
function overviewRouter(db2, engine2) {
  const router = Router8();
  router.get("/", async (req, res) => {
    const params = parseSegmentationParams(req.query, db2);
    const datasets = listDatasets(db2);
    const dataset = datasets.find((d) => d.id === params.datasetId);
    const outlierRule = params.outliers.startsWith("zscore") ? "zscore" : "iqr";
    const overview = await engine2.overview(dataset.id, outlierRule, runContext(req, res));
    const categoryCharts = overview.summaries.flatMap((s) => s.kind === "categorical" ? [{ name: s.name, config: categoryChart(s.name, s.top) }] : []);
    const charts = [...overview.histograms.map((h) => ({ name: h.name, config: histogramChart(h.name, h.histogram) })), ...categoryCharts];
    const query = toQueryString(params, dataset);
    renderPageOrPartial(req, res, "overview", "partials/overview-content", {
      tab: "overview",
      params,
      dataset,
      datasets,
      summaries: overview.summaries,
      charts,
      query,
      missingValues: dataset.columns.reduce((sum, c) => sum + c.missing, 0),
      outliers: overview.outliers,
      correlation: overview.correlation,
      boxChart: overviewBoxChart(overview.standardisedBoxes),
      customers: customerTable(db2, req, dataset, query)
    });
  });
  router.get("/customers", (req, res) => {
    const params = parseSegmentationParams(req.query, db2);
    const dataset = listDatasets(db2).find((d) => d.id === params.datasetId);
    const query = toQueryString(params, dataset);
    if (!isHtmx(req)) {
      res.redirect(`/?${query}`);
      return;
    }
    res.render("partials/customer-table", { customers: customerTable(db2, req, dataset, query) });
  });
  return router;
}

// server/web/readings.ts
function readSilhouette(v) {
  if (!Number.isFinite(v)) return "Needs at least two segments.";
  if (v >= 0.5) return "Well separated: customers sit clearly closer to their own segment.";
  if (v >= 0.25) return "Segments overlap somewhat; the split is usable but not sharp.";
  return "Segments overlap heavily; try another k or other features.";
}
function readDaviesBouldin(v) {
  if (!Number.isFinite(v)) return "Needs at least two segments.";
  if (v < 0.8) return "Compact, distinct segments (lower is better).";
  if (v < 1.5) return "Reasonable separation (lower is better).";
  return "Segments blur into each other (lower is better).";
}
function readCalinskiHarabasz(v) {
  if (!Number.isFinite(v)) return "Needs at least two segments.";
  return "Between- versus within-segment spread; higher is better, compare across k on the same data.";
}
function readInertia() {
  return "Total squared distance to segment centres in scaled units; it always falls as k grows, so look for the elbow.";
}
function readStability(v) {
  if (!Number.isFinite(v)) return "Not computed for this segmentation.";
  if (v >= 0.85) return "Very stable: refits on resampled customers find the same segments.";
  if (v >= 0.6) return "Mostly stable: the main segments survive resampling.";
  return "Unstable: the segments change with the sample; treat them with care.";
}
var readings = { readSilhouette, readDaviesBouldin, readCalinskiHarabasz, readInertia, readStability };

// server/web/auth.ts
import { randomBytes as randomBytes3 } from "node:crypto";
import express4, { Router as Router9 } from "express";
import { z as z5 } from "zod";

// server/web/cookies.ts
function readCookie(req, name) {
  const header = req.headers.cookie;
  if (!header) return void 0;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return void 0;
      }
    }
  }
  return void 0;
}
function setStrictCookie(req, res, name, value, maxAgeSeconds) {
  res.cookie(name, value, { httpOnly: true, sameSite: "strict", secure: req.secure, path: "/", maxAge: maxAgeSeconds === void 0 ? void 0 : maxAgeSeconds * 1e3 });
}

// server/web/secrets.ts
import { createHash, timingSafeEqual } from "node:crypto";
function sameSecret(given, expected) {
  return timingSafeEqual(createHash("sha256").update(given).digest(), createHash("sha256").update(expected).digest());
}

// server/web/auth.ts
var SESSION_COOKIE = "cs_session";
var MAX_LOCKOUT_MS = 6e4;
var LoginThrottle = class {
  constructor(baseDelayMs) {
    this.baseDelayMs = baseDelayMs;
  }
  baseDelayMs;
  failures = /* @__PURE__ */ new Map();
  /** Milliseconds this client must still wait, 0 if it may try now. */
  waitFor(client) {
    const entry = this.failures.get(client);
    return entry ? Math.max(0, entry.until - Date.now()) : 0;
  }
  fail(client) {
    const count = (this.failures.get(client)?.count ?? 0) + 1;
    const delay = Math.min(MAX_LOCKOUT_MS, this.baseDelayMs * 2 ** (count - 1));
    this.failures.set(client, { count, until: Date.now() + delay });
    if (this.failures.size > 1e4) this.failures.delete(this.failures.keys().next().value);
    return delay;
  }
  succeed(client) {
    this.failures.delete(client);
  }
};
var loginForm = z5.object({
  password: z5.string({ error: "Enter the password." }).min(1, { error: "Enter the password." }).max(1e3, { error: "That password is too long." }),
  next: z5.string().max(2e3).optional(),
  _csrf: z5.string().optional()
});
function safeNext(next) {
  return next && /^\/(?![/\\])/.test(next) ? next : "/";
}
var Auth = class {
  constructor(settings) {
    this.settings = settings;
    this.throttle = new LoginThrottle(settings.failureDelayMs ?? 1e3);
    this.sessionMs = (settings.sessionSeconds ?? 12 * 3600) * 1e3;
  }
  settings;
  sessions = /* @__PURE__ */ new Map();
  throttle;
  sessionMs;
  bearerAccepted(req) {
    const header = req.get("Authorization");
    const match = header?.match(/^Bearer (.+)$/);
    return !!match && sameSecret(match[1], this.settings.password);
  }
  sessionValid(req) {
    const id = readCookie(req, SESSION_COOKIE);
    if (!id) return false;
    const expires = this.sessions.get(id);
    if (expires === void 0) return false;
    if (expires < Date.now()) {
      this.sessions.delete(id);
      return false;
    }
    return true;
  }
  /** Everything below this middleware needs a session or the bearer password. */
  required() {
    return (req, res, next) => {
      if (this.sessionValid(req) || this.bearerAccepted(req)) return next();
      if (req.path.startsWith("/api/") || req.path === "/events" || !req.accepts("html")) {
        res.set("WWW-Authenticate", 'Bearer realm="Customer Segments"').status(401).json({ error: "Sign in first: send Authorization: Bearer <dashboard password>." });
        return;
      }
      const login = `/login?next=${encodeURIComponent(req.originalUrl)}`;
      if (isHtmx(req)) {
        res.set("HX-Redirect", login).status(401).end();
        return;
      }
      res.redirect(303, login);
    };
  }
  routes() {
    const router = Router9();
    router.get("/login", (req, res) => {
      res.render("login", { title: "Sign in", next: safeNext(typeof req.query.next === "string" ? req.query.next : void 0), message: void 0 });
    });
    router.post("/login", async (req, res) => {
      const client = req.ip ?? "unknown";
      const fields = loginForm.safeParse(req.body ?? {});
      const next = safeNext(fields.success ? fields.data.next : void 0);
      const waiting = this.throttle.waitFor(client);
      if (waiting > 0) {
        const seconds = Math.ceil(waiting / 1e3);
        res.set("Retry-After", String(seconds)).status(429).render("login", { title: "Sign in", next, message: `Too many failed attempts. Wait ${seconds} second${seconds === 1 ? "" : "s"} and try again.` });
        return;
      }
      if (!fields.success) throw new InputError(fields.error.issues[0].message, { field: "password" });
      if (!sameSecret(fields.data.password, this.settings.password)) {
        const delay = this.throttle.fail(client);
        res.status(401).render("login", { title: "Sign in", next, message: `That password is not right. You can try again in ${Math.ceil(delay / 1e3)} second${delay <= 1e3 ? "" : "s"}.` });
        return;
      }
      this.throttle.succeed(client);
      const id = randomBytes3(32).toString("base64url");
      this.sessions.set(id, Date.now() + this.sessionMs);
      setStrictCookie(req, res, SESSION_COOKIE, id, this.sessionMs / 1e3);
      res.redirect(303, next);
    });
    router.post("/logout", (req, res) => {
      const id = readCookie(req, SESSION_COOKIE);
      if (id) this.sessions.delete(id);
      res.clearCookie(SESSION_COOKIE, { path: "/" });
      res.redirect(303, "/login");
    });
    return router;
  }
};
var loginBody = express4.urlencoded({ extended: false, limit: "8kb", parameterLimit: 10 });

// server/web/security.ts
import { randomBytes as randomBytes4 } from "node:crypto";
import helmet from "helmet";
function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // Chart PNG downloads are data: URLs made from the canvas.
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"]
      }
    },
    // The dashboard may be served over plain HTTP on a LAN: no HSTS unless behind HTTPS.
    strictTransportSecurity: false,
    referrerPolicy: { policy: "same-origin" }
  });
}
var CSRF_COOKIE = "cs_csrf";
var CSRF_HEADER = "X-CSRF-Token";
var CSRF_FIELD = "_csrf";
var SAFE_METHODS = /* @__PURE__ */ new Set(["GET", "HEAD", "OPTIONS"]);
function csrfProtection(options) {
  return (req, res, next) => {
    const cookie = readCookie(req, CSRF_COOKIE);
    const valid = cookie !== void 0 && /^[A-Za-z0-9_-]{43}$/.test(cookie);
    let token = valid ? cookie : void 0;
    if (!token) {
      token = randomBytes4(32).toString("base64url");
      setStrictCookie(req, res, CSRF_COOKIE, token);
    }
    res.locals.csrfToken = token;
    if (SAFE_METHODS.has(req.method)) return next();
    if (options.bearerAccepted(req)) return next();
    if (!req.headers.origin && !req.headers["sec-fetch-site"] && !req.headers.cookie) return next();
    const sent = req.get(CSRF_HEADER) ?? (typeof req.body === "object" && req.body ? req.body[CSRF_FIELD] : void 0);
    if (valid && typeof sent === "string" && sameSecret(sent, cookie)) return next();
    next(new InputError("This request did not carry the page's security token (it may come from another site, or the page is out of date). Reload the page and try again.", { status: 403 }));
  };
}

// server/app.ts
var DEFAULT_RETRAIN_POLICY = { afterCustomers: 500, afterMinutes: 60 };
var root = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));
function createApp(deps) {
  const { db: db2 } = deps;
  const engine2 = deps.engine ?? new Engine(db2);
  const staging = deps.staging ?? new UploadStaging();
  const maxUploadBytes = deps.maxUploadBytes ?? DEFAULT_MAX_BYTES;
  const events2 = deps.events ?? new LiveEvents();
  const models2 = deps.models ?? new ModelService(db2, engine2, DEFAULT_RETRAIN_POLICY, (id) => events2.notify(id, getDataset(db2, id).version));
  const auth = deps.auth?.password ? new Auth(deps.auth) : void 0;
  const app = express5();
  app.disable("x-powered-by");
  if (deps.trustProxy !== void 0) app.set("trust proxy", deps.trustProxy);
  app.set("views", root("views"));
  app.set("view engine", "ejs");
  app.set("view cache", true);
  app.locals.h = { ...viewHelpers, ...readings };
  app.use(securityHeaders());
  app.use("/static", express5.static(root("public"), { maxAge: "1h" }));
  app.use("/vendor/htmx", express5.static(root("node_modules/htmx.org/dist"), { maxAge: "1d" }));
  app.use("/vendor/chart.js", express5.static(root("node_modules/chart.js/dist"), { maxAge: "1d" }));
  app.use(express5.json({ limit: "2mb" }));
  app.use(["/login", "/logout"], loginBody);
  app.use(csrfProtection({ bearerAccepted: (req) => auth?.bearerAccepted(req) ?? false }));
  app.use((_req, res, next) => {
    res.locals.authEnabled = !!auth;
    next();
  });
  app.get("/healthz", (_req, res) => {
    pingDatabase(db2);
    res.json({ status: "ok", liveClients: events2.clientCount });
  });
  if (auth) {
    app.use(auth.routes());
    app.use(auth.required());
  }
  app.use(overviewRouter(db2, engine2));
  app.use(clustersRouter(db2, engine2));
  app.use(predictRouter(db2, engine2));
  app.use(apiRouter({ db: db2, engine: engine2, models: models2, staging, maxUploadBytes }));
  app.use(datasetsRouter({ db: db2, staging, maxUploadBytes }));
  app.use(customersRouter({ db: db2, engine: engine2, events: events2, models: models2 }));
  app.use(modelsRouter({ db: db2, engine: engine2, models: models2, staging }));
  app.use(exportsRouter(db2, engine2));
  app.use((req, _res, next) => next(new InputError(`There is no page at ${req.path}.`, { status: 404 })));
  app.use((error, req, res, _next) => {
    if (error instanceof SupersededError) {
      res.status(204).end();
      return;
    }
    const bodyError = error;
    let status = 500;
    let message = "Something went wrong on our side; the error has been logged.";
    if (error instanceof InputError || error instanceof BusyError) {
      status = error.status;
      message = error.message;
      if (error instanceof BusyError) res.set("Retry-After", "5");
    } else if (bodyError?.type === "entity.parse.failed") {
      status = 400;
      message = "The request body is not valid JSON.";
    } else if (bodyError?.type === "entity.too.large") {
      status = 413;
      message = "The request body is too large.";
    } else {
      console.error(error);
    }
    if (req.path.startsWith("/api/") || !req.accepts("html")) {
      res.status(status).json({ error: message });
    } else {
      res.status(status).render(isHtmx(req) ? "partials/error-message" : "error", { status, message, tab: "", datasets: [], dataset: void 0, query: "" });
    }
  });
  return app;
}

// server/config.ts
import { fileURLToPath as fileURLToPath2 } from "node:url";
import { z as z6 } from "zod";
var envSchema = z6.object({
  PORT: z6.coerce.number().int().min(0).max(65535).default(3e3),
  HOST: z6.string().min(1).default("127.0.0.1"),
  WORKERS: z6.coerce.number().int().min(0).max(16).default(1),
  RETRAIN_AFTER_CUSTOMERS: z6.coerce.number().int().min(1).default(500),
  RETRAIN_AFTER_MINUTES: z6.coerce.number().positive().default(60),
  MAX_UPLOAD_MB: z6.coerce.number().positive().max(1e5).default(200),
  AGGLOMERATIVE_MAX_ROWS: z6.coerce.number().int().min(100).max(2e4).default(5e3),
  DASHBOARD_PASSWORD: z6.string().max(1e3).default(""),
  TRUST_PROXY: z6.coerce.number().int().min(0).max(10).default(0),
  DB_PATH: z6.string().min(1).default(fileURLToPath2(new URL("../customer-segments.db", import.meta.url)))
});
var DEFAULT_DATASET_PATH = fileURLToPath2(new URL("../data/customers.csv", import.meta.url));
function loadConfig(env = process.env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  return {
    port: parsed.data.PORT,
    host: parsed.data.HOST,
    dbPath: parsed.data.DB_PATH,
    defaultDatasetPath: DEFAULT_DATASET_PATH,
    defaultDatasetName: "Sample customers",
    agglomerativeMaxRows: parsed.data.AGGLOMERATIVE_MAX_ROWS,
    maxUploadBytes: Math.round(parsed.data.MAX_UPLOAD_MB * 1e6),
    retrainAfterCustomers: parsed.data.RETRAIN_AFTER_CUSTOMERS,
    retrainAfterMinutes: parsed.data.RETRAIN_AFTER_MINUTES,
    workers: parsed.data.WORKERS,
    dashboardPassword: parsed.data.DASHBOARD_PASSWORD,
    trustProxy: parsed.data.TRUST_PROXY
  };
}

// server/engine/pool.ts
import { Worker } from "node:worker_threads";
var WORKER_URL = import.meta.url.endsWith(".ts") ? new URL("./worker-entry.mjs", import.meta.url) : new URL("./engine/worker.js", import.meta.url);
var WORKER_YOUNG_GENERATION_MB = 16;
var WorkerPool = class {
  /** More queued tasks than this are refused (503) rather than left to pile up. */
  constructor(size, maxQueued = 64) {
    this.maxQueued = maxQueued;
    for (let i = 0; i < Math.max(1, size); i++) {
      const slot = { busy: false };
      this.start(slot);
      this.slots.push(slot);
    }
  }
  maxQueued;
  slots = [];
  queue = [];
  nextId = 1;
  closing = false;
  stats = { runs: 0, shared: 0, superseded: 0 };
  start(slot) {
    const worker = new Worker(WORKER_URL, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    worker.on("message", (reply) => this.finish(slot, reply));
    worker.on("error", (error) => this.fail(slot, error));
    worker.on("exit", (code) => {
      if (slot.worker === worker && !this.closing) this.fail(slot, new Error(`the analysis worker stopped (exit code ${code})`));
    });
    worker.unref();
    slot.worker = worker;
  }
  run(body, key, context = {}) {
    return new Promise((resolve, reject) => {
      if (context.signal?.aborted) {
        reject(new SupersededError("The client went away before the analysis started."));
        return;
      }
      const waiter = { resolve, reject, context };
      if (context.view) this.supersede(context);
      context.signal?.addEventListener("abort", () => this.drop(waiter), { once: true });
      const same = this.queue.find((q) => q.key === key) ?? this.slots.find((s) => s.pending?.key === key)?.pending;
      if (same) {
        this.stats.shared++;
        same.waiters.push(waiter);
        return;
      }
      if (this.queue.length >= this.maxQueued) {
        reject(new BusyError());
        return;
      }
      this.queue.push({ body, key, waiters: [waiter] });
      this.dispatch();
    });
  }
  /** Queued (not yet running) tasks of this view for other work are answered as superseded. */
  supersede(context) {
    for (const entry of [...this.queue]) {
      for (const waiter of entry.waiters.filter((w) => w.context.view === context.view && w.context !== context)) {
        this.removeWaiter(entry, waiter);
        waiter.reject(new SupersededError());
      }
    }
  }
  /** The client of this waiter went away: if its task is still queued, it stops waiting. */
  drop(waiter) {
    const entry = this.queue.find((q) => q.waiters.includes(waiter));
    if (!entry) return;
    this.removeWaiter(entry, waiter);
    waiter.reject(new SupersededError("The client went away before the analysis started."));
  }
  removeWaiter(entry, waiter) {
    entry.waiters.splice(entry.waiters.indexOf(waiter), 1);
    if (entry.waiters.length === 0) {
      this.queue.splice(this.queue.indexOf(entry), 1);
      this.stats.superseded++;
    }
  }
  /** Tasks waiting for a free worker. */
  get queued() {
    return this.queue.length;
  }
  dispatch() {
    for (const slot of this.slots) {
      if (slot.busy || this.queue.length === 0) continue;
      const entry = this.queue.shift();
      slot.busy = true;
      slot.pending = entry;
      slot.worker.ref();
      this.stats.runs++;
      slot.worker.postMessage({ ...entry.body, id: this.nextId++ });
    }
  }
  finish(slot, reply) {
    const entry = slot.pending;
    slot.busy = false;
    slot.pending = void 0;
    slot.worker.unref();
    for (const w of entry.waiters) {
      if (reply.ok) w.resolve(reply.value);
      else if (reply.error.input) w.reject(new InputError(reply.error.message, { status: reply.error.status, field: reply.error.field }));
      else w.reject(new Error(reply.error.message));
    }
    this.dispatch();
  }
  fail(slot, error) {
    if (this.closing) return;
    const entry = slot.pending;
    slot.busy = false;
    slot.pending = void 0;
    entry?.waiters.forEach((w) => w.reject(error));
    void slot.worker.terminate();
    this.start(slot);
    this.dispatch();
  }
  async close() {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
};

// server/store/seed.ts
async function seedDefaultDataset(db2, csvPath, name) {
  if (listDatasets(db2).length > 0) return void 0;
  return importCsvFile(db2, csvPath, { name });
}

// server/main.ts
var config = loadConfig();
var db;
try {
  db = openDatabase(config.dbPath);
} catch (error) {
  console.error(`Customer Segments cannot start. ${describeOpenError(error, config.dbPath)}`);
  process.exit(1);
}
var seeded = await seedDefaultDataset(db, config.defaultDatasetPath, config.defaultDatasetName);
if (seeded) console.log(`Imported the sample dataset: ${seeded.rowCount} customers.`);
var pool = config.workers > 0 ? new WorkerPool(config.workers) : void 0;
var engine = new Engine(db, { agglomerativeMaxRows: config.agglomerativeMaxRows, pool });
var events = new LiveEvents();
var models = new ModelService(db, engine, { afterCustomers: config.retrainAfterCustomers, afterMinutes: config.retrainAfterMinutes }, (id) => events.notify(id, getDataset(db, id).version));
var retrainTimer = setInterval(() => {
  for (const dataset of listDatasets(db)) models.considerRetraining(dataset.id);
}, 6e4);
retrainTimer.unref();
var server = createApp({
  db,
  engine,
  events,
  models,
  maxUploadBytes: config.maxUploadBytes,
  auth: config.dashboardPassword ? { password: config.dashboardPassword } : void 0,
  trustProxy: config.trustProxy
}).listen(config.port, config.host, () => {
  const { port } = server.address();
  console.log(`Customer Segments is serving http://${config.host}:${port}`);
});
var DRAIN_TIMEOUT_MS = 15e3;
var stopping = false;
function shutdown() {
  if (stopping) return;
  stopping = true;
  console.log("Shutting down: finishing requests in flight\u2026");
  clearInterval(retrainTimer);
  events.close();
  server.close(() => {
    void pool?.close().finally(() => {
      db.close();
      console.log("Stopped.");
      process.exit(0);
    });
  });
  server.closeIdleConnections();
  setTimeout(() => {
    console.error(`Requests were still running after ${DRAIN_TIMEOUT_MS / 1e3} s; stopping anyway.`);
    process.exit(1);
  }, DRAIN_TIMEOUT_MS).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
//# sourceMappingURL=main.js.map
