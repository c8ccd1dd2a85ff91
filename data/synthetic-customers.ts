/**
 * Seeded synthetic customers with the default dataset's columns. Five underlying customer
 * types with plausible correlations (income drives purchase amount, tenure drives
 * frequency), about 2% missing numeric values and a few outliers, so preprocessing
 * choices visibly change the segments.
 */
import { createRng, normal } from '../server/analysis/random.ts';

export const CUSTOMER_COLUMNS = [
  'customer_id', 'age', 'gender', 'annual_income', 'spending_score', 'membership_years',
  'purchase_frequency', 'last_purchase_amount', 'preferred_category',
] as const;

export type CustomerRecord = Record<(typeof CUSTOMER_COLUMNS)[number], string | number | null>;

interface CustomerType {
  weight: number;
  age: [number, number];
  income: [number, number];
  spending: [number, number];
  membership: [number, number];
  baseFrequency: [number, number];
  purchaseShareOfIncome: number;
  genders: Record<string, number>;
  categories: Record<string, number>;
}

const CATEGORIES = ['Electronics', 'Clothing', 'Groceries', 'Home & Garden', 'Sports', 'Beauty'];

const CUSTOMER_TYPES: CustomerType[] = [
  { // affluent big spenders
    weight: 0.18, age: [40, 8], income: [112_000, 14_000], spending: [82, 7], membership: [6, 2],
    baseFrequency: [7, 2], purchaseShareOfIncome: 0.0042,
    genders: { Female: 0.5, Male: 0.46, Other: 0.04 },
    categories: { Electronics: 0.35, Clothing: 0.2, 'Home & Garden': 0.25, Sports: 0.1, Beauty: 0.1 },
  },
  { // budget-conscious
    weight: 0.24, age: [47, 11], income: [34_000, 7_000], spending: [20, 8], membership: [4, 2],
    baseFrequency: [2, 1], purchaseShareOfIncome: 0.0018,
    genders: { Female: 0.48, Male: 0.5, Other: 0.02 },
    categories: { Groceries: 0.55, 'Home & Garden': 0.2, Clothing: 0.15, Sports: 0.1 },
  },
  { // young trend shoppers
    weight: 0.22, age: [24, 3.5], income: [41_000, 9_000], spending: [76, 9], membership: [1.5, 1],
    baseFrequency: [12, 3], purchaseShareOfIncome: 0.0028,
    genders: { Female: 0.58, Male: 0.36, Other: 0.06 },
    categories: { Clothing: 0.4, Beauty: 0.25, Electronics: 0.2, Sports: 0.15 },
  },
  { // loyal regulars
    weight: 0.2, age: [57, 7], income: [70_000, 11_000], spending: [52, 9], membership: [13, 3],
    baseFrequency: [8, 2], purchaseShareOfIncome: 0.0026,
    genders: { Female: 0.52, Male: 0.47, Other: 0.01 },
    categories: { Groceries: 0.35, 'Home & Garden': 0.35, Beauty: 0.1, Clothing: 0.1, Electronics: 0.1 },
  },
  { // cautious high earners
    weight: 0.16, age: [43, 9], income: [104_000, 15_000], spending: [23, 8], membership: [5, 2],
    baseFrequency: [2.5, 1], purchaseShareOfIncome: 0.0024,
    genders: { Female: 0.4, Male: 0.57, Other: 0.03 },
    categories: { Electronics: 0.4, Sports: 0.25, 'Home & Garden': 0.2, Groceries: 0.15 },
  },
];

const NUMERIC_COLUMNS = [
  'age', 'annual_income', 'spending_score', 'membership_years', 'purchase_frequency',
  'last_purchase_amount',
] as const;

const MISSING_RATE = 0.02;
const OUTLIER_RATE = 0.006;

function pickWeighted(rng: () => number, weights: Record<string, number>): string {
  const entries = Object.entries(weights);
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let r = rng() * total;
  for (const [name, w] of entries) {
    r -= w;
    if (r <= 0) return name;
  }
  return entries[entries.length - 1][0];
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** `count` customers, identical for the same seed. */
export function generateCustomers(count: number, seed = 42): CustomerRecord[] {
  const rng = createRng(seed);
  const typeWeights = Object.fromEntries(CUSTOMER_TYPES.map((t, i) => [String(i), t.weight]));
  const customers: CustomerRecord[] = [];
  for (let i = 0; i < count; i++) {
    const type = CUSTOMER_TYPES[Number(pickWeighted(rng, typeWeights))];
    const age = Math.round(clamp(normal(rng, ...type.age), 18, 75));
    const income = round(clamp(normal(rng, ...type.income), 12_000, 250_000), -2);
    const membership = round(clamp(normal(rng, ...type.membership), 0, 30), 1);
    // Tenure drives frequency: long-standing customers shop more often.
    const frequency = round(clamp(normal(rng, ...type.baseFrequency) + 0.45 * membership, 0.5, 40), 1);
    // Income drives basket size.
    const lastPurchase = round(clamp(income * type.purchaseShareOfIncome * (1 + normal(rng, 0, 0.25)), 5, 2_000), 2);
    const record: CustomerRecord = {
      customer_id: `C${String(i + 1).padStart(6, '0')}`,
      age,
      gender: pickWeighted(rng, type.genders),
      annual_income: income,
      spending_score: Math.round(clamp(normal(rng, ...type.spending), 1, 100)),
      membership_years: membership,
      purchase_frequency: frequency,
      last_purchase_amount: lastPurchase,
      preferred_category: pickWeighted(rng, type.categories),
    };
    if (rng() < OUTLIER_RATE) {
      // A handful of extreme but possible customers: a very rich one, a bulk buyer.
      if (rng() < 0.5) record.annual_income = round(350_000 + rng() * 250_000, -2);
      else record.last_purchase_amount = round(3_000 + rng() * 4_000, 2);
    }
    for (const column of NUMERIC_COLUMNS) {
      if (rng() < MISSING_RATE) record[column] = null;
    }
    customers.push(record);
  }
  return customers;
}

/** Quote a CSV field only where it needs it. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function customersToCsv(customers: CustomerRecord[]): string {
  const lines = [CUSTOMER_COLUMNS.join(',')];
  for (const c of customers) lines.push(CUSTOMER_COLUMNS.map((col) => csvField(c[col])).join(','));
  return lines.join('\n') + '\n';
}

export { CATEGORIES };
