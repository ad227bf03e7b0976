// The reachable state graph, kept explicitly for the liveness search: a cycle search needs the
// edges, which the safety BFS does not keep. Built breadth-first, so the parent links give short
// paths (a lasso's prefix). No JS object per state or edge: states are numbered in the order
// found (a fingerprint or exact-key index gives the number), the edges of state i are the range
// [edgeStart(i), edgeStart(i + 1)) of two int32 columns (target, transition id), and what is
// pending in a state is the number of its pending set, interned per liveness property.
//
// Bounds cut the graph and say so. A state is either expanded, with every one of its
// transitions as an edge, or not expanded at all; an edge to a successor the bounds did not let
// in has target -1. So an expanded state with no edge is truly terminal, and which processes
// are enabled in an expanded state is exact even in a cut graph.

import { ObjectFrontier, PackedFrontier, type Frontier } from './frontier.ts';
import type { SearchBounds } from './bfs.ts';
import type { StateSpace } from './space.ts';
import { ExactKeySet, FingerprintMap, Int32Column } from './visited.ts';

/** The pending sets of one liveness property: a set number per state, and the sets. */
export interface PendingSets {
  /** Set number of each state. */
  readonly of: Int32Column;
  /** The distinct sets, each sorted. Set 0 is the empty set. */
  readonly sets: readonly (readonly string[])[];
}

export interface StateGraph {
  readonly states: number;
  /** States 0 .. expanded-1 have all their edges; the others none. */
  readonly expanded: number;
  readonly edges: number;
  /** First edge of state i, for i <= expanded (edgeStart(expanded) is the edge count). */
  edgeStart(i: number): number;
  /** Target state of edge e, or -1 if the bounds kept it out of the graph. */
  target(e: number): number;
  tid(e: number): number;
  /** Per liveness property, in the order given. */
  readonly pending: readonly PendingSets[];
  /** Why the graph is cut, e.g. "state bound 5000 reached". */
  readonly incomplete?: string;
  /** Bytes of the index, the columns and the pending numbers. */
  readonly bytes: number;
  /** The BFS-tree path to state i: its initial state's ordinal and the transitions. */
  pathTo(i: number): { root: number; tids: number[] };
}

export interface GraphOptions extends SearchBounds {
  /** Whole keys instead of fingerprints (the exact engine). */
  readonly exactKeys?: boolean;
  /** Time already spent under `timeLimitMs` (by the safety search before this one). */
  readonly spentMs?: number;
}

const CHECK_EVERY = 256;

export function buildStateGraph<S>(space: StateSpace<S>, pendingOf: readonly ((s: S) => readonly string[])[], opts: GraphOptions = {}): StateGraph {
  const start = performance.now();
  const index = stateIndex(space, opts.exactKeys ?? false);
  const parent = new Int32Column();
  const via = new Int32Column();
  const firstEdge = new Int32Column();
  const target = new Int32Column();
  const tids = new Int32Column();
  const pending = pendingOf.map(() => new PendingInterner());
  let states = 0;
  let incomplete: string | undefined;
  let full = false;

  /** The successor's number, a new one if the bounds allow, else -1. */
  const numberOf = (s: S, from: number, tid: number, depth: number): number => {
    const found = index.find(s);
    if (found >= 0) return found;
    if (opts.maxDepth !== undefined && depth > opts.maxDepth) {
      incomplete ??= `depth bound ${opts.maxDepth} reached`;
      return -1;
    }
    if (full || (opts.maxStates !== undefined && states >= opts.maxStates)) {
      incomplete ??= `state bound ${opts.maxStates} reached`;
      full = true;
      return -1;
    }
    index.add(s, states);
    parent.push(from);
    via.push(tid);
    pending.forEach((p, k) => p.push(pendingOf[k]!(s)));
    return states++;
  };

  const newFrontier = (): Frontier<S> => (space.pack && space.unpack ? new PackedFrontier({ pack: space.pack.bind(space), unpack: space.unpack.bind(space) }) : new ObjectFrontier<S>());
  let frontier = newFrontier();
  let next = newFrontier();
  space.initialStates().forEach((s, ordinal) => {
    const before = states;
    const i = numberOf(s, -1, ordinal, 0);
    if (states > before) frontier.push(i, s);
  });

  let expanded = 0;
  let depth = 0;
  let stop = false;
  let current = -1;
  const sink = {
    onNext: (tid: number, s: S): void => {
      const before = states;
      const to = numberOf(s, current, tid, depth + 1);
      target.push(to);
      tids.push(tid);
      if (states > before) next.push(to, s);
    },
    onViolation: (): void => {},
  };
  while (frontier.length > 0 && !stop) {
    frontier.drain((i, s) => {
      current = i;
      firstEdge.push(target.length);
      space.expand(s, sink);
      expanded++;
      // A full graph still expands the states already in it: their edges (to states in the
      // graph or cut off) are exact, so cycles among them are still found.
      if (expanded % CHECK_EVERY === 0 && opts.timeLimitMs !== undefined && performance.now() - start + (opts.spentMs ?? 0) > opts.timeLimitMs) {
        incomplete ??= `time bound ${opts.timeLimitMs / 1000}s reached`;
        stop = true;
      }
      return !stop;
    });
    [frontier, next] = [next, frontier];
    depth++;
  }
  firstEdge.push(target.length);

  return {
    states,
    expanded,
    edges: target.length,
    edgeStart: (i) => firstEdge.get(i),
    target: (e) => target.get(e),
    tid: (e) => tids.get(e),
    pending: pending.map((p) => p.result()),
    ...(incomplete !== undefined ? { incomplete } : {}),
    bytes: index.bytes + parent.bytes + via.bytes + firstEdge.bytes + target.bytes + tids.bytes + pending.reduce((n, p) => n + p.bytes, 0),
    pathTo(i) {
      const path: number[] = [];
      for (; parent.get(i) !== -1; i = parent.get(i)) path.push(via.get(i));
      return { root: via.get(i), tids: path.reverse() };
    },
  };
}

/** Numbers the distinct pending sets of one property (few: subsets of a handful of names). */
class PendingInterner {
  private readonly of = new Int32Column();
  private readonly sets: string[][] = [[]];
  private readonly ids = new Map<string, number>([['', 0]]);

  get bytes(): number {
    return this.of.bytes;
  }

  push(names: readonly string[]): void {
    const set = [...new Set(names)].sort();
    const key = set.join('\u0000');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(set);
      this.ids.set(key, id);
    }
    this.of.push(id);
  }

  result(): PendingSets {
    return { of: this.of, sets: this.sets };
  }
}

/** State numbers by fingerprint or (exact) by whole key. */
function stateIndex<S>(space: StateSpace<S>, exact: boolean): { find(s: S): number; add(s: S, i: number): void; readonly bytes: number } {
  if (exact) {
    const keys = new ExactKeySet();
    return {
      find: (s) => keys.indexOf(space.key(s)),
      // Keys are numbered in the order added, which is the order states are numbered here.
      add: (s) => void keys.add(space.key(s)),
      get bytes() {
        return keys.bytes;
      },
    };
  }
  const map = new FingerprintMap();
  const fp = new Uint32Array(2);
  return {
    find(s) {
      space.fingerprint(s, fp);
      return map.get(fp[0]!, fp[1]!);
    },
    // Always right after find(s): fp still holds s's fingerprint.
    add: (_s, i) => map.set(fp[0]!, fp[1]!, i),
    get bytes() {
      return map.bytes;
    },
  };
}
