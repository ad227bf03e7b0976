// The liveness check after the safety search: build the reachable graph once (state-graph.ts),
// then search it for each liveness property (lasso.ts). What is checked is said there.

import { findLivenessViolation, type Fairness, type LivenessWitness } from './lasso.ts';
import { SccSearch } from './scc.ts';
import { buildStateGraph, type GraphOptions } from './state-graph.ts';
import type { StateSpace } from './space.ts';

export interface LivenessOptions extends GraphOptions {
  readonly fairness: Fairness;
}

/** What a property needs to be checked: its pending names per state. */
export interface PendingProperty<S> {
  readonly pending: (s: S) => readonly string[];
}

export interface LivenessCheck<P> {
  /** One witness per violated property, in the order given. */
  readonly found: readonly { readonly property: P; readonly witness: LivenessWitness }[];
  /**
   * Why the graph was cut by a bound. The witnesses found are still real (every edge kept is
   * a transition, every expanded state has all its edges), but a property without one is
   * unknown, not kept.
   */
  readonly incomplete?: string;
  readonly graph: { readonly states: number; readonly transitions: number; readonly bytes: number; readonly elapsedMs: number };
}

export function checkLiveness<S, P extends PendingProperty<S>>(space: StateSpace<S>, properties: readonly P[], processes: number, opts: LivenessOptions): LivenessCheck<P> {
  const start = performance.now();
  const g = buildStateGraph(
    space,
    properties.map((p) => p.pending),
    opts,
  );
  const scc = new SccSearch(g);
  const found = properties.flatMap((property, k) => {
    const witness = findLivenessViolation(g, k, opts.fairness, processes, scc);
    return witness ? [{ property, witness }] : [];
  });
  return {
    found,
    ...(g.incomplete !== undefined ? { incomplete: g.incomplete } : {}),
    graph: { states: g.states, transitions: g.edges, bytes: g.bytes, elapsedMs: performance.now() - start },
  };
}
