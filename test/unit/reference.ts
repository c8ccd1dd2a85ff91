/** Loads the scikit-learn reference figures and their datasets from ../shared. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCsvText } from '../support/csv-text.ts';
import { inferColumnKind } from '../../server/ingest/infer.ts';
import { isMissing, parseNumber } from '../../server/ingest/values.ts';
import type { Column, DataTable } from '../../server/analysis/table.ts';

export const SHARED_DIR = fileURLToPath(new URL('../../../shared/', import.meta.url));

export interface ReferenceSweepRow {
  k: number;
  inertia: number;
  silhouette: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
  labels: number[];
  centroidsScaled: number[][];
}

export interface Reference {
  source: string;
  features: string[];
  rows: number;
  missingPerFeature: Record<string, number>;
  imputationMeans: Record<string, number>;
  standardScaler: { mean: number[]; scale: number[] };
  firstRowsScaled: { standard: number[][]; minmax: number[][]; robust: number[][] };
  kmeansSweep: ReferenceSweepRow[];
  ward: { k: number; labels: number[]; silhouette: number; daviesBouldin: number; calinskiHarabasz: number };
  dbscan: { eps: number; minPts: number; labels: number[]; noise: number; clusters: number };
  pca: { explainedVarianceRatio: number[]; componentsSignFixed: number[][] };
  ariExamples: { a: number[]; b: number[]; ari: number }[];
}

export const REFERENCE_FILES = ['mall_income_spending.json', 'mall_age_income_spending.json', 'wholesale_spending.json'];

export function loadReference(file: string): Reference {
  return JSON.parse(readFileSync(`${SHARED_DIR}reference/${file}`, 'utf8')) as Reference;
}

/** A shared dataset parsed the way the importer does, without a database. */
export function loadSharedTable(source: string): DataTable {
  return loadCsvTable(`${SHARED_DIR}datasets/${source}`);
}

/** A CSV file parsed the way the importer does, without a database. */
export function loadCsvTable(path: string | URL): DataTable {
  const { header, rows } = parseCsvText(readFileSync(path, 'utf8'));
  const columns: Column[] = header.map((name, c) => {
    const raw = rows.map((r) => r[c]);
    const kind = inferColumnKind(name, raw);
    if (kind === 'numeric') {
      return { name, kind, values: Float64Array.from(raw, (v) => (isMissing(v) ? Number.NaN : parseNumber(v))) };
    }
    return { name, kind, values: raw.map((v) => (isMissing(v) ? null : v.trim())) };
  });
  return { rowCount: rows.length, columns };
}
