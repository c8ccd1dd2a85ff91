/** Server time of a Clusters re-run on the default dataset, render included. */
import { withSampleApp } from '../support/listening-app.ts';

export interface LatencyFigures {
  p50: number;
  p95: number;
  max: number;
}

export function percentiles(samples: number[]): LatencyFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
}

export function benchClusters(requests = 200): Promise<{ rerun: LatencyFigures; cached: LatencyFigures; sweepMs: number }> {
  return withSampleApp('clusters', async ({ engine, client }) => {
    // A first view as the browser loads it: the fit region, then the curves region (the sweep).
    const sweepMs = (await client.timedGet('/clusters?k=5')) + (await client.timedGet('/clusters/sweep?k=5&shown=5'));
    const rerun: number[] = [];
    for (let i = 0; i < requests; i++) {
      engine.clearResults();
      rerun.push(await client.timedGet(`/clusters?k=${2 + (i % 9)}`));
    }
    for (let k = 2; k <= 10; k++) await client.timedGet(`/clusters?k=${k}`);
    const cached: number[] = [];
    for (let i = 0; i < requests; i++) cached.push(await client.timedGet(`/clusters?k=${2 + (i % 9)}`));
    return { rerun: percentiles(rerun), cached: percentiles(cached), sweepMs };
  });
}
