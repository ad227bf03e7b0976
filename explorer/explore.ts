// One exhaustive check of a model: search, then turn what was found into a report with traces
// and statistics. This is the engine's entry point for the CLI, the tests and the bench.

import { AuthoringSpace } from './authoring.ts';
import { bfs, type SearchOptions, type SearchResult } from './bfs.ts';
import { findLasso } from './lasso.ts';
import type { Model } from './model.ts';
import type { StateSpace, TraceStep } from './space.ts';

export type Verdict = 'pass' | 'violation' | 'incomplete';

export interface Trace {
  /** Which initial state the trace starts from (when the model has several). */
  readonly initial: number;
  readonly steps: readonly TraceStep[];
  /** A lasso: the steps from this index on form a cycle back to the state before it. */
  readonly loopsFrom?: number;
}

export interface Violation {
  readonly invariant: string;
  readonly statement: string;
  readonly message: string;
  readonly trace: Trace;
}

export interface Coverage {
  /** Times each step (`program/label`) was taken. */
  readonly steps: Readonly<Record<string, number>>;
  /** Steps never taken: the model or the bounds are wrong, or the search stopped early. */
  readonly untaken: readonly string[];
}

export interface ExploreResult {
  readonly model: string;
  readonly mode: 'authoring';
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
  /** Optimistic chance that two distinct states shared a fingerprint (as TLC computes it). */
  readonly fingerprintCollisionProbability: number;
  readonly violations: readonly Violation[];
  readonly coverage: Coverage;
  readonly warnings: readonly string[];
}

export interface ExploreOptions extends SearchOptions {
  /** Steps known not to be takeable in this configuration (`program/label` -> why). */
  readonly expectedUntaken?: Readonly<Record<string, string>>;
  /** Also check the model's liveness properties (a cycle search over the whole graph). */
  readonly liveness?: boolean;
}

export function explore<G, L>(model: Model<G, L>, opts: ExploreOptions = {}): ExploreResult {
  const space = new AuthoringSpace(model);
  const r = bfs(space, opts);
  const result = report(model.name, space, r, opts.expectedUntaken ?? {});
  if (!opts.liveness || (model.liveness ?? []).length === 0) return result;
  if (result.verdict === 'incomplete') {
    return { ...result, warnings: [...result.warnings, 'liveness not checked: the safety search was incomplete'] };
  }
  if (result.verdict === 'violation' && (opts.stopAtFirstViolation ?? true)) return result;
  const found = (model.liveness ?? []).flatMap((p): Violation[] => {
    const lasso = findLasso(space, p.pending);
    if (!lasso) return [];
    const { trace } = traceOf(space, lasso.root, [...lasso.prefix, ...lasso.cycle]);
    const message = `${lasso.pending.join(', ')} never finishes: a cycle of ${lasso.cycle.length} steps after ${lasso.prefix.length}`;
    return [{ invariant: p.id, statement: p.statement, message, trace: { ...trace, loopsFrom: lasso.prefix.length } }];
  });
  if (found.length === 0) return result;
  return { ...result, verdict: 'violation', violations: [...result.violations, ...found] };
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

function report<S>(name: string, space: StateSpace<S>, r: SearchResult, expected: Readonly<Record<string, string>>): ExploreResult {
  const violations = r.violations.map((v): Violation => {
    const path = r.pathTo(v.at);
    // The last transition of an action violation may not lead anywhere (a lock misuse): describe
    // it from the state before it instead of replaying it.
    const replayed = traceOf(space, path.root, path.tids);
    const steps = v.tid >= 0 ? [...replayed.trace.steps, space.describe(replayed.states.at(-1)!, v.tid)] : replayed.trace.steps;
    return { invariant: v.property, statement: v.statement, message: v.message, trace: { initial: path.root, steps } };
  });

  const steps: Record<string, number> = {};
  space.stepNames.forEach((n, i) => (steps[n] = r.coverage[i]!));
  const untaken = space.stepNames.filter((_, i) => r.coverage[i] === 0);
  // Untaken steps point at a model or bound mistake only when the search saw everything.
  const exhaustive = r.violations.length === 0 && r.incomplete === undefined;
  const unexpected = untaken.filter((n) => !(n in expected));
  const warnings =
    exhaustive || unexpected.length === 0
      ? unexpected.map((n) => `step ${n} never taken`)
      : [`coverage is partial: the search stopped early, ${unexpected.length} step(s) not taken`];

  const verdict: Verdict = violations.length > 0 ? 'violation' : r.incomplete !== undefined ? 'incomplete' : 'pass';
  const seconds = r.elapsedMs / 1000;
  return {
    model: name,
    mode: 'authoring',
    verdict,
    ...(r.incomplete !== undefined ? { incomplete: r.incomplete } : {}),
    states: r.states,
    transitions: r.transitions,
    maxDepth: r.maxDepth,
    elapsedMs: Math.round(r.elapsedMs),
    statesPerSecond: seconds > 0 ? Math.round(r.states / seconds) : 0,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    storeBytesPerState: r.states > 0 ? Math.round(r.storeBytes / r.states) : 0,
    fingerprintCollisionProbability: (r.states * r.transitions) / 2 ** 64,
    violations,
    coverage: { steps, untaken },
    warnings,
  };
}
