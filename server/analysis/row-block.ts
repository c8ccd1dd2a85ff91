/**
 * A fitted preprocessor applied to table rows a block at a time, column by column: the same
 * values as transformTableRow row by row (transform.ts), without two closures per row. A
 * million rows are assigned in a fraction of the time, and the block's buffers stay small
 * whatever the table's size.
 */
import type { FittedPreprocessor } from './preprocess.ts';
import type { StepColumns } from './transform.ts';

/** Rows transformed at a time. */
export const ROW_BLOCK = 2048;

export class RowBlockTransformer {
  readonly width: number;
  /** The block's rows as transformed, row-major, `width` values each. */
  readonly x: Float64Array;
  /** Each numeric feature as filled and clipped, before scaling, row-major (transform.ts `raw`). */
  readonly raw: Float64Array;
  /** 1 where the row is kept; 0 where an infinite value or the missing-value rule drops it. */
  readonly kept = new Uint8Array(ROW_BLOCK);
  /** Per categorical step, each level's indicator (its first place in `levels`, as indexOf finds it). */
  private readonly levelIndex: Map<string, number>[];
  /** Per numeric step, the flags that read it: their output column and value. */
  private readonly flagsOf: { at: number; value: number; weight: number }[][];

  constructor(
    private readonly fitted: FittedPreprocessor,
    private readonly columns: StepColumns,
  ) {
    this.width = fitted.outputNames.length;
    this.x = new Float64Array(ROW_BLOCK * this.width);
    this.raw = new Float64Array(ROW_BLOCK * fitted.numeric.length);
    this.levelIndex = fitted.categorical.map((step) => {
      const index = new Map<string, number>();
      step.levels.forEach((level, i) => index.has(level) || index.set(level, i));
      return index;
    });
    const flags = fitted.flags ?? [];
    const flagStart = this.width - flags.length;
    this.flagsOf = fitted.numeric.map((s) =>
      flags.flatMap((f, i) => (f.name === s.name ? [{ at: flagStart + i, value: f.value, weight: f.weight }] : [])),
    );
  }

  /** Transforms rows[start], …, rows[start + n - 1] (n ≤ ROW_BLOCK) into the block. */
  transform(rows: ArrayLike<number>, start: number, n: number): void {
    const { fitted, columns, x, raw, kept, width } = this;
    const numericCount = fitted.numeric.length;
    const drop = fitted.missing === 'drop';
    x.fill(0, 0, n * width);
    kept.fill(1, 0, n);
    for (let j = 0; j < numericCount; j++) {
      const step = fitted.numeric[j];
      const values = columns.numeric[j];
      const sentinel = columns.sentinelRows[j];
      const flags = this.flagsOf[j];
      for (let i = 0; i < n; i++) {
        const row = rows[start + i];
        let value = sentinel?.[row] === 1 ? step.missingValue! : (values?.[row] ?? Number.NaN);
        if (value === Infinity || value === -Infinity) {
          kept[i] = 0;
          continue;
        }
        // Flags read the values as given: a "never" value becomes missing below, but it is flagged.
        for (const flag of flags) if (value === flag.value) x[i * width + flag.at] = flag.weight;
        if (Number.isNaN(value) || value === step.missingValue) {
          if (drop) {
            kept[i] = 0;
            continue;
          }
          value = step.fill;
        }
        if (step.clipLow !== null) value = Math.max(step.clipLow, value);
        if (step.clipHigh !== null) value = Math.min(step.clipHigh, value);
        raw[i * numericCount + j] = value;
        x[i * width + j] = (value - step.center) / step.scale;
      }
    }
    let offset = numericCount;
    for (let j = 0; j < fitted.categorical.length; j++) {
      const step = fitted.categorical[j];
      const values = columns.categorical[j];
      const index = this.levelIndex[j];
      for (let i = 0; i < n; i++) {
        let level = values?.[rows[start + i]] ?? null;
        if (level === null || level === '') {
          if (drop) {
            kept[i] = 0;
            continue;
          }
          level = step.fill;
        }
        const at = index.get(level);
        if (at !== undefined) x[i * width + offset + at] = step.weight;
      }
      offset += step.levels.length;
    }
  }
}
