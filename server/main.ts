/**
 * Starts the dashboard. The analysis workers start first, so that they boot (about 0.1 s:
 * their own modules and SQLite) while this thread loads the web server's modules, and the
 * first request finds them ready instead of waiting for them.
 */
import { loadConfig } from './config.ts';
import { WorkerPool } from './engine/pool.ts';

const config = loadConfig();
// Fits and sweeps run in worker threads, so the request thread stays responsive.
const pool = config.workers > 0 ? new WorkerPool(config.workers, undefined, config.analysisTimeoutMs) : undefined;
const { serve } = await import('./serve.ts');
await serve(config, pool);
