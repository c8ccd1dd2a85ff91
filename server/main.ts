/** Starts the dashboard: config, database, default dataset, HTTP server. */
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { Engine } from './engine/engine.ts';
import { WorkerPool } from './engine/pool.ts';
import { LiveEvents } from './web/events.ts';
import { ModelService } from './engine/models.ts';
import { getDataset, listDatasets } from './store/datasets.ts';
import { openDatabase } from './store/db.ts';
import { seedDefaultDataset } from './store/seed.ts';

const config = loadConfig();
const db = openDatabase(config.dbPath);
const seeded = await seedDefaultDataset(db, config.defaultDatasetPath, config.defaultDatasetName);
if (seeded) console.log(`Imported the sample dataset: ${seeded.rowCount} customers.`);

// Fits and sweeps run in worker threads, so the request thread stays responsive.
const pool = config.workers > 0 ? new WorkerPool(config.workers) : undefined;
const engine = new Engine(db, { agglomerativeMaxRows: config.agglomerativeMaxRows, pool });
const events = new LiveEvents();
const models = new ModelService(db, engine, { afterCustomers: config.retrainAfterCustomers, afterMinutes: config.retrainAfterMinutes }, (id) => events.notify(id, getDataset(db, id).version));
// Time-based retraining: once a minute, refit active models that have waited long enough.
const retrainTimer = setInterval(() => {
  for (const dataset of listDatasets(db)) models.considerRetraining(dataset.id);
}, 60_000);
retrainTimer.unref();
const server = createApp({
  db, engine, events, models, maxUploadBytes: config.maxUploadBytes,
  auth: config.dashboardPassword ? { password: config.dashboardPassword } : undefined,
  trustProxy: config.trustProxy,
}).listen(config.port, config.host, () => {
  console.log(`Customer Segments is serving http://${config.host}:${config.port}`);
});

function shutdown(): void {
  // Open event streams would keep close() waiting forever.
  events.close();
  server.close(() => {
    void pool?.close();
    db.close();
    process.exit(0);
  });
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
