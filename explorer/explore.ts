// One exhaustive check of a model: search, then turn what was found into a report with traces
// and statistics. This is the engine's entry point for the CLI, the tests and the bench.

import { AuthoringSpace } from './authoring.ts';
import { bfs, type SearchOptions, type SearchResult } from './bfs.ts';
import { FastSpace } from './fast.ts';
import { FootprintMonitor } from './footprint-check.ts';
import { checkLiveness } from './liveness.ts';
import type { Fairness } from './lasso.ts';
import type { TraceSize } from './minimize.ts';
import { LockOrderRecorder, type LockEdge, type LockRule } from './lockorder.ts';
import type { Model, SysState } from './model.ts';
import type { StateSpace, TraceStep } from './space.ts';

export type Verdict = 'pass' | 'violation' | 'incomplete';

/**
 * How the search runs; all three find the same states, transitions and verdicts.
 * - authoring: immer recipes on frozen states, a fingerprint visited set;
 * - fast: the same recipes on scratch copies decoded from packed words, a packed frontier;
 * - exact: authoring mode with whole keys instead of fingerprints (no hash collision possible).
 */
export type Engine = 'authoring' | 'fast' | 'exact';
export const ENGINES: readonly Engine[] = ['authoring', 'fast', 'exact'];

export interface Trace {
  /** Which initial state the trace starts from (when the model has several). */
  readonly initial: number;
  readonly steps: readonly TraceStep[];
  /** A lasso: the steps from this index on form a cycle back to the state before it. */
  readonly loopsFrom?: number;
  /** The lasso's cycle is weakly fair (found with `fairness: 'weak'`), and its replay checks it. */
  readonly fairness?: Fairness;
}

export interface Violation {
  readonly invariant: string;
  readonly statement: string;
  readonly message: string;
  readonly trace: Trace;
  /** Set when the trace was minimised: its size before and after. */
  readonly minimized?: { readonly before: TraceSize; readonly after: TraceSize };
}

export interface Coverage {
  /** Times each step (`program/label`) was taken. */
  readonly steps: Readonly<Record<string, number>>;
  /** Steps never taken: the model or the bounds are wrong, or the search stopped early. */
  readonly untaken: readonly string[];
}

export interface ExploreResult {
  readonly model: string;
  readonly mode: Engine;
  /** Reductions the search used ('por', 'symmetry'); their counts differ from a full search's. */
  readonly reductions: readonly string[];
  /** With partial-order reduction: states expanded by an ample set rather than fully. */
  readonly ampleStates?: number;
  /** Worker threads that shared the search (parallel/parallel.ts); absent for one thread. */
  readonly workers?: number;
  readonly verdict: Verdict;
  /** Why the search is incomplete, e.g. "depth bound 40 reached". */
  readonly incomplete?: string;
  readonly states: number;
  readonly transitions: number;
  readonly maxDepth: number;
  readonly elapsedMs: number;
  readonly statesPerSecond: number;
  readonly peakRssBytes: number;
  /** Bytes of the visited set and parent links, per state kept. */
  readonly storeBytesPerState: number;
  /** Most bytes the packed frontier held at once (fast mode; 0 otherwise). */
  readonly frontierBytes: number;
  /**
   * Chance that two distinct states shared a fingerprint, so that one was never explored: TLC's
   * "calculated (optimistic)" estimate, distinct states x (generated - distinct) / 2^64. Zero
   * with exact keys. It holds under `fingerprintCollisionAssumption` only.
   */
  readonly fingerprintCollisionProbability: number;
  /** What the estimate assumes (absent with exact keys, which need no assumption). */
  readonly fingerprintCollisionAssumption?: string;
  /** Every fingerprint met again was checked against an independent hash (verifyFingerprints). */
  readonly fingerprintsVerified?: boolean;
  readonly violations: readonly Violation[];
  readonly coverage: Coverage;
  readonly warnings: readonly string[];
  /** With `lockOrder`: every dependency edge and every cycle, each edge with its first witness. */
  readonly lockOrder?: LockOrderReport;
  /** With `liveness`: the size of the graph the liveness search kept, and the time it took. */
  readonly livenessGraph?: { readonly states: number; readonly transitions: number; readonly bytes: number; readonly elapsedMs: number; readonly fairness: Fairness };
}

/** A lock-order edge with the trace that first created it (or the model's reason, if primed). */
export type WitnessedEdge = LockEdge & { readonly witness: Trace; readonly primed?: string };

export interface LockOrderReport {
  readonly edges: readonly WitnessedEdge[];
  readonly cycles: readonly { readonly edges: readonly WitnessedEdge[] }[];
  /** Edges that break one of the rules asked for. */
  readonly ruleBreaks: readonly { readonly rule: string; readonly statement: string; readonly edge: WitnessedEdge }[];
}

export interface ExploreOptions extends Omit<SearchOptions, 'onTransition' | 'exactKeys'> {
  /** Default authoring. */
  readonly engine?: Engine;
  /** Symmetry reduction over the model's interchangeable processes (symmetry.ts). */
  readonly symmetry?: boolean;
  /** Record the lock-order graph over every transition taken (lockdep style). */
  readonly lockOrder?: boolean;
  /** Rules each lock-order edge is checked against (with `lockOrder`). */
  readonly lockRules?: readonly LockRule[];
  /** Steps known not to be takeable in this configuration (`program/label` -> why). */
  readonly expectedUntaken?: Readonly<Record<string, string>>;
  /** Also check the model's liveness properties (liveness.ts: an SCC search over the whole graph). */
  readonly liveness?: boolean;
  /** With `liveness`: 'weak' counts only weakly fair cycles (Spin's -f). Default 'none'. */
  readonly fairness?: Fairness;
}

/** The assumption behind fingerprintCollisionProbability, as the report states it. */
export const COLLISION_ASSUMPTION =
  "distinct states' fingerprints are independent uniform 64-bit values, which states built to collide are not (the fingerprint is linear in its positions' mixes)";

export function explore<G, L>(model: Model<G, L>, opts: ExploreOptions = {}): ExploreResult {
  const engine = opts.engine ?? 'authoring';
  const spaceOpts = { symmetry: opts.symmetry ?? false };
  const space = engine === 'fast' ? new FastSpace(model, spaceOpts) : new AuthoringSpace(model, spaceOpts);
  const recorder = opts.lockOrder ? new LockOrderRecorder() : undefined;
  for (const p of model.lockPriming ?? []) recorder?.prime({ lock: p.from, mode: 'write' }, { lock: p.to, mode: 'write' });
  // Partial-order reduction trusts the declared footprints: check them on every state it expands.
  const monitor = opts.partialOrder ? new FootprintMonitor(model, (problem) => `partial-order reduction refused: ${problem}; declare it, or search without --por`) : undefined;
  const r = bfs<SysState<G, L>>(space, {
    ...opts,
    exactKeys: engine === 'exact',
    ...(monitor ? { onExpand: (s: SysState<G, L>) => monitor.check(s) } : {}),
    ...(recorder
      ? {
          onTransition: (from: number, s: SysState<G, L>, tid: number) => {
            const { held, acquires } = space.lockOps(s, tid);
            if (acquires.length > 0) recorder.record(from, tid, held, acquires);
          },
        }
      : {}),
  });
  const reported = report(model.name, engine, space, r, opts.expectedUntaken ?? {});
  const base = opts.symmetry && model.symmetric?.length ? { ...reported, reductions: [...reported.reductions, 'symmetry'] } : reported;
  const result = recorder ? { ...base, lockOrder: lockOrderReport(space, r, recorder, model.lockPriming ?? [], opts.lockRules ?? []) } : base;
  if (!opts.liveness || (model.liveness ?? []).length === 0) return result;
  // A cut safety search may stop with violations (--all), so its verdict need not say it was cut.
  if (result.incomplete !== undefined) {
    return { ...result, warnings: [...result.warnings, 'liveness not checked: the safety search was incomplete'] };
  }
  if (result.verdict === 'violation' && (opts.stopAtFirstViolation ?? true)) return result;
  // Symmetry merges permuted states, so a cycle of the reduced graph may close only up to a
  // permutation and its lasso not replay: the cycle search runs on the unreduced graph.
  const live = opts.symmetry && model.symmetric?.length ? (engine === 'fast' ? new FastSpace(model) : new AuthoringSpace(model)) : space;
  const checked = checkLiveness(live, model.liveness ?? [], model.processes.length, {
    fairness: opts.fairness ?? 'none',
    exactKeys: engine === 'exact',
    ...(opts.maxDepth !== undefined ? { maxDepth: opts.maxDepth } : {}),
    ...(opts.maxStates !== undefined ? { maxStates: opts.maxStates } : {}),
    ...(opts.timeLimitMs !== undefined ? { timeLimitMs: opts.timeLimitMs, spentMs: r.elapsedMs } : {}),
  });
  const found = checked.found.map(({ property: p, witness: w }): Violation => {
    const { trace } = traceOf(live, w.root, [...w.prefix, ...(w.kind === 'cycle' ? w.cycle : [])]);
    if (w.kind === 'terminal') {
      return { invariant: p.id, statement: p.statement, message: `${w.pending.join(', ')} still pending when nothing can move (after ${w.prefix.length} steps)`, trace };
    }
    const message = `${w.pending.join(', ')} never finishes: a cycle of ${w.cycle.length} steps after ${w.prefix.length}`;
    const fair = opts.fairness === 'weak' ? { fairness: opts.fairness } : {};
    return { invariant: p.id, statement: p.statement, message, trace: { ...trace, loopsFrom: w.prefix.length, ...fair } };
  });
  const cut = checked.incomplete !== undefined ? { incomplete: `liveness search: ${checked.incomplete}` } : {};
  const verdict = found.length > 0 || result.verdict === 'violation' ? 'violation' : checked.incomplete !== undefined ? 'incomplete' : result.verdict;
  const livenessGraph = { ...checked.graph, elapsedMs: Math.round(checked.graph.elapsedMs), fairness: opts.fairness ?? 'none' };
  return { ...result, ...cut, verdict, violations: [...result.violations, ...found], livenessGraph };
}

function lockOrderReport<S>(
  space: StateSpace<S>,
  r: SearchResult,
  rec: LockOrderRecorder,
  priming: readonly { from: string; to: string; why: string }[],
  rules: readonly LockRule[],
): LockOrderReport {
  const witness = (e: LockEdge): WitnessedEdge => {
    if (e.at < 0) {
      const why = priming.find((p) => p.from === e.from.lock && p.to === e.to.lock)?.why ?? 'declared by the model';
      return { ...e, witness: { initial: 0, steps: [] }, primed: why };
    }
    const path = r.pathTo(e.at);
    const { trace, states } = traceOf(space, path.root, path.tids);
    return { ...e, witness: { ...trace, steps: [...trace.steps, space.describe(states.at(-1)!, e.tid)] } };
  };
  const edges = rec.allEdges().map(witness);
  return {
    edges,
    cycles: rec.cycles().map((c) => ({ edges: c.edges.map(witness) })),
    ruleBreaks: rules.flatMap((rule) => edges.filter((e) => rule.breaks(e)).map((edge) => ({ rule: rule.id, statement: rule.statement, edge }))),
  };
}

/** Re-executes a path to recover the steps as a trace shows them. */
export function traceOf<S>(space: StateSpace<S>, root: number, tids: readonly number[]): { trace: Trace; states: S[] } {
  let s: S = space.initialStates()[root]!;
  const states = [s];
  const steps: TraceStep[] = [];
  for (const tid of tids) {
    steps.push(space.describe(s, tid));
    s = space.apply(s, tid);
    states.push(s);
  }
  return { trace: { initial: root, steps }, states };
}

function report<S>(name: string, engine: Engine, space: StateSpace<S>, r: SearchResult, expected: Readonly<Record<string, string>>): ExploreResult {
  const violations = r.violations.map((v): Violation => {
    const path = r.pathTo(v.at);
    // The last transition of an action violation may not lead anywhere (a lock misuse): describe
    // it from the state before it instead of replaying it.
    const replayed = traceOf(space, path.root, path.tids);
    const steps = v.tid >= 0 ? [...replayed.trace.steps, space.describe(replayed.states.at(-1)!, v.tid)] : replayed.trace.steps;
    return { invariant: v.property, statement: v.statement, message: v.message, trace: { initial: path.root, steps } };
  });
  return summary(name, engine, space, r, expected, violations);
}

/** The report of a search whose violations already have their traces (also the parallel search's). */
export function summary<S>(
  name: string,
  engine: Engine,
  space: StateSpace<S>,
  r: Omit<SearchResult, 'violations' | 'pathTo'>,
  expected: Readonly<Record<string, string>>,
  violations: readonly Violation[],
): ExploreResult {
  const steps: Record<string, number> = {};
  space.stepNames.forEach((n, i) => (steps[n] = r.coverage[i]!));
  const untaken = space.stepNames.filter((_, i) => r.coverage[i] === 0);
  // Untaken steps point at a model or bound mistake only when the search saw everything.
  const exhaustive = violations.length === 0 && r.incomplete === undefined;
  const unexpected = untaken.filter((n) => !(n in expected));
  const warnings =
    exhaustive || unexpected.length === 0
      ? unexpected.map((n) => `step ${n} never taken`)
      : [`coverage is partial: the search stopped early, ${unexpected.length} step(s) not taken`];

  const verdict: Verdict = violations.length > 0 ? 'violation' : r.incomplete !== undefined ? 'incomplete' : 'pass';
  const seconds = r.elapsedMs / 1000;
  return {
    model: name,
    mode: engine,
    reductions: r.reductions,
    ...(r.reductions.includes('por') ? { ampleStates: r.ampleStates } : {}),
    verdict,
    ...(r.incomplete !== undefined ? { incomplete: r.incomplete } : {}),
    states: r.states,
    transitions: r.transitions,
    maxDepth: r.maxDepth,
    elapsedMs: Math.round(r.elapsedMs),
    statesPerSecond: seconds > 0 ? Math.round(r.states / seconds) : 0,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    storeBytesPerState: r.states > 0 ? Math.round(r.storeBytes / r.states) : 0,
    frontierBytes: r.frontierBytes,
    fingerprintCollisionProbability: engine === 'exact' ? 0 : (r.states * Math.max(0, r.initialStates + r.transitions - r.states)) / 2 ** 64,
    ...(engine === 'exact' ? {} : { fingerprintCollisionAssumption: COLLISION_ASSUMPTION }),
    ...(r.fingerprintsVerified ? { fingerprintsVerified: true } : {}),
    violations,
    coverage: { steps, untaken },
    warnings,
  };
}
