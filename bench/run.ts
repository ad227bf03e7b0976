// `npm run bench`: runs every reference configuration through the CLI, prints a table of states,
// transitions, states per second, peak memory and bytes per state, and writes the results as
// JSON. With --compare FILE it shows the change against an earlier results file.
//
//   npm run bench -- [--out FILE] [--compare FILE] [--only SCENARIO]

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { BENCH_CONFIGS, type BenchConfig } from './configs.ts';

interface BenchRow {
  scenario: string;
  protocol: string;
  mode: string;
  verdict: string;
  states: number;
  transitions: number;
  elapsedMs: number;
  statesPerSecond: number;
  peakRssBytes: number;
  bytesPerState: number;
}

const root = join(import.meta.dirname, '..');

function run(c: BenchConfig): BenchRow {
  const args = [join(root, 'bin', 'svmcheck.js'), 'explore', '--scenario', c.scenario, '--json'];
  if (c.protocol) args.push('--protocol', c.protocol);
  if (c.all) args.push('--all');
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status === null || r.status === 2 || r.status > 3) throw new Error(`${c.scenario}: ${r.stderr.trim() || `exit ${r.status}`}`);
  const j = JSON.parse(r.stdout);
  return {
    scenario: c.scenario,
    protocol: j.protocol,
    mode: c.mode,
    verdict: j.verdict,
    states: j.states,
    transitions: j.transitions,
    elapsedMs: j.elapsedMs,
    statesPerSecond: j.statesPerSecond,
    peakRssBytes: j.peakRssBytes,
    // All-in: the whole process's peak memory over the states it kept.
    bytesPerState: Math.round(j.peakRssBytes / Math.max(1, j.states)),
  };
}

const num = (x: number): string => x.toLocaleString('en-US');
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;

function table(rows: BenchRow[], before?: BenchRow[]): string {
  const head = ['scenario', 'protocol', 'mode', 'verdict', 'states', 'transitions', 'seconds', 'states/s', 'peak RSS', 'B/state'];
  if (before) head.push('states/s vs before', 'RSS vs before');
  const lines = rows.map((r) => {
    const cells = [
      r.scenario,
      r.protocol,
      r.mode,
      r.verdict,
      num(r.states),
      num(r.transitions),
      (r.elapsedMs / 1000).toFixed(2),
      num(r.statesPerSecond),
      mib(r.peakRssBytes),
      num(r.bytesPerState),
    ];
    if (before) {
      const b = before.find((x) => x.scenario === r.scenario && x.protocol === r.protocol && x.mode === r.mode);
      cells.push(b ? `x${(r.statesPerSecond / b.statesPerSecond).toFixed(2)}` : '-', b ? `x${(r.peakRssBytes / b.peakRssBytes).toFixed(2)}` : '-');
    }
    return cells;
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [head, ...lines].map((l) => l.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

const opts = new Command('bench')
  .option('--out <file>', 'where to write the results', join(root, 'bench', 'results', 'latest.json'))
  .option('--compare <file>', 'an earlier results file to compare against')
  .option('--only <scenario>', 'run only this scenario')
  .parse(process.argv.slice(2), { from: 'user' })
  .opts<{ out: string; compare?: string; only?: string }>();

const before: BenchRow[] | undefined = opts.compare ? JSON.parse(readFileSync(opts.compare, 'utf8')).rows : undefined;
const rows: BenchRow[] = [];
for (const c of BENCH_CONFIGS.filter((c) => !opts.only || c.scenario === opts.only)) {
  process.stderr.write(`bench: ${c.scenario} (${c.mode})...\n`);
  rows.push(run(c));
}
mkdirSync(dirname(opts.out), { recursive: true });
writeFileSync(opts.out, `${JSON.stringify({ node: process.version, date: new Date().toISOString(), rows }, null, 2)}\n`);
process.stdout.write(`${table(rows, before)}\nresults written to ${opts.out}\n`);
