// Strongly connected components of a subgraph of the state graph, by Tarjan's algorithm made
// iterative (an explicit call stack of (state, next edge)): the graphs have hundreds of
// thousands of states, far deeper than the JS stack. Linear in the states and edges visited.

import type { StateGraph } from './state-graph.ts';

/**
 * `run` calls `onComponent` for every SCC of the subgraph of expanded states where `inside`
 * holds, with its states (`members`, valid only during the call) and its number; `comp[v]` is
 * the number of v's component once that has been reported. Components come in Tarjan's order
 * (reverse topological). The arrays are sized once per graph and reused by every run.
 */
export class SccSearch {
  private readonly index: Int32Array;
  private readonly low: Int32Array;
  private readonly onStack: Uint8Array;
  private readonly stack: Int32Array;
  private readonly callState: Int32Array;
  private readonly callEdge: Int32Array;
  /** Component number of each state of the last run; -1 outside the subgraph or not reached. */
  readonly comp: Int32Array;

  constructor(private readonly g: StateGraph) {
    const n = g.expanded;
    this.index = new Int32Array(n);
    this.low = new Int32Array(n);
    this.onStack = new Uint8Array(n);
    this.stack = new Int32Array(n);
    this.callState = new Int32Array(n);
    this.callEdge = new Int32Array(n);
    this.comp = new Int32Array(n);
  }

  run(inside: (v: number) => boolean, onComponent: (members: Int32Array, id: number) => void): void {
    const { g, index, low, onStack, stack, callState, callEdge, comp } = this;
    const n = g.expanded;
    index.fill(-1);
    comp.fill(-1);
    onStack.fill(0);
    let counter = 0;
    let sp = 0;
    let components = 0;
    let cs = 0;
    const within = (w: number): boolean => w >= 0 && w < n && inside(w);
    const enter = (v: number): void => {
      index[v] = low[v] = counter++;
      stack[sp++] = v;
      onStack[v] = 1;
      callState[cs] = v;
      callEdge[cs++] = g.edgeStart(v);
    };
    for (let root = 0; root < n; root++) {
      if (index[root] !== -1 || !inside(root)) continue;
      enter(root);
      while (cs > 0) {
        const v = callState[cs - 1]!;
        const e = callEdge[cs - 1]!;
        if (e < g.edgeStart(v + 1)) {
          callEdge[cs - 1] = e + 1;
          const w = g.target(e);
          if (!within(w)) continue;
          if (index[w] === -1) enter(w);
          else if (onStack[w] === 1) low[v] = Math.min(low[v]!, index[w]!);
          continue;
        }
        cs--;
        if (low[v] === index[v]) {
          let k = sp;
          do {
            const w = stack[--k]!;
            onStack[w] = 0;
            comp[w] = components;
          } while (stack[k] !== v);
          onComponent(stack.subarray(k, sp), components++);
          sp = k;
        }
        if (cs > 0) {
          const u = callState[cs - 1]!;
          low[u] = Math.min(low[u]!, low[v]!);
        }
      }
    }
  }
}
