/** npm run bench: prints the performance figures the issues set targets for. */
import { benchImport } from './import.ts';

const rows = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const figures = await benchImport(rows);
console.log('benchmark                          figure        target');
console.log(`import ${figures.rows.toLocaleString('en-US')} rows x 9 (${figures.megabytes.toFixed(0)} MB)  ${figures.seconds.toFixed(2).padStart(6)} s      < 15 s`);
console.log(`import peak RSS                    ${figures.peakRssMb.toFixed(0).padStart(6)} MB     < 300 MB`);
