/** createApp(deps): the Express app, shared by main.ts and the tests. */
import express, { type NextFunction, type Request, type Response } from 'express';
import { fileURLToPath } from 'node:url';
import { Engine } from './engine/engine.ts';
import { DEFAULT_OPTIONS } from './segmentation/options.ts';
import { MODEL_JSON_MAX_BYTES } from './models/model-schema.ts';
import { algorithmsReading, LIMITS } from './web/params.ts';
import { BusyError, InputError, SupersededError } from './errors.ts';
import { pingDatabase, type Db } from './store/db.ts';
import { apiRouter } from './web/api.ts';
import { MAX_UPLOAD_BYTES, SOURCE_SAMPLE_ROWS, TASK_TIMEOUT_MS } from './defaults.ts';
import { SourceService } from './sources/source-service.ts';
import { sourcesRouter } from './web/sources.ts';
import { UploadStaging } from './ingest/staging.ts';
import { clustersRouter } from './web/clusters.ts';
import { customersRouter } from './web/customers.ts';
import { liveRouter } from './live/live-routes.ts';
import { modelsRouter } from './web/saved-segmentations.ts';
import type { ModelService } from './models/model-service.ts';
import { modelServiceFor } from './services.ts';
import { datasetsRouter } from './web/datasets.ts';
import { LiveEvents } from './live/live-events.ts';
import { exportsRouter } from './web/exports.ts';
import { webhooksRouter } from './web/webhooks.ts';
import { WebhookService } from './webhooks/webhook-service.ts';
import { reportRouter } from './web/report.ts';
import { overviewRouter } from './web/overview.ts';
import { predictRouter } from './web/predict.ts';
import { readings } from './web/readings.ts';
import { describeRequestError } from './web/request-errors.ts';
import { isHtmx, viewHelpers } from './web/render.ts';
import { Auth, loginBody, type AuthSettings } from './web/auth.ts';
import { csrfProtection, securityHeaders } from './web/security.ts';

export interface AppDeps {
  db: Db;
  engine?: Engine;
  staging?: UploadStaging;
  /** Largest CSV accepted, in bytes (default 200 MB). */
  maxUploadBytes?: number;
  events?: LiveEvents;
  models?: ModelService;
  webhooks?: WebhookService;
  /** Warehouse sources (DuckDB files, PostgreSQL tables); without, file sources are refused. */
  sources?: SourceService;
  /** With a password every page and API call needs it (DASHBOARD_PASSWORD). */
  auth?: AuthSettings;
  /** Express's trust proxy setting, so cookies are Secure behind an HTTPS proxy (TRUST_PROXY). */
  trustProxy?: boolean | number | string;
}

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export function createApp(deps: AppDeps): express.Express {
  const { db } = deps;
  // What the caller did not give is built as main.ts builds it (services.ts), around what it did.
  const engine = deps.engine ?? new Engine(db);
  const events = deps.events ?? new LiveEvents();
  const models = deps.models ?? modelServiceFor(db, engine, events);
  const webhooks = deps.webhooks ?? new WebhookService(db);
  const sources = deps.sources ?? new SourceService(db, { sampleRows: SOURCE_SAMPLE_ROWS, timeoutMs: TASK_TIMEOUT_MS });
  const staging = deps.staging ?? new UploadStaging();
  const maxUploadBytes = deps.maxUploadBytes ?? MAX_UPLOAD_BYTES;
  const auth = deps.auth?.password ? new Auth(deps.auth) : undefined;
  const app = express();
  app.disable('x-powered-by');
  if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);
  app.set('views', root('views'));
  app.set('view engine', 'ejs');
  // Compiled templates are kept whatever NODE_ENV says (Express caches only in production):
  // compiling the results partial on every request cost more than rendering it.
  app.set('view cache', true);
  app.locals.h = { ...viewHelpers, ...readings };
  // The analysis defaults and the API's limits, declared once, bound the controls the views draw.
  app.locals.defaults = DEFAULT_OPTIONS;
  app.locals.limits = LIMITS;
  // Which algorithms read each algorithm-specific control: the form shows it only for those.
  app.locals.readers = Object.fromEntries(
    (['eps', 'minPts', 'nInit', 'batchSize', 'iterations'] as const).map((name) => [name, algorithmsReading(name)]),
  );

  app.use(securityHeaders());
  app.use('/static', express.static(root('public'), { maxAge: '1h' }));
  app.use('/vendor/htmx', express.static(root('node_modules/htmx.org/dist'), { maxAge: '1d' }));
  app.use('/vendor/chart.js', express.static(root('node_modules/chart.js/dist'), { maxAge: '1d' }));
  app.use('/vendor/chartjs-chart-sankey', express.static(root('node_modules/chartjs-chart-sankey/dist'), { maxAge: '1d' }));
  app.use(express.json({ limit: MODEL_JSON_MAX_BYTES }));
  app.use(['/login', '/logout'], loginBody);
  app.use(csrfProtection({ bearerAccepted: (req) => auth?.bearerAccepted(req) ?? false }));
  app.use((_req, res, next) => {
    res.locals.authEnabled = !!auth;
    // Taken before the page's data is read: an event sent meanwhile makes the page refresh.
    res.locals.live = events.snapshot();
    res.locals.progressEvents = events;
    next();
  });

  app.get('/healthz', (_req, res) => {
    pingDatabase(db);
    res.json({ status: 'ok', liveClients: events.clientCount });
  });
  if (auth) {
    app.use(auth.routes());
    app.use(auth.required());
  }
  app.use(overviewRouter(db, engine));
  app.use(clustersRouter(db, engine));
  app.use(predictRouter(db, engine, models));
  app.use(sourcesRouter({ db, models, sources }));
  app.use(apiRouter({ db, engine, models, staging, maxUploadBytes }));
  app.use(datasetsRouter({ db, staging, maxUploadBytes }));
  app.use(liveRouter(events));
  app.use(customersRouter({ db, engine, events, models }));
  app.use(modelsRouter({ db, models, staging }));
  app.use(webhooksRouter(webhooks));
  app.use(exportsRouter(db, engine));
  app.use(reportRouter(db, engine));

  app.use((req: Request, _res: Response, next: NextFunction) => next(new InputError(`There is no page at ${req.path}.`, { status: 404 })));
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof SupersededError) {
      // The view that asked has a newer request on the way (or is gone): nothing to swap.
      res.status(204).end();
      return;
    }
    let status = 500;
    let message = 'Something went wrong on our side; the error has been logged.';
    const refused =
      error instanceof InputError || error instanceof BusyError
        ? { status: error.status, message: error.message }
        : describeRequestError(error);
    if (refused) {
      ({ status, message } = refused);
      if (error instanceof BusyError) res.set('Retry-After', '5');
    } else {
      console.error(error);
    }
    if (req.path.startsWith('/api/') || !req.accepts('html')) {
      res.status(status).json({ error: message });
    } else {
      res.status(status).render(isHtmx(req) ? 'partials/error-message' : 'error', {
        status,
        message,
        tab: '',
        datasets: [],
        dataset: undefined,
        query: '',
      });
    }
  });
  return app;
}
