// The liveness search of one property on the explicit state graph (state-graph.ts). A name n
// that some reachable state has pending is a violation iff
//   (a) a state with n pending is terminal (no successor state at all), or
//   (b) a state with n pending lies on a cycle of the subgraph of states where n is pending
//       (a nontrivial SCC of that subgraph, or a self-loop),
// and with weak fairness the cycle of (b) must be fair: an SCC C has a weakly fair cycle iff
// every process is disabled in some state of C or takes a transition that stays inside C.
// Nothing is assumed of how pending sets change along a path (they need not only shrink), so
// each name gets its own SCC pass over its own subgraph.

import { decodeTransition } from './compile.ts';
import { SccSearch } from './scc.ts';
import type { StateGraph } from './state-graph.ts';

export type Fairness = 'none' | 'weak';
export const FAIRNESS: readonly Fairness[] = ['none', 'weak'];

export type LivenessWitness =
  /** A lasso: the transitions to the first state of the cycle, then around it. */
  | { readonly kind: 'cycle'; readonly root: number; readonly prefix: readonly number[]; readonly cycle: readonly number[]; readonly pending: readonly string[] }
  /** A terminal state where `pending` is still pending. */
  | { readonly kind: 'terminal'; readonly root: number; readonly prefix: readonly number[]; readonly pending: readonly string[] };

/** The violation of property `k` with the earliest state (so a short prefix), or undefined. */
export function findLivenessViolation(g: StateGraph, k: number, fairness: Fairness, processes: number, scc: SccSearch = new SccSearch(g)): LivenessWitness | undefined {
  const { of, sets } = g.pending[k]!;
  const n = g.expanded;
  const outDegree = (v: number): number => g.edgeStart(v + 1) - g.edgeStart(v);

  // States are numbered breadth-first: the lowest numbered violating state has the shortest path.
  let terminal = -1;
  for (let v = 0; v < n && terminal < 0; v++) if (outDegree(v) === 0 && of.get(v) !== 0) terminal = v;
  let best: LivenessWitness | undefined;
  let bestEntry = terminal < 0 ? n : terminal;
  if (terminal >= 0) best = { kind: 'terminal', ...pathTo(g, terminal), pending: sets[of.get(terminal)]! };

  const fair = new FairnessCheck(g, processes);
  for (const name of new Set(sets.flat())) {
    const has = Uint8Array.from(sets, (set) => (set.includes(name) ? 1 : 0));
    const inside = (v: number): boolean => has[of.get(v)] === 1;
    let chosen = -1;
    scc.run(inside, (members, id) => {
      const entry = members.reduce((a, b) => Math.min(a, b), n);
      if (entry >= bestEntry) return;
      if (!cyclic(g, members)) return;
      // Weak fairness needs no refinement into sub-cycles: a process enabled in every state of
      // C and never taken inside C is so in every sub-cycle of C too, so if C is not fair, no
      // cycle within it is.
      if (fairness === 'weak' && fair.waypoints(members, scc.comp, id) === undefined) return;
      bestEntry = entry;
      chosen = id;
    });
    if (chosen >= 0) best = lasso(g, scc.comp, chosen, bestEntry, fairness === 'weak' ? fair.waypoints(membersOf(scc.comp, chosen), scc.comp, chosen)! : [], of, sets);
  }
  return best;
}

function pathTo(g: StateGraph, v: number): { root: number; prefix: number[] } {
  const p = g.pathTo(v);
  return { root: p.root, prefix: p.tids };
}

/** A nontrivial SCC, or a single state with a self-loop. */
function cyclic(g: StateGraph, members: Int32Array): boolean {
  if (members.length > 1) return true;
  const v = members[0]!;
  for (let e = g.edgeStart(v); e < g.edgeStart(v + 1); e++) if (g.target(e) === v) return true;
  return false;
}

function membersOf(comp: Int32Array, id: number): Int32Array {
  const out: number[] = [];
  comp.forEach((c, v) => void (c === id && out.push(v)));
  return Int32Array.from(out);
}

/**
 * What a fair cycle through the component must pass: for every process, one of its edges that
 * stays inside, or a state where it is disabled (there it need not move).
 */
type Waypoint = { readonly edge: number } | { readonly state: number };

/** Where a weakly fair cycle through an SCC must go, process by process. */
class FairnessCheck {
  private readonly enabledHere: Uint8Array;
  private readonly disabledAt: Int32Array;
  private readonly inside: Int32Array;

  constructor(
    private readonly g: StateGraph,
    private readonly processes: number,
  ) {
    this.enabledHere = new Uint8Array(processes);
    this.disabledAt = new Int32Array(processes);
    this.inside = new Int32Array(processes);
  }

  /**
   * One waypoint per process: a state of the component where it is disabled, else an edge of
   * it that stays inside; undefined if some process has neither (the component is not fair).
   */
  waypoints(members: Int32Array, comp: Int32Array, id: number): Waypoint[] | undefined {
    const { g, enabledHere, disabledAt, inside } = this;
    disabledAt.fill(-1);
    inside.fill(-1);
    for (const v of members) {
      enabledHere.fill(0);
      for (let e = g.edgeStart(v); e < g.edgeStart(v + 1); e++) {
        const pid = decodeTransition(g.tid(e)).pid;
        enabledHere[pid] = 1;
        const w = g.target(e);
        if (inside[pid] === -1 && w >= 0 && w < comp.length && comp[w] === id) inside[pid] = e;
      }
      for (let p = 0; p < this.processes; p++) if (enabledHere[p] === 0 && disabledAt[p] === -1) disabledAt[p] = v;
    }
    const out: Waypoint[] = [];
    for (let p = 0; p < this.processes; p++) {
      if (disabledAt[p]! >= 0) out.push({ state: disabledAt[p]! });
      else if (inside[p]! >= 0) out.push({ edge: inside[p]! });
      else return undefined;
    }
    return out;
  }
}

/**
 * The lasso through `entry` in component `id`: the BFS-tree path to entry, then a cycle inside
 * the component from entry back to it that passes each waypoint of `through` (one per process,
 * for a fair cycle), by shortest paths inside the component between them.
 */
function lasso(
  g: StateGraph,
  comp: Int32Array,
  id: number,
  entry: number,
  through: readonly Waypoint[],
  of: StateGraph['pending'][number]['of'],
  sets: readonly (readonly string[])[],
): LivenessWitness {
  const inC = (v: number): boolean => v >= 0 && v < comp.length && comp[v] === id;
  const edges: number[] = [];
  let at = entry;
  for (const w of through) {
    if ('state' in w) {
      if (w.state !== at) edges.push(...route(g, inC, at, w.state));
      at = w.state;
      continue;
    }
    const from = sourceOf(g, w.edge);
    if (from !== at) edges.push(...route(g, inC, at, from));
    edges.push(w.edge);
    at = g.target(w.edge);
  }
  if (at !== entry || edges.length === 0) edges.push(...route(g, inC, at, entry));
  let stuck = sets[of.get(entry)]!;
  for (const e of edges) stuck = stuck.filter((x) => sets[of.get(g.target(e))]!.includes(x));
  return { kind: 'cycle', ...pathTo(g, entry), cycle: edges.map((e) => g.tid(e)), pending: stuck };
}

/** The state an edge leaves: edges are stored by source, so the last state starting at or before it. */
function sourceOf(g: StateGraph, e: number): number {
  let [lo, hi] = [0, g.expanded - 1];
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (g.edgeStart(mid) <= e) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Shortest path of edges from `from` to `to` inside the component; from === to: a shortest cycle. */
function route(g: StateGraph, inC: (v: number) => boolean, from: number, to: number): number[] {
  const prevEdge = new Map<number, number>();
  const prevState = new Map<number, number>();
  const queue = [from];
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q]!;
    for (let e = g.edgeStart(v); e < g.edgeStart(v + 1); e++) {
      const w = g.target(e);
      if (!inC(w) || prevEdge.has(w) || (w === from && w !== to)) continue;
      prevEdge.set(w, e);
      prevState.set(w, v);
      if (w === to) {
        const path: number[] = [];
        let cur = to;
        do {
          path.push(prevEdge.get(cur)!);
          cur = prevState.get(cur)!;
        } while (cur !== from);
        return path.reverse();
      }
      queue.push(w);
    }
  }
  throw new Error(`no path from state ${from} to ${to} inside their component`);
}
