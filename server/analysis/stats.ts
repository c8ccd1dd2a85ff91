/** Small descriptive statistics over typed arrays, NaN meaning missing. */

export function presentValues(values: Float64Array): Float64Array {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) count++;
  const out = new Float64Array(count);
  for (let i = 0, j = 0; i < values.length; i++) if (!Number.isNaN(values[i])) out[j++] = values[i];
  return out;
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length ? sum / values.length : Number.NaN;
}

/** Population standard deviation (ddof = 0), as StandardScaler. */
export function populationSd(values: ArrayLike<number>, center = mean(values)): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] - center) ** 2;
  return values.length ? Math.sqrt(sum / values.length) : Number.NaN;
}

/**
 * Quantile of `count` ordered values with linear interpolation between order statistics
 * (numpy's default); valueAt(rank) gives the value of that rank.
 */
export function quantileAt(count: number, q: number, valueAt: (rank: number) => number): number {
  if (count === 0) return Number.NaN;
  const [lower, upper, weight] = quantileRanks(count, q);
  const below = valueAt(lower);
  return below + (valueAt(upper) - below) * weight;
}

/** The two ranks quantileAt reads for q of `count` values, and the weight of the upper one. */
export function quantileRanks(count: number, q: number): [lower: number, upper: number, weight: number] {
  const position = q * (count - 1);
  const lower = Math.floor(position);
  return [lower, Math.ceil(position), position - lower];
}

export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  return quantileAt(sorted.length, q, (rank) => sorted[rank]);
}

/**
 * Mean and population SD of the present (non-NaN) values, or of values[through[i]] for each
 * i when given: the same sums as mean and populationSd over a copy, without the copy.
 */
export function presentMoments(values: Float64Array, through?: ArrayLike<number>): { mean: number; sd: number } {
  // Two loops rather than one through an accessor: this runs per column on every fit.
  let n = 0;
  let sum = 0;
  if (through) {
    for (let i = 0; i < through.length; i++) {
      const v = values[through[i]];
      if (!Number.isNaN(v)) {
        n++;
        sum += v;
      }
    }
  } else {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isNaN(v)) {
        n++;
        sum += v;
      }
    }
  }
  const m = n ? sum / n : Number.NaN;
  let squares = 0;
  if (through) {
    for (let i = 0; i < through.length; i++) {
      const v = values[through[i]];
      if (!Number.isNaN(v)) squares += (v - m) ** 2;
    }
  } else {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isNaN(v)) squares += (v - m) ** 2;
    }
  }
  return { mean: m, sd: n ? Math.sqrt(squares / n) : Number.NaN };
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return (values instanceof Float64Array ? values.slice() : Float64Array.from(values)).sort();
}

/** Group of each of n items from labels of a subset of them (-1 for the rest). */
export function groupOf(n: number, index: ArrayLike<number>, labels: ArrayLike<number>): Int32Array {
  const group = new Int32Array(n).fill(-1);
  for (let i = 0; i < index.length; i++) group[index[i]] = labels[i];
  return group;
}

/** values[through[i]] for each index i (values[i] without through), as a plain loop: the hot path of profiles and charts. */
export function gather(values: Float64Array, indices: ArrayLike<number>, through?: ArrayLike<number>): Float64Array {
  const out = new Float64Array(indices.length);
  if (through) for (let i = 0; i < indices.length; i++) out[i] = values[through[indices[i]]];
  else for (let i = 0; i < indices.length; i++) out[i] = values[indices[i]];
  return out;
}

/** Whether the indices are 0, 1, 2, ...: every row in order, whose values are read in place rather than gathered. */
export function isEveryRow(indices: ArrayLike<number>): boolean {
  for (let i = 0; i < indices.length; i++) if (indices[i] !== i) return false;
  return true;
}

/** Most frequent value; ties go to the smallest, as scikit-learn's SimpleImputer. */
export function mostFrequent(values: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < values.length; i++) counts.set(values[i], (counts.get(values[i]) ?? 0) + 1);
  let best = Number.NaN;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

export function mostFrequentText(values: readonly (string | null)[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== null && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}
