/**
 * Engine work bounded by the analysis timeout and by the request: a client that goes away
 * stops the query in the engine (DuckDB interrupted mid-query), and a timeout answers 504.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { CancelledError, InputError } from '../../../server/errors.ts';
import { openDuckDbSource } from '../../../server/sources/duckdb-source.ts';
import { bounded } from '../../../server/sources/source-connection.ts';

const dir = mkdtempSync(join(tmpdir(), 'cs-bounded-'));
const file = join(dir, 'many.parquet');
before(async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`COPY (SELECT i AS customer_id, hash(i) % 100000 AS a, hash(i * 3) % 100000 AS b, hash(i * 7) % 1000 AS c
    FROM range(3000000) r(i)) TO '${file}' (FORMAT PARQUET)`);
  connection.closeSync();
  instance.closeSync();
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('bounded engine work', () => {
  it('stops the engine and answers 504 at the timeout, and CancelledError when the request goes away', async () => {
    let interrupted = 0;
    const never = new Promise<never>(() => {});
    await assert.rejects(bounded(never, 5, () => interrupted++, 'Counting'), (e: InputError) => e.status === 504 && /Counting took longer/.test(e.message));
    const controller = new AbortController();
    const waiting = bounded(never, 60_000, () => interrupted++, 'Counting', controller.signal);
    controller.abort();
    await assert.rejects(waiting, CancelledError);
    assert.equal(interrupted, 2);
    const gone = new AbortController();
    gone.abort();
    await assert.rejects(bounded(Promise.resolve(1), 60_000, () => interrupted++, 'Counting', gone.signal), CancelledError);
    assert.equal(await bounded(Promise.resolve(7), 60_000, () => interrupted++, 'Counting'), 7);
  });

  it('interrupts a DuckDB query mid-way when the client goes away, and the connection closes cleanly', async () => {
    const controller = new AbortController();
    const source = await openDuckDbSource(file, undefined, 120_000, false, controller.signal);
    try {
      const columns = await source.columns();
      // Exact quartiles of three columns over three million rows: seconds of work, stopped after 20 ms.
      const profiling = source.profile(columns);
      setTimeout(() => controller.abort(), 20);
      await assert.rejects(profiling, CancelledError);
    } finally {
      await source.close();
    }
  });
});
