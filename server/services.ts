/**
 * The services behind the routes (the analysis engine, saved segmentations with their
 * retraining, the live event stream, webhooks and their sender), built one way for the server and for tests.
 */
import { Engine } from './engine/engine.ts';
import { RETRAIN_POLICY } from './defaults.ts';
import { ModelService, type RetrainPolicy } from './models/model-service.ts';
import type { WorkerPool } from './engine/pool.ts';
import { getDataset } from './store/datasets.ts';
import type { Db } from './store/db.ts';
import { LiveEvents } from './live/live-events.ts';
import { WebhookSender } from './webhooks/webhook-sender.ts';
import { WebhookService } from './webhooks/webhook-service.ts';
import { SourceService, type SourceSettings } from './sources/source-service.ts';
import { SOURCE_SAMPLE_ROWS, TASK_TIMEOUT_MS } from './defaults.ts';

export interface ServiceSettings {
  /** Analysis in these worker threads; without, on the request thread. */
  pool?: WorkerPool;
  /** Ward fits on a sample above this many customers (AGGLOMERATIVE_MAX_ROWS). */
  agglomerativeMaxRows?: number;
  retrain?: RetrainPolicy;
  /** Warehouse sources: SOURCES_DIR, the sample size, the query timeout. */
  sources?: Partial<SourceSettings>;
}

export interface Services {
  engine: Engine;
  events: LiveEvents;
  models: ModelService;
  webhooks: WebhookService;
  /** Sends the webhooks' deliveries once started (serve.ts); stopped on shutdown. */
  sender: WebhookSender;
  sources: SourceService;
}

export function buildServices(db: Db, settings: ServiceSettings = {}): Services {
  const engine = new Engine(db, { pool: settings.pool, agglomerativeMaxRows: settings.agglomerativeMaxRows });
  const events = new LiveEvents();
  return {
    engine,
    events,
    models: modelServiceFor(db, engine, events, settings.retrain),
    webhooks: new WebhookService(db),
    sender: new WebhookSender(db),
    sources: new SourceService(db, { sampleRows: SOURCE_SAMPLE_ROWS, timeoutMs: TASK_TIMEOUT_MS, ...settings.sources }),
  };
}

/** Saved segmentations over this engine; a retrain makes a new version, and open dashboards are told to follow. */
export function modelServiceFor(db: Db, engine: Engine, events: LiveEvents, retrain: RetrainPolicy = RETRAIN_POLICY): ModelService {
  return new ModelService(db, engine, retrain, (id) => events.notify(id, getDataset(db, id).version));
}
