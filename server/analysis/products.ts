/**
 * What each segment buys, from an RFM dataset's purchases: its top products (share of the
 * segment's purchase lines) and its trending ones (those whose share of the segment's lines
 * grew most from the 30 days before the log's last 30 to those last 30), as the seeds' shop
 * analysis asks: "products added to cart and trending products".
 */
import type { Purchases } from './table.ts';

export interface SegmentProducts {
  top: { product: string; share: number }[];
  /** growth: the rise of the product's share of the segment's lines, last 30 days against the 30 before (0.05 = 5 points). */
  trending: { product: string; growth: number }[];
}

/** Products listed per segment. */
export const PRODUCTS_SHOWN = 5;
/** A product needs this many lines in the last 30 days to trend: one purchase is not a trend. */
const MIN_RECENT_LINES = 3;

/** `segmentOfRow`: each table row's segment, -1 for rows not segmented. */
export function segmentProducts(purchases: Purchases, segmentOfRow: Int32Array, k: number): SegmentProducts[] {
  const productCount = purchases.products.length;
  const lines = new Float64Array(k * productCount);
  const recent = new Float64Array(k * productCount);
  const prior = new Float64Array(k * productCount);
  const totals = { lines: new Float64Array(k), recent: new Float64Array(k), prior: new Float64Array(k) };
  for (let i = 0; i < purchases.row.length; i++) {
    const segment = purchases.row[i] < segmentOfRow.length ? segmentOfRow[purchases.row[i]] : -1;
    if (segment < 0) continue;
    const at = segment * productCount + purchases.product[i];
    lines[at] += purchases.lines[i];
    recent[at] += purchases.recent[i];
    prior[at] += purchases.prior[i];
    totals.lines[segment] += purchases.lines[i];
    totals.recent[segment] += purchases.recent[i];
    totals.prior[segment] += purchases.prior[i];
  }
  return Array.from({ length: k }, (_, segment) => {
    const base = segment * productCount;
    const codes = Array.from({ length: productCount }, (_, p) => p);
    const top = codes
      .filter((p) => lines[base + p] > 0)
      .sort((a, b) => lines[base + b] - lines[base + a] || purchases.products[a].localeCompare(purchases.products[b]))
      .slice(0, PRODUCTS_SHOWN)
      .map((p) => ({ product: purchases.products[p], share: lines[base + p] / totals.lines[segment] }));
    if (totals.recent[segment] === 0 || totals.prior[segment] === 0) return { top, trending: [] };
    const growth = (p: number) => recent[base + p] / totals.recent[segment] - prior[base + p] / totals.prior[segment];
    const trending = codes
      .filter((p) => recent[base + p] >= MIN_RECENT_LINES && growth(p) > 0)
      .sort((a, b) => growth(b) - growth(a) || purchases.products[a].localeCompare(purchases.products[b]))
      .slice(0, PRODUCTS_SHOWN)
      .map((p) => ({ product: purchases.products[p], growth: growth(p) }));
    return { top, trending };
  });
}
