/**
 * Analysis kernels on 1,000,000 x 8 rows, and the same work in scikit-learn on the same data
 * when /usr/bin/python3 has it (apt-get install -y python3-sklearn).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kmeansPlusPlus } from '../../server/analysis/cluster/init.ts';
import { lloyd } from '../../server/analysis/cluster/lloyd.ts';
import { fitMiniBatch } from '../../server/analysis/cluster/minibatch.ts';
import { meanVariance } from '../../server/analysis/cluster/assign.ts';
import { createMatrix, selectRows, type Matrix } from '../../server/analysis/matrix.ts';
import { silhouette } from '../../server/analysis/metrics.ts';
import { fitPcaModel, projectRows } from '../../server/analysis/pca.ts';
import { createRng, normal, sampleIndices } from '../../server/analysis/random.ts';

export interface KernelFigure {
  name: string;
  ours: number;
  sklearn?: number;
}

function blobs(rows: number, cols: number, k: number, seed: number): Matrix {
  const rng = createRng(seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: cols }, () => normal(rng, 0, 4)));
  const m = createMatrix(rows, cols);
  for (let i = 0; i < rows; i++) {
    const c = centres[i % k];
    for (let j = 0; j < cols; j++) m.data[i * cols + j] = normal(rng, c[j], 1);
  }
  return m;
}

/** Runs of each kernel, on both sides: the median is reported (one run swung by a third either way). */
const RUNS = 3;

const time = (f: () => unknown) => {
  const seconds: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    f();
    seconds.push((performance.now() - started) / 1000);
  }
  return seconds.sort((a, b) => a - b)[RUNS >> 1];
};

const SKLEARN = `
import sys, time, numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
rows, cols, path, init_path, sample_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
X = np.fromfile(path, dtype=np.float64).reshape(rows, cols)
init = np.fromfile(init_path, dtype=np.float64).reshape(-1, cols)
S = np.fromfile(sample_path, dtype=np.float64).reshape(-1, cols)
def t(f, runs=3):
    times = []
    for _ in range(runs):
        s = time.perf_counter(); r = f(); times.append(time.perf_counter() - s)
    return sorted(times)[runs // 2], r
kt, km = t(lambda: KMeans(n_clusters=len(init), init=init, n_init=1, algorithm='lloyd').fit(X))
mt, _ = t(lambda: MiniBatchKMeans(n_clusters=len(init), init=init, n_init=1, batch_size=1024, max_iter=1, max_no_improvement=None, random_state=0).fit(X))
pt, _ = t(lambda: PCA(n_components=2).fit_transform(X))
st, _ = t(lambda: silhouette_score(S, km.labels_[:len(S)]))
print(kt, mt, pt, st)
`;

export function benchKernels(rows = 1_000_000, cols = 8, k = 5): KernelFigure[] {
  const x = blobs(rows, cols, k, 7);
  const init = kmeansPlusPlus(selectRows(x, sampleIndices(rows, 10_000, 1)), k, 1);
  const tolerance = 1e-4 * meanVariance(x);
  let labels: Int32Array = new Int32Array(0);
  const kmeansSeconds = time(() => { labels = lloyd(x, init, { maxIterations: 300, tolerance }).labels; });
  // Mini-batch with the same stopping rule on both sides: from the same centres, one pass's
  // worth of batches of 1,024 (scikit-learn: max_iter=1 without early stopping), then every
  // row labelled. (Early stopping is compared badly: where it stops depends on the batches
  // drawn, from a dozen batches to hundreds.)
  const batches = Math.floor(rows / 1024);
  const miniSeconds = time(() => fitMiniBatch(x, { k, seed: 1, batchSize: 1024, maxIterations: batches, initialCentroids: init, stopEarly: false }));
  const pcaSeconds = time(() => projectRows(x, fitPcaModel(x)));
  const sample = selectRows(x, Int32Array.from({ length: 10_000 }, (_, i) => i));
  const silhouetteSeconds = time(() => silhouette(sample, labels.subarray(0, 10_000)));
  const figures: KernelFigure[] = [
    { name: `k-means fit ${rows.toLocaleString('en-US')} x ${cols}, k=${k} (one init, Lloyd)`, ours: kmeansSeconds },
    { name: `mini-batch k-means ${rows.toLocaleString('en-US')} x ${cols}, ${batches} batches of 1,024 from the same centres, every row labelled`, ours: miniSeconds },
    { name: `PCA ${rows.toLocaleString('en-US')} x ${cols}`, ours: pcaSeconds },
    { name: 'exact silhouette, 10,000 rows', ours: silhouetteSeconds },
  ];
  if (existsSync('/usr/bin/python3')) {
    const dir = mkdtempSync(join(tmpdir(), 'cs-bench-sk-'));
    try {
      writeFileSync(join(dir, 'x.bin'), Buffer.from(x.data.buffer));
      writeFileSync(join(dir, 'init.bin'), Buffer.from(init.data.buffer));
      writeFileSync(join(dir, 's.bin'), Buffer.from(sample.data.buffer));
      writeFileSync(join(dir, 'bench.py'), SKLEARN);
      // OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE guard old OpenBLAS builds here but slow a
      // current numpy: scikit-learn runs without them, for a fair comparison.
      const { OPENBLAS_CORETYPE: _core, OPENBLAS_L2_SIZE: _l2, ...env } = process.env;
      const run = spawnSync('/usr/bin/python3', [join(dir, 'bench.py'), String(rows), String(cols), join(dir, 'x.bin'), join(dir, 'init.bin'), join(dir, 's.bin')], { encoding: 'utf8', env });
      if (run.status === 0) {
        run.stdout.trim().split(/\s+/).map(Number).forEach((seconds, i) => (figures[i].sklearn = seconds));
      } else {
        console.error(`scikit-learn comparison skipped: ${run.stderr.trim().split('\n').pop()}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return figures;
}
