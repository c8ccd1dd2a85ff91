/**
 * The analysis worker: fits and sweeps off the request thread. It keeps the tables and
 * prepared matrices it has seen, so the main thread sends each dataset version once.
 */
import { parentPort } from 'node:worker_threads';
import { preprocessKey, type SegmentationOptions } from '../analysis/options.ts';
import { extendSegmentation, prepare, runSweep, segment, type PreparedData, type SegmentationResult } from '../analysis/pipeline.ts';
import type { DataTable } from '../analysis/table.ts';
import { InputError } from '../errors.ts';
import { runTableTask, type TableTask } from '../analysis/model-ops.ts';
import { LruCache } from './lru.ts';
import { unpackTable, WORKER_TABLES, type PackedTable } from './pool.ts';

export type WorkerTask =
  | { id: number; kind: 'segment'; tableKey: string; table?: PackedTable; options: SegmentationOptions & { k: number } }
  | { id: number; kind: 'sweep'; tableKey: string; table?: PackedTable; options: SegmentationOptions }
  | { id: number; kind: 'extend'; tableKey: string; table?: PackedTable; previous: SegmentationResult }
  | { id: number; kind: 'table'; tableKey: string; table?: PackedTable; task: TableTask };

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { message: string; status?: number; field?: string; input: boolean } };

const tables = new LruCache<DataTable>(WORKER_TABLES);
// Prepared matrices of big datasets are large: at most about three million rows of them.
const prepared = new LruCache<PreparedData>(8, { maxWeight: 3_000_000, weigh: (p) => p.prep.matrix.rows });

function handle(task: WorkerTask): unknown {
  if (task.table) tables.set(task.tableKey, unpackTable(task.table));
  const table = tables.get(task.tableKey);
  if (!table) throw new Error(`worker has no table ${task.tableKey}`);
  if (task.kind === 'extend') return extendSegmentation(task.previous, table);
  if (task.kind === 'table') return runTableTask(table, task.task);
  const data = prepared.getOrCompute(`${task.tableKey}|${preprocessKey(task.options)}`, () => prepare(table, task.options));
  return task.kind === 'segment' ? segment(table, data, task.options) : runSweep(data, task.options);
}

parentPort?.on('message', (task: WorkerTask) => {
  let reply: WorkerReply;
  try {
    reply = { id: task.id, ok: true, value: handle(task) };
  } catch (error) {
    const err = error as Error;
    reply = { id: task.id, ok: false, error: { message: err.message, status: (err as InputError).status, field: (err as InputError).field, input: err instanceof InputError } };
  }
  parentPort!.postMessage(reply);
});
