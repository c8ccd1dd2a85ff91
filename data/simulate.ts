/**
 * npm run simulate -- [--rate 50] [--duration 60] [--url http://127.0.0.1:3000] [--dataset ID]
 * Registers realistic synthetic customers against a running server at a steady rate, for
 * demos and load tests. Stops by itself after --duration seconds.
 */
import { parseArgs } from 'node:util';
import { generateCustomers } from './synthetic-customers.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '60' },
    url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? 3000}` },
    dataset: { type: 'string' },
  },
});
const rate = Number(values.rate);
const duration = Number(values.duration);
if (!(rate > 0 && rate <= 10_000) || !(duration > 0 && duration <= 86_400)) {
  console.error('--rate must be 1 to 10000 per second and --duration 1 to 86400 seconds.');
  process.exit(2);
}
const endpoint = `${values.url}/api/customers${values.dataset ? `?dataset=${encodeURIComponent(values.dataset)}` : ''}`;
// Send in small batches every 100 ms, so high rates do not mean thousands of requests.
const tickMs = 100;
const perTick = rate * (tickMs / 1000);
const total = Math.round(rate * duration);
const pool = generateCustomers(Math.min(total, 100_000), Date.now() % 100_000);
let sent = 0;
let failed = 0;
let carry = 0;
const started = Date.now();

while (sent + failed < total && Date.now() - started < duration * 1000 + 5000) {
  const tickStart = Date.now();
  carry += perTick;
  const count = Math.min(Math.floor(carry), total - sent - failed);
  carry -= count;
  if (count > 0) {
    const batch = Array.from({ length: count }, (_, i) => {
      const { customer_id: _id, ...customer } = pool[(sent + failed + i) % pool.length];
      return customer;
    });
    try {
      const res = await fetch(endpoint, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(batch) });
      if (res.ok) sent += count;
      else {
        failed += count;
        console.error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
      }
    } catch (error) {
      failed += count;
      console.error(`request failed: ${(error as Error).message}`);
    }
  }
  await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - tickStart))));
}
const seconds = (Date.now() - started) / 1000;
console.log(`registered ${sent} customers in ${seconds.toFixed(1)} s (${(sent / seconds).toFixed(1)}/s), ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
