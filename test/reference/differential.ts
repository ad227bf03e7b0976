// The differential comparison of issue 13, shared by the suite (test/explorer/differential.test.ts)
// and the fuzz script (test/reference/fuzz.ts): one random model (random-models.ts) checked by
// the plain BFS (plain-bfs.ts) and by the engine in every way it can run, each result compared
// with what the plain BFS says it must be. A comparison that fails is a Discrepancy; one that a
// known gap explains carries that gap's id. Nothing here is tuned per seed.
//
// The ways:
//   full-<engine>      every engine, searching on past violations: same verdict, same violated
//                      set, same states / transitions / depth, each trace as short as the shortest
//   first-<engine>     stopping at the first violation: one is found iff one exists; each reported
//                      property is violated, with its shortest trace, and is one a BFS meets first
//   por, por-first     partial-order reduction: same verdict and set, states <= full, traces no
//                      shorter than the shortest
//   symmetry, por+symmetry, symmetry-liveness   on models with a symmetric group
//   depth              a random depth bound d: exactly what the plain BFS finds within depth d
//   states             a random state bound k: k >= reachable gives the full result; else
//                      incomplete with k states, violations a subset (with shortest traces)
//   time-0             a zero time limit: never a pass unless the search really finished
//   liveness           liveness: the violated liveness properties are exactly the plain ones
//   fairness           liveness under weak fairness (`fairness: 'weak'`)
//   workers-*          exploreParallel with 2 workers: full, first, max-states 1, max-states one less
//                      than reachable, a tiny time limit
// Every reported violation must replay (confirmViolation). The suite runs the full-<engine>, por,
// symmetry and liveness ways on every seed and rotates the others over the seeds (CompareOptions);
// the fuzz script runs every way on every seed.

import { confirmViolation, explore, exploreParallel, type ExploreOptions, type ExploreResult, type Violation } from '../../explorer/index.ts';
import type { ModelSource } from '../../explorer/parallel/protocol.ts';
import { firstLevel, traceLength, type PlainResult } from './plain-bfs.ts';
import { randomModelInfo, type Features } from './random-models.ts';

export interface Discrepancy {
  readonly seed: number;
  readonly way: string;
  readonly check: string;
  readonly expected: string;
  readonly got: string;
  /** The known gap that explains it, if one does. */
  readonly gap?: string;
}

/** What a gap predicate may look at: the model's features and what the plain BFS found. */
export interface GapContext extends Features {
  readonly errorOnlyProcess: boolean;
}

export interface KnownGap {
  readonly issue: string;
  /** Exactly the comparison it disables. */
  readonly disables: string;
  readonly applies: (way: string, check: string, f: GapContext) => boolean;
}

/**
 * THE list of comparisons known to fail on main. Each disables one comparison, by way and model
 * feature, never by seed; each fix removes its line. Nothing else is excused.
 */
export const KNOWN_GAPS: Readonly<Record<string, KnownGap>> = {
  // None today: the seven gaps of issue 13 (items 1, 3, 5, 6) are fixed and their comparisons run.
};

function gapOf(way: string, check: string, f: GapContext): string | undefined {
  for (const [id, g] of Object.entries(KNOWN_GAPS)) if (g.applies(way, check, f)) return id;
  return undefined;
}

/**
 * Which ways a run compares. Every search costs the engine some milliseconds of set-up whatever
 * the model's size (its visited table and frontier), so the suite rotates the ways that only
 * repeat a check with another engine or bound: `thorough` (the fuzz script) runs every way on
 * every seed.
 */
export interface CompareOptions {
  /** Run exploreParallel with 2 workers (slow to start). */
  readonly workers: boolean;
  /** Every way on every seed; otherwise first-<engine>, the bounds and the worker variants rotate over the seeds. */
  readonly thorough: boolean;
  /** Also run ways every check of which a known gap disables (to see which gaps still fire). */
  readonly gappedWays: boolean;
}

/** Seeds whose models the suite also checks with workers. */
export const workersSeed = (seed: number, every = 25): boolean => seed % every === 0;

const sorted = (xs: Iterable<string>): string => [...xs].sort().join(',') || '-';

function small(seed: number): () => number {
  let t = (seed * 7919 + 17) >>> 0;
  return () => {
    t = (Math.imul(t, 1103515245) + 12345) >>> 0;
    return t / 4294967296;
  };
}

export async function compareSeed(seed: number, opts: CompareOptions): Promise<Discrepancy[]> {
  const { model, features, plain } = randomModelInfo(seed);
  const ctx: GapContext = { ...features, errorOnlyProcess: plain.errorOnlyProcess };
  const out: Discrepancy[] = [];
  const say = (way: string, check: string, expected: unknown, got: unknown): void => {
    const gap = gapOf(way, check, ctx);
    out.push({ seed, way, check, expected: String(expected), got: String(got), ...(gap ? { gap } : {}) });
  };
  const eq = (way: string, check: string, expected: unknown, got: unknown): void => {
    if (expected !== got) say(way, check, expected, got);
  };
  const livenessIds = new Set((model.liveness ?? []).map((p) => p.id));
  const safety = (r: ExploreResult): Violation[] => r.violations.filter((v) => !livenessIds.has(v.invariant));
  const replay = (way: string, r: ExploreResult): void => {
    for (const v of r.violations) {
      const check = livenessIds.has(v.invariant) ? 'replay-liveness' : 'replay';
      let ok: boolean;
      let why = 'does not end in a violation';
      try {
        ok = confirmViolation(model, v);
      } catch (e) {
        ok = false;
        why = e instanceof Error ? e.message : String(e);
      }
      if (!ok) say(way, check, `${v.invariant} replays`, why);
    }
  };
  const run = async (way: string, f: () => ExploreResult | Promise<ExploreResult>): Promise<ExploreResult | undefined> => {
    try {
      const r = await f();
      replay(way, r);
      return r;
    } catch (e) {
      say(way, 'crash', 'a result', e instanceof Error ? e.message.split('\n')[0] : String(e));
      return undefined;
    }
  };
  const fullVerdict = plain.violated.size > 0 ? 'violation' : 'pass';

  /** The whole result of a search that saw everything (no bound cut it, no reduction). */
  const exact = (way: string, r: ExploreResult, p: PlainResult): void => {
    // Liveness violations (checked by livenessSet) also make a violation.
    const live = r.violations.some((v) => livenessIds.has(v.invariant));
    eq(way, 'verdict', p.violated.size > 0 || live ? 'violation' : 'pass', r.verdict);
    eq(way, 'violated-set', sorted(p.violated.keys()), sorted(safety(r).map((v) => v.invariant)));
    {
      eq(way, 'states', p.states, r.states);
      eq(way, 'transitions', p.transitions, r.transitions);
      eq(way, 'maxDepth', p.maxDepth, r.maxDepth);
    }
    shortest(way, r, 'eq');
  };
  /** Each reported safety violation is a plain one, with a trace as short as (or no shorter than) the shortest. */
  const shortest = (way: string, r: ExploreResult, how: 'eq' | 'ge'): void => {
    for (const v of safety(r)) {
      const d = plain.violated.get(v.invariant);
      if (!d) {
        say(way, 'violated-set', `${v.invariant} not violated`, `${v.invariant} reported`);
        continue;
      }
      const n = v.trace.steps.length;
      if (how === 'eq' ? n !== traceLength(d) : n < traceLength(d)) say(way, 'trace-length', `${v.invariant}: ${how === 'eq' ? '' : '>= '}${traceLength(d)}`, n);
    }
  };
  /** A search stopping at its first violation. */
  const first = (way: string, r: ExploreResult, how: 'eq' | 'ge'): void => {
    eq(way, 'found', plain.violated.size > 0, r.verdict === 'violation');
    if (plain.violated.size === 0) return eq(way, 'verdict', 'pass', r.verdict);
    shortest(way, r, how);
    if (how === 'ge') return;
    const level = Math.min(...[...plain.violated.values()].map(firstLevel));
    for (const v of safety(r)) {
      const d = plain.violated.get(v.invariant);
      if (d && firstLevel(d) !== level) say(way, 'first-found', `a property met at level ${level}`, `${v.invariant} (level ${firstLevel(d)})`);
    }
  };
  /** A reduced search that saw everything: verdict and set exact, states no more than full. */
  const reduced = (way: string, r: ExploreResult, how: 'eq' | 'ge'): void => {
    // Each missing property on its own line, by kind: an action property that judges the step's
    // label or the processes ('label-procs'), or anything else ('other').
    const got = new Set(safety(r).map((v) => v.invariant));
    const missing = [...plain.violated.keys()].filter((p) => !got.has(p));
    const kindOf = (p: string): string => (/^act\d+-(label|procs)/.test(p) ? 'label-procs' : 'other');
    for (const p of missing) say(way, `missing:${kindOf(p)}`, p, 'not reported');
    if (r.verdict !== fullVerdict) say(way, `verdict:${missing.every((p) => kindOf(p) === 'label-procs') ? 'label-procs' : 'other'}`, fullVerdict, r.verdict);
    if (r.states > plain.states) say(way, 'states<=full', `<= ${plain.states}`, r.states);
    shortest(way, r, how);
  };
  /** A search some bound may have cut: never a pass unless it saw everything. */
  const cut = (way: string, r: ExploreResult, fits: boolean): void => {
    if (fits) return exact(way, r, plain);
    if (r.verdict === 'pass') say(way, 'never-pass', 'violation or incomplete', 'pass');
    shortest(way, r, 'eq');
  };
  const livenessSet = (way: string, r: ExploreResult, fair: boolean): void => {
    const got = new Set(r.violations.filter((v) => livenessIds.has(v.invariant)).map((v) => v.invariant));
    for (const [id, w] of plain.liveness) {
      if (fair && !w.terminal && !w.fairCycle) continue;
      if (!got.has(id)) say(way, fair ? 'liveness-missing' : `liveness-missing:${w.cycle ? 'cycle' : 'terminal'}`, id, 'not reported');
    }
    for (const id of got) {
      const w = plain.liveness.get(id);
      if (!w || (fair && !w.terminal && !w.fairCycle)) say(way, 'liveness-extra', `${id} holds`, `${id} reported`);
    }
  };

  const engines = ['fast', 'authoring', 'exact'] as const;
  /** The suite runs rotating ways on every n-th seed only, in turn. */
  const turn = (i: number, n: number): boolean => opts.thorough || seed % n === i;
  for (const engine of engines) {
    const r = await run(`full-${engine}`, () => explore(model, { engine, stopAtFirstViolation: false }));
    if (r) exact(`full-${engine}`, r, plain);
  }
  for (const [i, engine] of engines.entries()) {
    if (!turn(i, 3)) continue;
    const f = await run(`first-${engine}`, () => explore(model, { engine }));
    if (f) first(`first-${engine}`, f, 'eq');
  }
  const fast = (o: ExploreOptions): ExploreResult => explore(model, { engine: 'fast', stopAtFirstViolation: false, ...o });
  const por = await run('por', () => fast({ partialOrder: true }));
  if (por) reduced('por', por, 'ge');
  if (turn(0, 2)) {
    const porFirst = await run('por-first', () => explore(model, { engine: 'fast', partialOrder: true }));
    if (porFirst) first('por-first', porFirst, 'ge');
  }
  if (features.symmetric) {
    const sym = await run('symmetry', () => fast({ symmetry: true }));
    if (sym) reduced('symmetry', sym, 'eq');
    const both = await run('por+symmetry', () => fast({ symmetry: true, partialOrder: true }));
    if (both) reduced('por+symmetry', both, 'ge');
  }

  const rnd = small(seed);
  const d = Math.floor(rnd() * (plain.maxDepth + 2));
  const depth = turn(0, 3) ? await run('depth', () => fast({ maxDepth: d })) : undefined;
  if (depth) {
    const within = new Map([...plain.violated].filter(([, det]) => det.depth <= d));
    const sum = (xs: readonly number[]): number => xs.slice(0, d + 1).reduce((a, b) => a + b, 0);
    const beyond = (plain.statesAtDepth[d + 1] ?? 0) > 0;
    eq('depth', 'verdict', within.size > 0 ? 'violation' : beyond ? 'incomplete' : 'pass', depth.verdict);
    eq('depth', 'incomplete', beyond, depth.incomplete !== undefined);
    eq('depth', 'violated-set', sorted(within.keys()), sorted(safety(depth).map((v) => v.invariant)));
    eq('depth', 'states', sum(plain.statesAtDepth), depth.states);
    eq('depth', 'transitions', sum(plain.transitionsFromDepth), depth.transitions);
    eq('depth', 'maxDepth', Math.min(d, plain.maxDepth), depth.maxDepth);
    shortest('depth', depth, 'eq');
  }
  const k = 1 + Math.floor(rnd() * (plain.states + 1));
  const states = turn(1, 3) ? await run('states', () => fast({ maxStates: k })) : undefined;
  if (states) {
    cut('states', states, k >= plain.states);
    if (k < plain.states) {
      eq('states', 'states', k, states.states);
      eq('states', 'incomplete', true, states.incomplete !== undefined);
    }
  }
  const time = turn(2, 3) ? await run('time-0', () => fast({ timeLimitMs: 0 })) : undefined;
  if (time) cut('time-0', time, time.incomplete === undefined);

  if (features.liveness) {
    const live = await run('liveness', () => fast({ liveness: true }));
    if (live) {
      exact('liveness', live, plain);
      livenessSet('liveness', live, false);
    }
    if (opts.gappedWays || !gapOf('fairness', '', ctx)) {
      const fairOpts = { liveness: true, fairness: 'weak' };
      const fair = await run('fairness', () => fast(fairOpts as ExploreOptions));
      if (fair) livenessSet('fairness', fair, true);
    }
    if (features.symmetric) {
      const sl = await run('symmetry-liveness', () => fast({ liveness: true, symmetry: true }));
      if (sl) livenessSet('symmetry-liveness', sl, false);
    }
  }

  if (opts.workers && features.schema) {
    const source: ModelSource = { module: new URL('./random-models.ts', import.meta.url).href, exportName: 'randomModel', args: { seed } };
    const par = (o: Omit<ExploreOptions, 'engine'>): Promise<ExploreResult> => exploreParallel(model, source, { workers: 2, ...o });
    const all = await run('workers-full', () => par({ stopAtFirstViolation: false }));
    if (all) exact('workers-full', all, plain);
    // The suite's workers seeds are multiples of 25: the bounded variants rotate over them.
    const variant = (i: number): boolean => opts.thorough || Math.floor(seed / 25) % 4 === i;
    if (variant(0)) {
      const one = await run('workers-first', () => par({}));
      if (one) first('workers-first', one, 'eq');
    }
    if (variant(1)) {
      const s1 = await run('workers-states-1', () => par({ stopAtFirstViolation: false, maxStates: 1 }));
      if (s1) cut('workers-states-1', s1, plain.states <= 1);
    }
    if (variant(3) && plain.states >= 2) {
      // A bound the last level crosses: the threads finish that level, and must not call it a pass.
      const near = await run('workers-states-near', () => par({ stopAtFirstViolation: false, maxStates: plain.states - 1 }));
      if (near) cut('workers-states-near', near, false);
    }
    if (variant(2)) {
      const t = await run('workers-time', () => par({ stopAtFirstViolation: false, timeLimitMs: 1 }));
      if (t) cut('workers-time', t, t.incomplete === undefined && t.states === plain.states && t.transitions === plain.transitions);
    }
  }
  return out;
}

/** One line for a discrepancy. */
export function describeDiscrepancy(d: Discrepancy): string {
  return `seed ${d.seed} ${d.way} ${d.check}: expected ${d.expected}, got ${d.got}${d.gap ? ` [known gap ${d.gap}]` : ''}`;
}
