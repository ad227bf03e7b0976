// Plain-text reports for a terminal or a mail: the verdict first, then the numbers, then the
// counterexample as a numbered list of steps with the kernel function each stands for.

import type { ExploreResult, Trace, Violation } from '../explorer/index.ts';
import type { Catalogue } from './catalogue.ts';

const n = (x: number): string => x.toLocaleString('en-US');

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/** The report; `withTraces` false leaves the counterexamples to another view. */
export function formatExplore(r: ExploreResult, scenario: string, protocol: string, withTraces = true): string {
  const out: string[] = [];
  out.push(`svmcheck explore: scenario ${scenario}, protocol ${protocol}`);
  if (r.verdict === 'pass') out.push(`verdict: pass (exhaustive: every interleaving of ${n(r.states)} states checked)`);
  else if (r.verdict === 'incomplete') out.push(`verdict: incomplete: ${r.incomplete}; no violation in the ${n(r.states)} states reached`);
  else out.push(...wrapWords(`verdict: violation (${r.violations.map((v) => v.invariant).join(', ')})`, '', '  '));
  out.push(`  ${n(r.states)} states, ${n(r.transitions)} transitions, depth ${r.maxDepth}, ${(r.elapsedMs / 1000).toFixed(2)} s`);
  out.push(`  ${n(r.statesPerSecond)} states/s, peak RSS ${mib(r.peakRssBytes)}, ${r.mode} engine${r.workers ? ` on ${r.workers} worker threads` : ''}${r.reductions.length ? `, reduced by ${r.reductions.join(' and ')}` : ''}`);
  if (r.livenessGraph) {
    const g = r.livenessGraph;
    const fair = g.fairness === 'weak' ? 'weak fairness' : 'no fairness';
    out.push(...wrapWords(`liveness: cycles and terminal states searched over ${n(g.states)} states, ${n(g.transitions)} transitions, ${fair}`, '  ', '    '));
  }
  if (r.ampleStates !== undefined) out.push(`  partial-order reduction: ${n(r.ampleStates)} of ${n(r.states)} states expanded by an ample set`);
  if (r.mode === 'exact') out.push('  exact keys: no two distinct states can have been merged');
  else {
    const p = r.fingerprintCollisionProbability.toExponential(1);
    const check = r.fingerprintsVerified ? 'every merge was checked against an independent 32-bit hash' : '--verify-fingerprints checks every merge';
    out.push(...wrapWords(`fingerprint collision probability (optimistic): ${p}, assuming ${r.fingerprintCollisionAssumption ?? ''}; ${check}`, '  ', '    '));
  }
  if (withTraces) for (const v of r.violations) out.push('', ...formatViolation(v));
  if (r.warnings.length > 0) {
    out.push('');
    for (const w of r.warnings) out.push(`warning: ${w}`);
  }
  return out.join('\n');
}

/** Words wrapped at 72 columns: the first line indented by `first`, the others by `rest`. */
export function wrapWords(text: string, first: string, rest = first): string[] {
  const out: string[] = [];
  let line = first;
  for (const word of text.split(/\s+/)) {
    if (line.length + word.length + 1 > 72 && line.trim()) {
      out.push(line.trimEnd());
      line = rest;
    }
    line += `${word} `;
  }
  if (line.trim()) out.push(line.trimEnd());
  return out;
}

export function formatViolation(v: Violation): string[] {
  const steps = v.trace.steps;
  const out = [`violated: ${v.invariant}: ${v.statement}`];
  if (v.message !== v.statement) out.push(`  ${v.message}`);
  if (v.minimized) {
    const size = (s: { steps: number; contextSwitches: number; processes: number }) => `${s.steps} steps, ${s.contextSwitches} switches, ${s.processes} processes`;
    out.push(`  minimised from ${size(v.minimized.before)}`, `  to ${size(v.minimized.after)}`);
  }
  out.push(`  trace, ${steps.length} step${steps.length === 1 ? '' : 's'} from initial state ${v.trace.initial}:`);
  return [...out, ...formatSteps(v.trace)];
}

/** The numbered steps of a trace: process, label (with its choice), kernel function. */
export function formatSteps(trace: Trace, indent = '  '): string[] {
  const steps = trace.steps;
  const procW = Math.max(0, ...steps.map((s) => s.process.length));
  const labelW = Math.max(0, ...steps.map((s) => s.label.length + (s.choice === undefined ? 0 : String(s.choice).length + 2)));
  const out: string[] = [];
  steps.forEach((s, i) => {
    if (i === trace.loopsFrom) out.push(`${indent}     -- from here the steps repeat forever --`);
    const label = s.choice === undefined ? s.label : `${s.label}(${s.choice})`;
    out.push(`${indent}${String(i + 1).padStart(3)}  ${s.process.padEnd(procW)}  ${label.padEnd(labelW)}  ${s.kernelFn}`);
  });
  return out;
}

export function formatCatalogue(c: Catalogue, only?: 'scenarios' | 'protocols' | 'invariants'): string {
  const out: string[] = [];
  if (!only || only === 'scenarios') {
    out.push('scenarios:');
    for (const s of c.scenarios) {
      out.push(`  ${s.name}  ${s.description}`);
      out.push(`      protocols: ${s.protocols.map((p) => (p === s.defaultProtocol ? `${p} (default)` : p)).join(', ')}`);
    }
  }
  if (!only || only === 'protocols') {
    if (out.length > 0) out.push('');
    out.push('protocols:');
    for (const p of c.protocols) out.push(`  ${p.name}  ${p.description}  [${p.scenarios.join(', ')}]`);
  }
  if (!only || only === 'invariants') {
    if (out.length > 0) out.push('');
    out.push('invariants:');
    for (const i of c.invariants) out.push(`  ${i.id} (${i.kind})  ${i.statement}  [${i.scenarios === 'all' ? 'all scenarios' : i.scenarios.join(', ')}]`);
  }
  return out.join('\n');
}
