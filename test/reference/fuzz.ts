// `npm run fuzz -- --seeds N [--from K] [--no-workers] [--workers-every M]`: the differential
// comparison of differential.ts over more seeds than the suite runs, every way on every seed
// (workers on every M-th seed, default 10). Prints one line per discrepancy (seed, way,
// check, expected vs got; a known gap's id when one explains it) and a summary: discrepancies by
// way and check, known gaps that fired (and those that never did: fixed?), with the smallest
// seed of each. Exit status 1 if any discrepancy is not explained by a known gap.

import { compareSeed, describeDiscrepancy, KNOWN_GAPS, workersSeed, type Discrepancy } from './differential.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`${name} needs a whole number`);
    process.exit(2);
  }
  return v;
}

const seeds = arg('--seeds', 1000);
const from = arg('--from', 0);
const workers = !process.argv.includes('--no-workers');
const every = arg('--workers-every', 10) || 10;
const start = performance.now();
const all: Discrepancy[] = [];
for (let seed = from; seed < from + seeds; seed++) {
  const found = await compareSeed(seed, { workers: workers && workersSeed(seed, every), thorough: true, gappedWays: true });
  for (const d of found) console.log(describeDiscrepancy(d));
  all.push(...found);
}

const byCategory = new Map<string, { count: number; seeds: Set<number>; min: number }>();
for (const d of all) {
  const key = d.gap ? `known gap ${d.gap}: ${d.way} ${d.check}` : `UNEXPLAINED: ${d.way} ${d.check}`;
  const c = byCategory.get(key) ?? { count: 0, seeds: new Set<number>(), min: d.seed };
  c.count++;
  c.seeds.add(d.seed);
  c.min = Math.min(c.min, d.seed);
  byCategory.set(key, c);
}
console.log(`\n${seeds} seeds from ${from} in ${((performance.now() - start) / 1000).toFixed(1)} s${workers ? ` (workers every ${every}th seed)` : ''}`);
for (const [key, c] of [...byCategory].sort()) console.log(`  ${key}: ${c.count} on ${c.seeds.size} seeds, smallest seed ${c.min}`);
const fired = new Set(all.map((d) => d.gap).filter((g): g is string => g !== undefined));
for (const id of Object.keys(KNOWN_GAPS)) if (!fired.has(id)) console.log(`  known gap ${id} never fired on these seeds (fixed?)`);
const unexplained = all.filter((d) => !d.gap);
console.log(unexplained.length === 0 ? 'no unexplained discrepancy' : `${unexplained.length} unexplained discrepancies`);
process.exit(unexplained.length > 0 ? 1 : 0);
