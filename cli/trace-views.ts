// Views of a counterexample for people: lanes (one column per process, at most 72 columns, for
// mail) with, under each step, its kernel function and only the state it changed that the
// violated invariant reads; and a Mermaid sequence diagram. Both replay the trace to get the
// states, so they show what the model does now.

import { AuthoringSpace, BUILTIN_PROPERTIES, replaySteps, type Model, type SysState, type Violation } from '../explorer/index.ts';

const WIDTH = 72;
const MAX_DIFF_LINES = 6;

/** The global components the violated property reads ('locks': the lock table). */
export function readsOf<G, L>(model: Model<G, L>, invariant: string): readonly string[] {
  if (BUILTIN_PROPERTIES.some((p) => p.id === invariant)) return ['locks'];
  const p = [...(model.invariants ?? []), ...(model.liveness ?? [])].find((x) => x.id === invariant);
  return p?.reads ?? [];
}

function states<G, L>(model: Model<G, L>, v: Violation): SysState<G, L>[] {
  const lastMayFail = v.invariant === 'lock-balance' || v.invariant === 'step-error';
  const s = replaySteps(new AuthoringSpace(model), v.trace.initial, v.trace.steps, lastMayFail).states;
  // A step that could not be applied (a lock misuse) leaves the state as it was.
  while (s.length < v.trace.steps.length + 1) s.push(s.at(-1)!);
  return s;
}

const compact = (x: unknown): string => {
  const s = JSON.stringify(x) ?? String(x);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/** Arrays of records with an id (ranges) are compared by id, since inserts shift indices. */
const hasId = (xs: readonly unknown[]): boolean => xs.length > 0 && xs.every((x) => typeof x === 'object' && x !== null && 'id' in x);

/** `path: before -> after` for every changed leaf (arrays of objects with an id are keyed by it). */
function diff(a: unknown, b: unknown, path: string, out: string[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (hasId(a) || hasId(b)) {
      const byId = (xs: readonly unknown[]) => new Map((xs as { id: unknown }[]).map((x) => [x.id, x]));
      const ma = byId(a);
      const mb = byId(b);
      for (const id of ma.keys()) if (!mb.has(id)) out.push(`${path}#${String(id)} removed`);
      for (const [id, x] of mb) {
        if (!ma.has(id)) out.push(`${path}#${String(id)} added ${compact(x)}`);
        else diff(ma.get(id), x, `${path}#${String(id)}`, out);
      }
      return;
    }
    if (a.length === b.length) {
      a.forEach((x, i) => diff(x, b[i], `${path}[${i}]`, out));
      return;
    }
  } else if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, out);
    return;
  }
  out.push(`${path}: ${compact(a)} -> ${compact(b)}`);
}

/** Who holds a lock, by name: `W fault0`, `R fault0,gc` or `-`. */
function holder<G, L>(model: Model<G, L>, h: { w: number; r: number }): string {
  const names = model.processes.map((p) => p.name);
  if (h.w >= 0) return `W ${names[h.w]}`;
  return h.r ? `R ${names.filter((_, i) => (h.r & (1 << i)) !== 0).join(',')}` : '-';
}

function changes<G, L>(model: Model<G, L>, before: SysState<G, L>, after: SysState<G, L>, reads: readonly string[]): string[] {
  const out: string[] = [];
  for (const key of reads) {
    if (key === 'locks') {
      before.locks.forEach((h, i) => {
        const a = holder(model, h);
        const b = holder(model, after.locks[i]!);
        if (a !== b) out.push(`${model.locks?.[i]?.name ?? i}: ${a} -> ${b}`);
      });
    } else diff((before.g as Record<string, unknown>)[key], (after.g as Record<string, unknown>)[key], key, out);
  }
  return out.length > MAX_DIFF_LINES ? [...out.slice(0, MAX_DIFF_LINES - 1), `... ${out.length - MAX_DIFF_LINES + 1} more`] : out;
}

const fit = (s: string, width: number): string => (s.length <= width ? s : `${s.slice(0, Math.max(0, width - 3))}...`);

export function lanes<G, L>(model: Model<G, L>, v: Violation): string {
  const procs = [...new Set(v.trace.steps.map((s) => s.process))];
  const gutter = 5;
  const colW = Math.max(8, Math.floor((WIDTH - gutter) / Math.max(1, procs.length)));
  const offset = (p: string) => gutter + procs.indexOf(p) * colW;
  const st = states(model, v);
  const reads = readsOf(model, v.invariant);
  const out = [fit(`${v.invariant}: ${v.message}`, WIDTH), ''];
  out.push(procs.map((p, i) => (i === 0 ? ' '.repeat(gutter) : '') + fit(p, colW - 1).padEnd(colW)).join('').trimEnd());
  v.trace.steps.forEach((s, i) => {
    if (i === v.trace.loopsFrom) out.push(`${' '.repeat(gutter)}-- from here the steps repeat forever --`);
    const at = offset(s.process);
    const label = s.choice === undefined ? s.label : `${s.label}(${s.choice})`;
    out.push(`${String(i + 1).padStart(3)}  ${' '.repeat(at - gutter)}${fit(label, WIDTH - at)}`);
    const under = WIDTH - at >= 24 ? at : gutter;
    out.push(' '.repeat(under) + fit(s.kernelFn, WIDTH - under));
    for (const c of changes(model, st[i]!, st[i + 1]!, reads)) out.push(`${' '.repeat(under)}${fit(`* ${c}`, WIDTH - under)}`);
  });
  return out.join('\n');
}

export function mermaid<G, L>(model: Model<G, L>, v: Violation): string {
  const procs = [...new Set(v.trace.steps.map((s) => s.process))];
  const st = states(model, v);
  const reads = readsOf(model, v.invariant);
  const esc = (s: string) => s.replace(/[;#<>"]/g, ' ');
  const out = ['sequenceDiagram', ...procs.map((p) => `  participant ${p}`)];
  let inLoop = false;
  v.trace.steps.forEach((s, i) => {
    if (i === v.trace.loopsFrom) {
      out.push('  loop repeats forever');
      inLoop = true;
    }
    const lines = [`${i + 1}. ${s.label}`, s.kernelFn, ...changes(model, st[i]!, st[i + 1]!, reads)].map(esc);
    out.push(`  Note over ${s.process}: ${lines.join('<br/>')}`);
  });
  if (inLoop) out.push('  end');
  out.push(`  Note over ${procs[0]}${procs.length > 1 ? `,${procs.at(-1)}` : ''}: violated ${esc(v.invariant)}<br/>${esc(v.message)}`);
  return out.join('\n');
}

/** What the state the invariant reads looks like in one state ('locks': holders by name). */
function projection<G, L>(model: Model<G, L>, s: SysState<G, L>, reads: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of reads) {
    if (key === 'locks') {
      out.locks = Object.fromEntries(s.locks.map((h, i) => [model.locks?.[i]?.name ?? String(i), holder(model, h)]));
    } else out[key] = (s.g as Record<string, unknown>)[key];
  }
  return out;
}

export interface StepView {
  readonly process: string;
  readonly label: string;
  readonly kernelFn: string;
  readonly pcsBefore: readonly string[];
  readonly pcsAfter: readonly string[];
  readonly changes: readonly string[];
  readonly stateBefore: Record<string, unknown>;
  readonly stateAfter: Record<string, unknown>;
}

/** Per step: positions, what changed and the state the violated invariant reads, before and after. */
export function stepViews<G, L>(model: Model<G, L>, v: Violation): StepView[] {
  const st = states(model, v);
  const reads = readsOf(model, v.invariant);
  return v.trace.steps.map((s, i) => ({
    process: s.process,
    label: s.label,
    kernelFn: s.kernelFn,
    pcsBefore: st[i]!.procs.map((p) => p.pc),
    pcsAfter: st[i + 1]!.procs.map((p) => p.pc),
    changes: changes(model, st[i]!, st[i + 1]!, reads),
    stateBefore: projection(model, st[i]!, reads),
    stateAfter: projection(model, st[i + 1]!, reads),
  }));
}
