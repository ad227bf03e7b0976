// `svmcheck check FILE`: runs a proposal's scenarios on its base protocol and on the patched
// one, and prints a verdict a reviewer can paste into a mail (lines of at most 72 columns):
// invariants newly violated and newly holding, lock-order cycles and rule breaks added and
// removed (deadlocks are among the violations), each with its shortest witness.
// Exit 1 if the proposal adds a violation, 0 if it adds none.

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { explore, InputError, type ExploreResult, type Trace, type Violation, type WitnessedEdge } from '../explorer/index.ts';
import { SVM_LOCK_RULES } from '../invariants/lock-rules.ts';
import { PROTOCOLS } from '../model/drivers/index.ts';
import { SVM_SCENARIOS } from '../model/scenarios/configs.ts';
import { applyProposal, type Proposal } from '../proposals/api.ts';
import { EXIT } from './exit.ts';
import { formatViolation, wrapWords } from './format.ts';
import { junitXml, type JunitCase } from './junit.ts';
import { writeTraces } from './trace-file.ts';

const WIDTH = 72;

export async function loadProposal(file: string): Promise<Proposal> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/Cannot find module|ERR_MODULE_NOT_FOUND/.test(msg)) throw new InputError(`${file}: no such proposal file`);
    // esbuild/tsx report "file:line:col: ERROR: message"; keep the first line.
    const where = /([^\s:]+\.ts):(\d+):(\d+):\s*(?:ERROR:\s*)?(.*)/.exec(msg);
    throw new InputError(where ? `${file}:${where[2]}:${where[3]}: ${where[4]}` : `${file}: ${msg.split('\n')[0]}`);
  }
  const p = mod.default as Partial<Proposal> | undefined;
  if (!p || typeof p !== 'object') throw new InputError(`${file}: no default export (export default defineProposal({ ... }))`);
  if (typeof p.name !== 'string' || typeof p.title !== 'string') throw new InputError(`${file}: a proposal needs a name and a title`);
  if (!PROTOCOLS.some((x) => x.name === p.base)) throw new InputError(`${file}: unknown base protocol '${String(p.base)}' (known: ${PROTOCOLS.map((x) => x.name).join(', ')})`);
  if (!Array.isArray(p.patches)) throw new InputError(`${file}: patches must be a list`);
  for (const s of p.scenarios ?? []) {
    if (!SVM_SCENARIOS.some((x) => x.name === s)) throw new InputError(`${file}: unknown scenario '${s}'`);
  }
  return p as Proposal;
}

interface Run {
  scenario: string;
  result: ExploreResult;
}

interface Finding {
  what: string;
  scenario: string;
  trace: Trace;
  message?: string;
  statement?: string;
}

const edgeName = (e: WitnessedEdge): string => `${e.from.lock}(${e.from.mode === 'read' ? 'R' : 'W'}) -> ${e.to.lock}(${e.to.mode === 'read' ? 'R' : 'W'})`;
const cycleName = (c: { edges: readonly WitnessedEdge[] }): string => [...c.edges.map((e) => e.from.lock), c.edges[0]!.from.lock].join(' -> ');

function traceLines(t: Trace): string[] {
  const procW = Math.max(0, ...t.steps.map((s) => s.process.length));
  const labelW = Math.max(0, ...t.steps.map((s) => s.label.length));
  return t.steps.map((s, i) => {
    const head = `    ${String(i + 1).padStart(2)} ${s.process.padEnd(procW)} ${s.label.padEnd(labelW)} `;
    const room = WIDTH - head.length;
    return head + (s.kernelFn.length <= room ? s.kernelFn : `${s.kernelFn.slice(0, Math.max(0, room - 3))}...`);
  });
}

/** The shortest witness of each `what`; `scenario` names every scenario where it appears. */
function shortest(items: Finding[]): Finding[] {
  const best = new Map<string, Finding>();
  const where = new Map<string, string[]>();
  for (const f of items) {
    const b = best.get(f.what);
    if (!b || f.trace.steps.length < b.trace.steps.length) best.set(f.what, f);
    where.set(f.what, [...(where.get(f.what) ?? []), f.scenario]);
  }
  return [...best.values()].map((f) => {
    const others = where.get(f.what)!.filter((s) => s !== f.scenario);
    return others.length === 0 ? f : { ...f, scenario: `${f.scenario} (also ${others.join(', ')})` };
  });
}

function violations(runs: Run[]): Finding[] {
  return runs.flatMap((r) => r.result.violations.map((v) => ({ what: v.invariant, scenario: r.scenario, trace: v.trace, message: v.message, statement: v.statement })));
}

function lockFindings(runs: Run[]): { cycles: Finding[]; rules: Finding[] } {
  const cycles = runs.flatMap((r) => (r.result.lockOrder?.cycles ?? []).map((c) => ({ what: cycleName(c), scenario: r.scenario, trace: c.edges.find((e) => !e.primed)?.witness ?? { initial: 0, steps: [] } })));
  const rules = runs.flatMap((r) => (r.result.lockOrder?.ruleBreaks ?? []).map((b) => ({ what: `${b.rule} ${edgeName(b.edge)}`, scenario: r.scenario, trace: b.edge.witness })));
  return { cycles, rules };
}

function diff(base: Finding[], proposal: Finding[]): { added: Finding[]; removed: Finding[] } {
  const key = (f: Finding) => `${f.what}@${f.scenario}`;
  const b = new Set(base.map(key));
  const p = new Set(proposal.map(key));
  return { added: shortest(proposal.filter((f) => !b.has(key(f)))), removed: shortest(base.filter((f) => !p.has(key(f)))) };
}

/** Steps the base takes on the scenarios and the proposal never does, and inserted steps never taken. */
function unreachable(base: Run[], proposal: Run[], p: Proposal): string[] {
  const total = (runs: Run[]) => {
    const sum = new Map<string, number>();
    for (const r of runs) for (const [k, n] of Object.entries(r.result.coverage.steps)) sum.set(k, (sum.get(k) ?? 0) + n);
    return sum;
  };
  const b = total(base);
  const q = total(proposal);
  const inserted = new Set(p.patches.flatMap((x) => ('insert' in x ? [`${x.program}/${x.insert.label}`] : [])));
  return [...q].filter(([k, n]) => n === 0 && ((b.get(k) ?? 0) > 0 || inserted.has(k))).map(([k]) => k);
}

export interface CheckVerdict {
  text: string;
  addsViolation: boolean;
  /** Every violation the proposal adds, per scenario (not only the shortest): for trace files. */
  addedViolations: { scenario: string; violation: Violation }[];
  /** Cycles and rule breaks the proposal adds. */
  addedLockFindings: string[];
}

export function checkProposal(p: Proposal, file: string): CheckVerdict {
  // A proposal that names no scenarios is checked against all but the benchmark's large ones.
  const scenarios = SVM_SCENARIOS.filter((s) => (p.scenarios ? p.scenarios.includes(s.name) : !s.large));
  const opts = { stopAtFirstViolation: false, lockOrder: true, lockRules: SVM_LOCK_RULES };
  const baseRuns: Run[] = [];
  const propRuns: Run[] = [];
  // A patch applies where its program runs; a program no scenario runs is a mistake to name.
  const programsRun = new Set<string>();
  for (const s of scenarios) {
    const { base, patched, programs } = applyProposal(p, s.name);
    programs.forEach((x) => programsRun.add(x));
    baseRuns.push({ scenario: s.name, result: explore(base, opts) });
    propRuns.push({ scenario: s.name, result: explore(patched, opts) });
  }
  const unknown = p.patches.find((x) => !programsRun.has(x.program));
  if (unknown) throw new InputError(`${file}: no scenario of the proposal runs a program ${unknown.program} (known: ${[...programsRun].join(', ')})`);
  const lost = unreachable(baseRuns, propRuns, p);
  if (lost.length > 0) throw new InputError(`${file}: the patches leave step ${lost.join(', ')} unreachable (never taken on the scenarios)`);
  const inv = diff(violations(baseRuns), violations(propRuns));
  const bl = lockFindings(baseRuns);
  const pl = lockFindings(propRuns);
  const cyc = diff(bl.cycles, pl.cycles);
  const rul = diff(bl.rules, pl.rules);
  const adds = inv.added.length + cyc.added.length + rul.added.length > 0;
  const baseKeys = new Set(violations(baseRuns).map((f) => `${f.what}@${f.scenario}`));
  const addedViolations = propRuns.flatMap((r) =>
    r.result.violations.filter((v) => !baseKeys.has(`${v.invariant}@${r.scenario}`)).map((violation) => ({ scenario: r.scenario, violation })),
  );
  const addedLockFindings = [...cyc.added, ...rul.added].map((f) => `${f.what} (${f.scenario})`);

  const out = [`svmcheck check ${file}`, ...wrapWords(`${p.name}: ${p.title}`, '  '), ...wrapWords(`base ${p.base}; scenarios: ${scenarios.map((s) => s.name).join(', ')}`, '  '), ''];
  // A second GPU runs its own copy of a program (gpu_fault1): a patch written for GPU 0's program
  // does not reach it, and the reader must know that GPU's results are the unpatched design's.
  const copies = [...programsRun].filter((x) => /\d+$/.test(x) && p.patches.some((q) => q.program === x.replace(/\d+$/, '')) && !p.patches.some((q) => q.program === x));
  if (copies.length > 0) out.push(...wrapWords(`note: the patches name GPU 0's programs; these copies for another GPU run unpatched: ${copies.join(', ')}`, '  '), '');
  out.push(adds ? 'Verdict: the proposal ADDS violations.' : 'Verdict: the proposal adds no violation.');
  const incomplete = [...baseRuns, ...propRuns].filter((r) => r.result.incomplete);
  if (incomplete.length > 0) out.push(...wrapWords(`(incomplete search in ${incomplete.map((r) => r.scenario).join(', ')})`, '  '));
  const section = (title: string, items: Finding[], withTrace: boolean) => {
    out.push('', `${title}: ${items.length === 0 ? 'none' : ''}`.trimEnd());
    for (const f of items) {
      out.push(...wrapWords(`${f.what}, in ${f.scenario}${withTrace ? ` (${f.trace.steps.length} steps)` : ''}`, '  '));
      if (f.message) out.push(...wrapWords(f.message, '    '));
      if (withTrace && f.trace.steps.length > 0) out.push(...traceLines(f.trace));
    }
  };
  section('Invariants newly violated', inv.added, true);
  section('Invariants newly holding', inv.removed, false);
  section('Lock-order cycles added', cyc.added, true);
  section('Lock-order cycles removed', cyc.removed, false);
  section('Lock rules newly broken', rul.added, true);
  section('Lock rules no longer broken', rul.removed, false);
  return { text: out.join('\n'), addsViolation: adds, addedViolations, addedLockFindings };
}

export async function checkCommand(file: string, flags: { json?: boolean; traceOut?: string; junit?: string }): Promise<number> {
  const p = await loadProposal(file);
  const v = checkProposal(p, file);
  if (flags.traceOut) {
    for (const a of v.addedViolations) writeTraces(flags.traceOut, a.scenario, p.base, [a.violation], { file, name: p.name });
  }
  if (flags.junit) writeFileSync(flags.junit, checkJunit(p.name, v));
  process.stdout.write(flags.json ? `${JSON.stringify({ addsViolation: v.addsViolation, text: v.text })}\n` : `${v.text}\n`);
  return v.addsViolation ? EXIT.violation : EXIT.pass;
}

/** One failing test case per finding the proposal adds, or one passing case if it adds none. */
function checkJunit(name: string, v: CheckVerdict): string {
  const cases: JunitCase[] = [
    ...v.addedViolations.map((a) => ({
      name: `${a.violation.invariant} in ${a.scenario}`,
      failure: { message: a.violation.message, body: formatViolation(a.violation).join('\n') },
    })),
    ...v.addedLockFindings.map((f) => ({ name: f, failure: { message: 'lock-order finding added by the proposal', body: f } })),
  ];
  return junitXml(name, cases.length > 0 ? cases : [{ name: 'adds no violation' }]);
}
