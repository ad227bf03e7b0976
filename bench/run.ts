// `npm run bench`: runs every reference configuration in every engine mode through the CLI, each
// several times, and prints a table of medians: states, transitions, states per second, peak
// memory and bytes per state (the whole process's peak over the states kept), and the verdict.
// Writes the results as JSON; with --compare FILE shows the change against an earlier file.
//
//   npm run bench -- [--runs N] [--only SCENARIO] [--modes a,b] [--out FILE] [--compare FILE]
//                    [--root DIR]   (measure another checkout, e.g. a worktree of an older commit)

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { BENCH_CONFIGS, modeName, type BenchConfig, type BenchMode } from './configs.ts';
import { benchTable, type BenchRow } from './table.ts';

const here = join(import.meta.dirname, '..');

const opts = new Command('bench')
  .option('--out <file>', 'where to write the results', join(here, 'bench', 'results', 'latest.json'))
  .option('--compare <file>', 'an earlier results file to compare against')
  .option('--only <scenario>', 'run only this scenario')
  .option('--modes <list>', 'run only these engine modes (comma-separated)')
  .option('--runs <n>', 'runs of each configuration; the table shows medians', (v) => {
    if (!/^[1-9]\d*$/.test(v)) throw new InvalidArgumentError('expected a whole number >= 1');
    return Number(v);
  }, 3)
  .option('--root <dir>', 'the checkout whose svmcheck is measured', here)
  .parse(process.argv.slice(2), { from: 'user' })
  .opts<{ out: string; compare?: string; only?: string; modes?: string; runs: number; root: string }>();

const root = resolve(opts.root);
const cli = join(root, 'bin', 'svmcheck.js');
// An older checkout has no --engine flag: it runs authoring mode only.
const hasEngines = spawnSync(process.execPath, [cli, 'explore', '--help'], { cwd: root, encoding: 'utf8' }).stdout.includes('--engine');

interface Sample {
  verdict: string;
  incomplete?: string;
  states: number;
  transitions: number;
  elapsedMs: number;
  statesPerSecond: number;
  peakRssBytes: number;
}

function once(c: BenchConfig, m: BenchMode): Sample | string {
  const args = [cli, 'explore', '--scenario', c.scenario, '--json'];
  if (c.protocol) args.push('--protocol', c.protocol);
  if (c.all) args.push('--all');
  if (hasEngines) args.push('--engine', m.engine);
  else if (m.engine !== 'authoring') return 'this checkout has authoring mode only';
  if (m.por) args.push('--por');
  if (m.symmetry) args.push('--symmetry');
  if (m.workers) args.push('--workers', String(m.workers));
  if (m.timeLimit) args.push('--time-limit', String(m.timeLimit));
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status === 2) return r.stderr.trim().replace(/^svmcheck: /, '').replace(/ \(known: .*\)$/, '');
  // 0 pass, 1 violation, 3 incomplete (a time-limited run): all measured.
  if (r.status === null || r.status > 3) throw new Error(`${c.scenario} ${m.engine}: ${r.stderr.trim() || `exit ${r.status}`}`);
  const j = JSON.parse(r.stdout) as Sample;
  return { verdict: j.verdict, ...(j.incomplete ? { incomplete: j.incomplete } : {}), states: j.states, transitions: j.transitions, elapsedMs: j.elapsedMs, statesPerSecond: j.statesPerSecond, peakRssBytes: j.peakRssBytes };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
};

function measure(c: BenchConfig, m: BenchMode): BenchRow {
  const id = { scenario: c.scenario, protocol: c.protocol ?? '', mode: modeName(m) };
  if (m.skip) return { ...id, skipped: m.skip };
  const samples: Sample[] = [];
  for (let i = 0; i < opts.runs; i++) {
    process.stderr.write(`bench: ${c.scenario} ${c.protocol ?? ''} ${modeName(m)} run ${i + 1}/${opts.runs}\n`);
    const s = once(c, m);
    if (typeof s === 'string') return { ...id, skipped: s };
    samples.push(s);
  }
  const first = samples[0]!;
  // Exhaustive runs must agree; a time-bounded run stops wherever the clock says.
  if (!first.incomplete && samples.some((s) => s.states !== first.states || s.transitions !== first.transitions || s.verdict !== first.verdict))
    throw new Error(`${c.scenario} ${m.engine}: runs disagree (${samples.map((s) => `${s.states}/${s.transitions}/${s.verdict}`).join(', ')})`);
  const states = median(samples.map((s) => s.states));
  const peakRssBytes = median(samples.map((s) => s.peakRssBytes));
  return {
    ...id,
    verdict: first.verdict,
    ...(first.incomplete ? { incomplete: first.incomplete } : {}),
    states,
    transitions: median(samples.map((s) => s.transitions)),
    elapsedMs: median(samples.map((s) => s.elapsedMs)),
    statesPerSecond: median(samples.map((s) => s.statesPerSecond)),
    peakRssBytes,
    bytesPerState: Math.round(peakRssBytes / Math.max(1, states)),
    samples: samples.map((s) => ({ states: s.states, elapsedMs: s.elapsedMs, statesPerSecond: s.statesPerSecond, peakRssBytes: s.peakRssBytes })),
  };
}

process.on('uncaughtException', (e) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});

const wanted = opts.modes?.split(',');
const before: BenchRow[] | undefined = opts.compare ? (JSON.parse(readFileSync(opts.compare, 'utf8')) as { rows: BenchRow[] }).rows : undefined;
const rows: BenchRow[] = [];
for (const c of BENCH_CONFIGS.filter((x) => !opts.only || x.scenario === opts.only))
  for (const m of c.modes.filter((x) => !wanted || wanted.includes(modeName(x)))) rows.push(measure(c, m));

mkdirSync(dirname(opts.out), { recursive: true });
const meta = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, date: new Date().toISOString(), root, runs: opts.runs };
writeFileSync(opts.out, `${JSON.stringify({ ...meta, rows }, null, 2)}\n`);
process.stdout.write(`${benchTable(rows, before)}\nmedians of ${opts.runs} run(s); results written to ${opts.out}\n`);
