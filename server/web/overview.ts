/** Overview tab: KPIs, column summaries, distributions, correlations, the customer table. */
import { Router, type Request } from 'express';
import type { Engine } from '../engine/engine.ts';
import { InputError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { getDataset, listDatasets, pageRows, type DatasetInfo } from '../store/datasets.ts';
import { overviewChartsOf } from './overview-view.ts';
import { datasetSource } from '../store/dataset-sources.ts';
import { parseSegmentationParams, toQueryString } from './params.ts';
import { isHtmx, renderPageOrPartial } from './render.ts';
import { customerPageQuery, parseInput } from './inputs.ts';
import { runContext } from './run-context.ts';

export const PAGE_SIZE = 25;

export interface CustomerTableView {
  columns: DatasetInfo['columns'];
  rows: (string | number | null)[][];
  page: number;
  pageCount: number;
  total: number;
  sort: number | null;
  descending: boolean;
  baseQuery: string;
}

function customerTable(db: Db, req: Request, dataset: DatasetInfo, baseQuery: string): CustomerTableView {
  const pageCount = Math.max(1, Math.ceil(dataset.rowCount / PAGE_SIZE));
  const paging = parseInput(customerPageQuery, {
    page: req.query.page || undefined,
    sort: req.query.sort || undefined,
    dir: req.query.dir || undefined,
  });
  const page = Math.min(paging.page ?? 1, pageCount);
  const sort = paging.sort;
  if (sort !== undefined && sort >= dataset.columns.length)
    throw new InputError(`sort must name one of the ${dataset.columns.length} columns (0 to ${dataset.columns.length - 1}).`, {
      field: 'sort',
    });
  const dir = paging.dir;
  const { rows, total } = pageRows(db, dataset.id, {
    offset: (page - 1) * PAGE_SIZE,
    limit: PAGE_SIZE,
    sortColumn: sort,
    descending: dir === 'desc',
  });
  return { columns: dataset.columns, rows, page, pageCount, total, sort: sort ?? null, descending: dir === 'desc', baseQuery };
}

/** The customers table's own parameters (customerPageQuery). */
const CUSTOMER_TABLE_PARAMS = ['page', 'sort', 'dir'];

export function overviewRouter(db: Db, engine: Engine): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const params = parseSegmentationParams(req.query, db, CUSTOMER_TABLE_PARAMS);
    const datasets = listDatasets(db);
    const dataset = datasets.find((d) => d.id === params.datasetId)!;
    const outlierRule = params.outliers.startsWith('zscore') ? 'zscore' : 'iqr';
    const overview = await engine.overview(dataset.id, outlierRule, runContext(req, res, dataset.id));
    const charts = overviewChartsOf(overview);
    const query = toQueryString(params, dataset);
    // A source's counts, missing values, means and quartiles are the engine's, over every row.
    const sourceProfile = datasetSource(db, dataset.id)?.profile;
    renderPageOrPartial(req, res, 'overview', 'partials/overview-content', {
      tab: 'overview',
      params,
      dataset,
      datasets,
      summaries: overview.summaries,
      charts: charts.distributions,
      query,
      missingValues: sourceProfile
        ? sourceProfile.reduce((sum, c) => sum + c.missing, 0)
        : dataset.columns.reduce((sum, c) => sum + c.missing, 0),
      sourceProfile,
      outliers: overview.outliers,
      correlation: overview.correlation,
      boxChart: charts.boxes,
      customers: customerTable(db, req, dataset, query),
    });
  });

  router.get('/customers', (req, res) => {
    const params = parseSegmentationParams(req.query, db, CUSTOMER_TABLE_PARAMS);
    const dataset = getDataset(db, params.datasetId);
    const query = toQueryString(params, dataset);
    if (!isHtmx(req)) {
      res.redirect(`/?${query}`);
      return;
    }
    res.render('partials/customer-table', { customers: customerTable(db, req, dataset, query) });
  });
  return router;
}
