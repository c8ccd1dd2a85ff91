/** Writes the bundled default dataset: `npm run generate-data [-- COUNT SEED OUT]`. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { customersToCsv, generateCustomers } from './synthetic-customers.ts';

const [countArg = '2400', seedArg = '42', outArg] = process.argv.slice(2);
const out = outArg ?? fileURLToPath(new URL('./customers.csv', import.meta.url));
const customers = generateCustomers(Number(countArg), Number(seedArg));
writeFileSync(out, customersToCsv(customers));
console.log(`wrote ${customers.length} customers to ${out}`);
