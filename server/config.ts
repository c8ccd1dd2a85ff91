/** Every environment variable the server reads, parsed and validated in one place. */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  MAX_UPLOAD_BYTES,
  RETRAIN_POLICY,
  SEGMENTATION_DEFAULTS,
  SOURCE_SAMPLE_ROWS,
  TASK_TIMEOUT_MS,
  WARD_MAX_ROWS,
  type RetrainPolicy,
} from './defaults.ts';

export interface AppConfig {
  port: number;
  host: string;
  dbPath: string;
  defaultDatasetPath: string;
  defaultDatasetName: string;
  agglomerativeMaxRows: number;
  maxUploadBytes: number;
  retrain: RetrainPolicy;
  /** Analysis worker threads; 0 runs analysis on the request thread. */
  workers: number;
  /** Longest one analysis may run in a worker before it is stopped (503). */
  analysisTimeoutMs: number;
  /** Empty: no login (anyone who can reach the port can read and change the data). */
  dashboardPassword: string;
  /** Express trust proxy: how many proxies in front, so Secure cookies follow their HTTPS. */
  trustProxy: number;
  /** The folder every file source and score output must be in (SOURCES_DIR); unset: file sources are refused. */
  sourcesDir: string | undefined;
  /** Rows of a source the dashboard samples to work on (SOURCE_SAMPLE_ROWS). */
  sourceSampleRows: number;
}

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  WORKERS: z.coerce.number().int().min(0).max(16).default(1),
  ANALYSIS_TIMEOUT_SECONDS: z.coerce
    .number()
    .positive()
    .max(86_400)
    .default(TASK_TIMEOUT_MS / 1000),
  RETRAIN_AFTER_CUSTOMERS: z.coerce.number().int().min(1).default(RETRAIN_POLICY.afterCustomers),
  RETRAIN_AFTER_MINUTES: z.coerce.number().positive().default(RETRAIN_POLICY.afterMinutes),
  MAX_UPLOAD_MB: z.coerce
    .number()
    .positive()
    .max(100_000)
    .default(MAX_UPLOAD_BYTES / 1e6),
  AGGLOMERATIVE_MAX_ROWS: z.coerce.number().int().min(100).max(WARD_MAX_ROWS).default(SEGMENTATION_DEFAULTS.agglomerativeMaxRows),
  DASHBOARD_PASSWORD: z.string().max(1000).default(''),
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  SOURCES_DIR: z.string().min(1).optional(),
  SOURCE_SAMPLE_ROWS: z.coerce.number().int().min(100).max(50_000_000).default(SOURCE_SAMPLE_ROWS),
  DB_PATH: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../customer-segments.db', import.meta.url))),
});

export const DEFAULT_DATASET_PATH = fileURLToPath(new URL('../data/customers.csv', import.meta.url));

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
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
    defaultDatasetName: 'Sample customers',
    agglomerativeMaxRows: parsed.data.AGGLOMERATIVE_MAX_ROWS,
    maxUploadBytes: Math.round(parsed.data.MAX_UPLOAD_MB * 1e6),
    retrain: { afterCustomers: parsed.data.RETRAIN_AFTER_CUSTOMERS, afterMinutes: parsed.data.RETRAIN_AFTER_MINUTES },
    workers: parsed.data.WORKERS,
    analysisTimeoutMs: Math.round(parsed.data.ANALYSIS_TIMEOUT_SECONDS * 1000),
    dashboardPassword: parsed.data.DASHBOARD_PASSWORD,
    trustProxy: parsed.data.TRUST_PROXY,
    sourcesDir: parsed.data.SOURCES_DIR,
    sourceSampleRows: parsed.data.SOURCE_SAMPLE_ROWS,
  };
}
