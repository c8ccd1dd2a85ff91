/** The dashboard's server once its workers are starting: database, default dataset, HTTP server, shutdown. */
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import type { AppConfig } from './config.ts';
import type { WorkerPool } from './engine/pool.ts';
import { buildServices } from './services.ts';
import { listDatasets } from './store/datasets.ts';
import { describeOpenError, openDatabase, type Db } from './store/db.ts';
import { seedDefaultDataset } from './ingest/seed.ts';
import { stagingDirFor, UploadStaging } from './ingest/staging.ts';

export async function serve(config: AppConfig, pool: WorkerPool | undefined): Promise<void> {
  let db: Db;
  try {
    db = openDatabase(config.dbPath);
  } catch (error) {
    console.error(`Customer Segments cannot start. ${describeOpenError(error, config.dbPath)}`);
    process.exit(1);
  }
  // Uploads beside the database; what a killed process left half-written goes now.
  const staging = new UploadStaging(stagingDirFor(config.dbPath));
  staging.recover();
  const seeded = await seedDefaultDataset(db, config.defaultDatasetPath, config.defaultDatasetName);
  if (seeded) console.log(`Imported the sample dataset: ${seeded.rowCount} customers.`);

  const { engine, events, models, webhooks, sender, sources } = buildServices(db, {
    pool,
    agglomerativeMaxRows: config.agglomerativeMaxRows,
    retrain: config.retrain,
    sources: { sourcesDir: config.sourcesDir, sampleRows: config.sourceSampleRows, timeoutMs: config.analysisTimeoutMs },
  });
  // Time-based retraining: once a minute, refit active models that have waited long enough.
  const retrainTimer = setInterval(() => {
    for (const dataset of listDatasets(db)) models.considerRetraining(dataset.id);
  }, 60_000);
  retrainTimer.unref();
  // Deliveries a killed server left in the outbox go first.
  sender.start();
  const server = createApp({
    db,
    engine,
    events,
    models,
    webhooks,
    sources,
    staging,
    maxUploadBytes: config.maxUploadBytes,
    auth: config.dashboardPassword ? { password: config.dashboardPassword } : undefined,
    trustProxy: config.trustProxy,
  }).listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    console.log(`Customer Segments is serving http://${config.host}:${port}`);
  });

  /** Requests still running after this long on SIGTERM are cut off. */
  const DRAIN_TIMEOUT_MS = 15_000;
  let stopping = false;

  /**
   * Stop taking connections, let requests in flight finish (a fit in the worker included),
   * end the live-update streams so browsers reconnect elsewhere, then close the database.
   */
  function shutdown(): void {
    if (stopping) return;
    stopping = true;
    console.log('Shutting down: finishing requests in flight…');
    clearInterval(retrainTimer);
    // Open event streams would keep close() waiting forever.
    events.close();
    server.close(() => {
      // Attempts on their way are recorded; what is still pending goes at the next start.
      void Promise.all([pool?.close(), sender.stop()]).finally(() => {
        db.close();
        console.log('Stopped.');
        process.exit(0);
      });
    });
    server.closeIdleConnections();
    setTimeout(() => {
      console.error(`Requests were still running after ${DRAIN_TIMEOUT_MS / 1000} s; stopping anyway.`);
      process.exit(1);
    }, DRAIN_TIMEOUT_MS).unref();
  }
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
