// Exhaustive breadth-first search. States are numbered in the order found; each keeps a parent
// link and the transition that reached it (two int32 columns), and the visited set holds only
// 64-bit fingerprints. Because the search goes level by level, the first violation found comes
// with a shortest trace from an initial state.
//
// Bounds never turn into a silent pass: hitting one makes the result incomplete, and says which.
// The depth bound is exact: the last level is still expanded, and the search is incomplete only
// if that finds a state not yet seen.

import { ObjectFrontier, PackedFrontier, type Frontier } from './frontier.ts';
import type { ProgressSink } from './progress.ts';
import type { Failure, StateSpace, SuccessorSink } from './space.ts';
import { verifiedVisitedSet } from './verified.ts';
import { ExactKeySet, FingerprintSet, Int32Column } from './visited.ts';

export interface SearchBounds {
  /** Largest depth (number of transitions from an initial state) whose states are kept. */
  readonly maxDepth?: number;
  /** Largest number of distinct states kept. */
  readonly maxStates?: number;
  readonly timeLimitMs?: number;
}

export interface SearchOptions<S = unknown> extends SearchBounds {
  /**
   * Stop at the first violation (default). Otherwise keep the first (shortest) violation of each
   * property and explore on, from violating states too: they are reachable, and what follows
   * them (a lost write after a stale PTE) may break other properties.
   */
  readonly stopAtFirstViolation?: boolean;
  readonly progress?: ProgressSink;
  /**
   * Keep every state's whole key instead of its fingerprint: no two distinct states can be
   * merged, at the cost of the key's size per state. The self-check's third witness.
   */
  readonly exactKeys?: boolean;
  /**
   * Keep an independent check hash beside each fingerprint and compare it whenever a
   * fingerprint is met again (verified.ts): two distinct states sharing a fingerprint then make
   * the search stop, incomplete, instead of silently dropping one. Ignored with exactKeys.
   */
  readonly verifyFingerprints?: boolean;
  /**
   * Partial-order reduction (por.ts): expand a state by an ample set when the space offers one
   * whose successors are all new (the cycle proviso), else fully. Verdicts stay exact; traces
   * are shortest in the reduced graph, not necessarily in the full one.
   */
  readonly partialOrder?: boolean;
  /** Called for every transition taken out of state `from` (index and state), new state or not. */
  readonly onTransition?: (from: number, state: S, tid: number) => void;
  /** Called for every state before it is expanded (fully or by an ample set). */
  readonly onExpand?: (state: S) => void;
}

/** Where a violation was seen: in state `at`, or on transition `tid` out of it. */
export interface FoundViolation extends Failure {
  readonly at: number;
  readonly tid: number;
}

export interface SearchResult {
  readonly states: number;
  readonly transitions: number;
  readonly maxDepth: number;
  readonly elapsedMs: number;
  readonly incomplete?: string;
  readonly violations: readonly FoundViolation[];
  /** Times each step was taken, by global step index. */
  readonly coverage: readonly number[];
  /** Bytes of the visited set and parent links. */
  readonly storeBytes: number;
  /** Most bytes the packed frontier held at once (0 when the frontier holds objects). */
  readonly frontierBytes: number;
  /** Initial states generated (with the transitions: every state generated, for the collision estimate). */
  readonly initialStates: number;
  /** States expanded by an ample set rather than fully (partialOrder). */
  readonly ampleStates: number;
  /** The reductions used: 'por'. */
  readonly reductions: readonly string[];
  /** Every fingerprint met again was checked against an independent hash (verifyFingerprints). */
  readonly fingerprintsVerified?: boolean;
  /** Path from an initial state to state `idx`: the initial state's ordinal and the transitions. */
  pathTo(idx: number): { root: number; tids: number[] };
}

const CHECK_EVERY = 256;

export function bfs<S>(space: StateSpace<S>, opts: SearchOptions<S> = {}): SearchResult {
  const start = performance.now();
  const stopAtFirst = opts.stopAtFirstViolation ?? true;
  const exact = opts.exactKeys ?? false;
  const verify = !exact && (opts.verifyFingerprints ?? false);
  let collision: string | undefined;
  const onCollision = (why: string): void => {
    collision ??= why;
    stop = true;
  };
  const seen = verify ? verifiedVisitedSet(space, onCollision) : visitedSet(space, exact);
  const parent = new Int32Column();
  const via = new Int32Column();
  const coverage = new Array<number>(space.stepNames.length).fill(0);
  const found = new Map<string, FoundViolation>();

  let states = 0;
  let transitions = 0;
  let maxDepth = 0;
  let incomplete: string | undefined;
  let stop = false;

  const record = (f: Failure, at: number, tid: number): void => {
    if (!found.has(f.property)) found.set(f.property, { ...f, at, tid });
    if (stopAtFirst) stop = true;
  };

  /** Keeps a new state; returns its index, or -1 if the state bound forbids it. */
  const keep = (from: number, tid: number): number => {
    if (opts.maxStates !== undefined && states >= opts.maxStates) {
      incomplete = `state bound ${opts.maxStates} reached`;
      stop = true;
      return -1;
    }
    parent.push(from);
    via.push(tid);
    return states++;
  };

  const newFrontier = (): Frontier<S> => (space.pack && space.unpack ? new PackedFrontier({ pack: space.pack.bind(space), unpack: space.unpack.bind(space) }) : new ObjectFrontier<S>());
  let frontier = newFrontier();
  let next = newFrontier();
  let frontierBytes = 0;
  const initial = space.initialStates();
  initial.forEach((s, ordinal) => {
    if (stop) return;
    if (!seen.add(s)) return;
    const idx = keep(-1, ordinal);
    if (idx < 0) return;
    const failed = space.checkState(s);
    for (const f of failed) record(f, idx, -1);
    if (failed.length === 0 || !stopAtFirst) frontier.push(idx, s);
  });

  let depth = 0;
  let current = -1;
  let currentState: S | undefined;
  let atBound = false;
  const sink: SuccessorSink<S> = {
    onNext(tid, s2) {
      if (stop) return;
      if (opts.onTransition) opts.onTransition(current, currentState!, tid);
      transitions++;
      coverage[space.stepOf(tid)]!++;
      if (atBound) {
        if (!seen.has(s2)) incomplete = `depth bound ${opts.maxDepth} reached`;
        return;
      }
      if (!seen.add(s2)) return;
      const idx = keep(current, tid);
      if (idx < 0) return;
      maxDepth = depth + 1;
      const failed = space.checkState(s2);
      for (const f of failed) record(f, idx, -1);
      if (failed.length === 0 || !stopAtFirst) next.push(idx, s2);
    },
    onViolation(tid, f) {
      if (stop) return;
      if (opts.onTransition) opts.onTransition(current, currentState!, tid);
      coverage[space.stepOf(tid)]!++;
      record(f, current, tid);
    },
  };

  // Partial-order reduction: the first candidate process with an enabled step whose successors
  // are all new gives the ample set; its successors go to the sink as a full expansion's would.
  let ampleStates = 0;
  const ampleOf = space.ampleCandidates?.bind(space);
  const expandOne = space.expandProcess?.bind(space);
  const expandState = (s: S): number => {
    if (opts.partialOrder && ampleOf && expandOne) {
      for (const pid of ampleOf(s)) {
        const next: { tid: number; s: S }[] = [];
        const bad: { tid: number; f: Failure }[] = [];
        const n = expandOne(s, pid, { onNext: (tid, s2) => next.push({ tid, s: s2 }), onViolation: (tid, f) => bad.push({ tid, f }) });
        // A failing transition is visible (it is a violation), and one with no successor would
        // leave the state expanded by nothing: either way, not an ample set.
        if (n === 0 || bad.length > 0 || next.some((x) => seen.has(x.s))) continue;
        ampleStates++;
        for (const x of next) sink.onNext(x.tid, x.s);
        return n;
      }
    }
    return space.expand(s, sink);
  };

  const checkReduction = space.checkReduction?.bind(space);
  let expanded = 0;
  while (frontier.length > 0 && !stop) {
    atBound = opts.maxDepth !== undefined && depth >= opts.maxDepth;
    frontier.drain((idx, s) => {
      current = idx;
      currentState = s;
      opts.onExpand?.(s);
      checkReduction?.(s);
      if (expandState(s) === 0 && !stop) {
        const f = space.stuck(s);
        if (f) record(f, current, -1);
      }
      if (++expanded % CHECK_EVERY === 0) {
        const elapsed = performance.now() - start;
        opts.progress?.update(states, depth, elapsed);
        frontierBytes = Math.max(frontierBytes, frontier.bytes + next.bytes);
        if (opts.timeLimitMs !== undefined && elapsed > opts.timeLimitMs) {
          incomplete = `time bound ${opts.timeLimitMs / 1000}s reached`;
          stop = true;
        }
      }
      return !stop;
    });
    frontierBytes = Math.max(frontierBytes, next.bytes);
    if (atBound) break;
    [frontier, next] = [next, frontier];
    depth++;
  }
  opts.progress?.done();

  return {
    states,
    transitions,
    maxDepth,
    elapsedMs: performance.now() - start,
    // A collision is the reason given even if a bound was hit too: a state may be missing.
    ...(collision !== undefined ? { incomplete: collision } : incomplete !== undefined ? { incomplete } : {}),
    violations: [...found.values()],
    coverage,
    storeBytes: seen.bytes + parent.bytes + via.bytes,
    frontierBytes,
    initialStates: initial.length,
    ampleStates,
    reductions: opts.partialOrder && space.ampleCandidates ? ['por'] : [],
    ...(verify ? { fingerprintsVerified: true } : {}),
    pathTo(idx) {
      const tids: number[] = [];
      let i = idx;
      while (parent.get(i) !== -1) {
        tids.push(via.get(i));
        i = parent.get(i);
      }
      return { root: via.get(i), tids: tids.reverse() };
    },
  };
}

/** The visited set over states: fingerprints, or (exactKeys) whole keys. */
function visitedSet<S>(space: StateSpace<S>, exact: boolean): { add(s: S): boolean; has(s: S): boolean; readonly bytes: number } {
  if (exact) {
    const keys = new ExactKeySet();
    return { add: (s) => keys.add(space.key(s)), has: (s) => keys.has(space.key(s)), get bytes() { return keys.bytes; } };
  }
  const fps = new FingerprintSet();
  const fp = new Uint32Array(2);
  return {
    add(s) {
      space.fingerprint(s, fp);
      return fps.add(fp[0]!, fp[1]!);
    },
    has(s) {
      space.fingerprint(s, fp);
      return fps.has(fp[0]!, fp[1]!);
    },
    get bytes() {
      return fps.bytes;
    },
  };
}
