// server/engine/worker.ts
import Database from "better-sqlite3";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parentPort } from "node:worker_threads";

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

// server/analysis/options.ts
function preprocessKey(o) {
  return JSON.stringify([o.features, o.scaling, o.missing, o.outliers]);
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
  const find = (i) => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  for (let m = 0; m < n - k; m++) parent[find(merges[m].a)] = find(merges[m].b);
  const labelOfRoot = /* @__PURE__ */ new Map();
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const root = find(i);
    if (!labelOfRoot.has(root)) labelOfRoot.set(root, labelOfRoot.size);
    labels[i] = labelOfRoot.get(root);
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
      const z = (v) => (v - m) / scale;
      return [{ name: c.name, stats: { low: z(raw.low), q1: z(raw.q1), median: z(raw.median), q3: z(raw.q3), high: z(raw.high), outliers: raw.outliers } }];
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
  const z = (...roles) => {
    const hits = distinguishing.filter((d) => roles.includes(conceptFor(d.feature).role));
    if (hits.length === 0) return null;
    return hits.reduce((a, b) => Math.abs(b.differenceSd) > Math.abs(a.differenceSd) ? b : a).differenceSd;
  };
  const high = (v) => v !== null && v >= DISTINCTIVE_SD;
  const low = (v) => v !== null && v <= -DISTINCTIVE_SD;
  const value = z("spending", "basket");
  const income = z("income");
  if (high(z("recency"))) return 'Win back: a time-limited comeback offer and a "we miss you" message; ask what changed.';
  if (high(value) && high(income)) return "Reward and retain: a VIP tier, early access to launches and personal service; protect them with perks rather than discounts.";
  if (low(value) && high(income)) return "Unlock untapped potential: premium showcases and quality-led messages to turn their income into spend.";
  if (high(z("frequency")) && low(value)) return 'Upsell: bundles, free-delivery thresholds and "complete the set" offers to raise the value of each visit.';
  if (high(value) && low(income)) return "Keep them engaged: trend-led content and a points programme on affordable lines that rewards frequency.";
  if (high(z("tenure"))) return "Recognise loyalty: anniversary rewards, referral incentives and early-renewal perks.";
  if (low(value) || low(income)) return "Value first: price-led promotions, multibuy deals and budget ranges; keep the cost of reaching them low.";
  if (low(z("age")) || low(z("tenure"))) return "Grow the relationship: mobile-first onboarding offers and a welcome series that builds the habit.";
  if (high(value) || high(z("frequency"))) return "Cross-sell: recommend adjacent categories to customers who already buy well.";
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
  for (let round = 0; round < 4; round++) {
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
      const answer2 = { accepted: outcome.accepted, reason: outcome.reason };
      if (outcome.accepted && outcome.result) {
        const pipeline = outcome.result.pipeline;
        answer2.refit = { pipeline, baseline: baselineFor(pipeline, table, assignAll(pipeline, table)) };
      }
      return answer2;
    }
  }
}

// server/store/datasets.ts
var rowTable = (datasetId) => `ds_${Math.trunc(datasetId)}`;
var columnIdent = (position) => `c${Math.trunc(position)}`;
function columnsOf(db, datasetId) {
  return db.prepare("SELECT name, kind, missing FROM dataset_columns WHERE dataset_id = ? ORDER BY position").all(datasetId);
}
function toInfo(db, row) {
  return {
    id: row.id,
    name: row.name,
    rowCount: row.row_count,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    columns: columnsOf(db, row.id)
  };
}
function findDataset(db, id) {
  const row = db.prepare("SELECT * FROM datasets WHERE id = ?").get(id);
  return row ? toInfo(db, row) : void 0;
}
function getDataset(db, id) {
  const info = findDataset(db, id);
  if (!info) throw new NotFoundError(`There is no dataset with id ${id}.`);
  return info;
}
var analysed = (kind) => kind === "numeric" || kind === "categorical";
function loadDataTable(db, id, options = {}) {
  const info = getDataset(db, id);
  const wanted = info.columns.map((c, position) => ({ ...c, position })).filter((c) => !options.analysisOnly || analysed(c.kind));
  const rowCount = options.rowCount ?? db.prepare(`SELECT COUNT(*) AS n FROM ${rowTable(id)}`).get().n;
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
  const rows = db.prepare(`SELECT ${idents.join(", ")} FROM ${rowTable(id)} ORDER BY row_id LIMIT ? OFFSET ?`).raw().iterate(rowCount - from, from);
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
function sameColumns(table, columns) {
  return table.columns.length === columns.length && table.columns.every((c, i) => c.name === columns[i].name && c.kind === columns[i].kind);
}

// server/store/column-counts.ts
function textColumnCounts(db, datasetId, position, rowCount, topLevels) {
  const rows = `(SELECT ${columnIdent(position)} AS v FROM ${rowTable(datasetId)} ORDER BY row_id LIMIT ?)`;
  const totals = db.prepare(`SELECT COUNT(v) AS count, COUNT(DISTINCT v) AS distinct_count FROM ${rows}`).get(rowCount);
  const top = db.prepare(`SELECT CAST(v AS TEXT) AS level, COUNT(*) AS count FROM ${rows} WHERE v IS NOT NULL GROUP BY v ORDER BY count DESC, v LIMIT ?`).all(rowCount, topLevels);
  return { count: totals.count, missing: rowCount - totals.count, distinct: totals.distinct_count, top };
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

// server/engine/tables.ts
var TABLE_CACHE_ROWS = 15e5;
var TableCache = class {
  tables = new LruCache(4, { maxWeight: TABLE_CACHE_ROWS, weigh: (t) => t.rowCount });
  /** The newest table per dataset, which the next version extends. */
  latest = new LruCache(4, { maxWeight: TABLE_CACHE_ROWS, weigh: (t) => t.table.rowCount });
  get(db, source) {
    return this.tables.getOrCompute(source.version, () => {
      const key = String(source.datasetId);
      const last = this.latest.get(key);
      const previous = last?.identity === source.identity && last.table.rowCount <= source.rowCount ? last.table : void 0;
      const table = loadDataTable(db, source.datasetId, { previous, rowCount: source.rowCount, analysisOnly: true });
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
  run(db, task) {
    const table = this.tables.get(db, task.source);
    switch (task.kind) {
      case "extend":
        return extendSegmentation(task.previous, table);
      case "table":
        return runTableTask(table, task.task);
      case "ranges":
        return featureRanges(table, table.columns.map((c) => c.name));
      case "overview":
        return withUnloadedColumns(db, task.source, datasetOverview(table, task.outlierRule));
      case "segment":
      case "sweep": {
        const data = this.prepared.getOrCompute(`${task.source.version}|${preprocessKey(task.options)}`, () => prepare(table, task.options));
        if (task.kind === "sweep") return runSweep(data, task.options);
        return segment(table, data, task.options, { withoutSharedParts: task.omitShared });
      }
    }
  }
};
function withUnloadedColumns(db, source, overview) {
  const loaded = new Map(overview.summaries.map((s) => [s.name, s]));
  const summaries = getDataset(db, source.datasetId).columns.map((column, position) => {
    const summary = loaded.get(column.name);
    if (summary) return summary;
    return { name: column.name, kind: column.kind, ...textColumnCounts(db, source.datasetId, position, source.rowCount, TOP_LEVELS) };
  });
  return { ...overview, summaries };
}

// server/engine/worker.ts
var BIG_TABLE_ROWS = 1e5;
setFlagsFromString("--expose-gc");
var collectGarbage = runInNewContext("gc");
var runner = new TaskRunner();
var databases = /* @__PURE__ */ new Map();
function databaseAt(path) {
  let db = databases.get(path);
  if (!db) {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    databases.set(path, db);
  }
  return db;
}
function answer(task) {
  let reply;
  try {
    reply = { id: task.id, ok: true, value: runner.run(databaseAt(task.dbPath), task) };
  } catch (error) {
    const err = error;
    reply = { id: task.id, ok: false, error: { message: err.message, status: err.status, field: err.field, input: err instanceof InputError } };
  }
  parentPort.postMessage(reply);
}
parentPort?.on("message", (task) => {
  answer(task);
  if (task.source.rowCount >= BIG_TABLE_ROWS) collectGarbage();
});
//# sourceMappingURL=worker.js.map
