// A plain, independent checker for the differential harness (issue 13). It shares no code with
// the engine: only the Model type comes from explorer/model.ts. No immer, no fingerprints, no
// codecs, no lock helpers: a state is {g, locks, procs} deep-copied with structuredClone and
// keyed by a canonical JSON string (object keys sorted). The semantics of steps, locks and
// built-in properties are written out again here from their definitions:
//
// - a step at the process's location is enabled iff its guard holds; then, for each acquire, the
//   process already holding that lock (any mode) is a `lock-balance` violation on that
//   transition; a lock held conflictingly disables the step; then a release of something not
//   held in that mode (and not acquired in the same step in that mode) is `lock-balance`; then
//   the choices (none: disabled). Such an error transition leads nowhere and is not counted.
// - each choice runs the effect on a deep copy between the acquires and the releases, then
//   `next`; a throw is `step-error` (no successor, not counted);
// - a process reaching 'done' holding a lock is `lock-held-at-end`; action properties judge
//   every transition; state invariants every reachable state;
// - a state with no transition at all (error transitions count as transitions here, as in the
//   engine) while some process is not at an end label is a `deadlock`.
// Every reachable state is expanded, violating or not (the engine's "search on" mode).
//
// Liveness: for a property p and a name n, let P be the reachable states where n is pending. p is
// violated iff some state of P is terminal (no successor at all), or some cycle lies inside P (a
// nontrivial SCC of P, or a self-loop). With weak fairness, such a cycle must be fair: an SCC C
// of P has a fair cycle iff every process is disabled in some state of C or takes a transition
// that stays inside C. Terminal pending states are violations with or without fairness.

import type { Model, SysState } from '../../explorer/model.ts';

type G0 = unknown;
type L0 = unknown;

interface Hold {
  w: number;
  r: number;
}
interface PState<G, L> {
  g: G;
  locks: Hold[];
  procs: { pc: string; locals: L }[];
}

/** Where a property was first seen: in a state (invariant, deadlock) or on a transition out of one. */
export interface Detection {
  readonly kind: 'state' | 'transition' | 'deadlock';
  /** BFS depth of the state (the source state, for a transition). */
  readonly depth: number;
}

export interface LivenessWitness {
  /** A pending state with no successor. */
  readonly terminal: boolean;
  /** A cycle inside the pending states (nontrivial SCC or self-loop). */
  readonly cycle: boolean;
  /** A weakly fair such cycle. */
  readonly fairCycle: boolean;
}

export interface PlainResult {
  readonly states: number;
  readonly transitions: number;
  readonly maxDepth: number;
  /** Every violated safety property (built-in or the model's), searching everything. */
  readonly violated: ReadonlyMap<string, Detection>;
  /** States per BFS depth. */
  readonly statesAtDepth: readonly number[];
  /** Transitions (successful ones) out of the states of each depth. */
  readonly transitionsFromDepth: readonly number[];
  /** Violated liveness properties and how. */
  readonly liveness: ReadonlyMap<string, LivenessWitness>;
  /** Some state has a process whose only transitions there are errors (lock misuse, a throw). */
  readonly errorOnlyProcess: boolean;
  /** Some state has an error transition at all. */
  readonly errorTransitions: boolean;
  /** The search was cut by `cap`: the other fields are meaningless. */
  readonly capped: boolean;
}

/** Trace length of a detection: the steps to the state, plus the transition itself. */
export function traceLength(d: Detection): number {
  return d.depth + (d.kind === 'transition' ? 1 : 0);
}

/** When a stop-at-first BFS meets it: while expanding level `level` (-1: the initial states). */
export function firstLevel(d: Detection): number {
  return d.kind === 'state' ? d.depth - 1 : d.depth;
}

function canon(v: unknown): string {
  const out: string[] = [];
  const walk = (x: unknown): void => {
    if (typeof x === 'number' || typeof x === 'boolean') out.push(String(x));
    else if (Array.isArray(x)) {
      out.push('[');
      for (let i = 0; i < x.length; i++) {
        if (i > 0) out.push(',');
        walk(x[i]);
      }
      out.push(']');
    } else if (x !== null && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      const ks = Object.keys(o).sort();
      out.push('{');
      for (let i = 0; i < ks.length; i++) {
        if (i > 0) out.push(',');
        out.push(JSON.stringify(ks[i]), ':');
        walk(o[ks[i]!]);
      }
      out.push('}');
    } else out.push(JSON.stringify(x) ?? 'undefined');
  };
  walk(v);
  return out.join('');
}

function holdsLock(h: Hold, pid: number, mode?: 'read' | 'write'): boolean {
  const w = h.w === pid;
  const r = (h.r & (1 << pid)) !== 0;
  return mode === 'write' ? w : mode === 'read' ? r : w || r;
}

interface Edge {
  readonly to: number;
  readonly pid: number;
}

export function plainBfs<G, L>(model: Model<G, L>, opts: { readonly cap?: number } = {}): PlainResult {
  const m = model as unknown as Model<G0, L0>;
  const lockNames = (m.locks ?? []).map((l) => l.name);
  const lockIdx = (n: string): number => {
    const i = lockNames.indexOf(n);
    if (i < 0) throw new Error(`unknown lock ${n}`);
    return i;
  };
  const progs = m.processes.map((p) => {
    const at = new Map<string, typeof p.program.steps>();
    for (const st of p.program.steps) {
      const loc = st.at ?? st.label;
      at.set(loc, [...(at.get(loc) ?? []), st]);
    }
    const ends = new Set(['done', ...(p.program.endLabels ?? [])]);
    const locations = new Set([...at.keys(), ...ends]);
    return { at, ends, locations };
  });
  const invs = m.invariants ?? [];
  const stateInvs = invs.filter((i) => i.kind === 'state');
  const actionProps = invs.filter((i) => i.kind === 'action');
  const checkDeadlock = m.checkDeadlock ?? true;

  const keys = new Map<string, number>();
  const states: PState<G0, L0>[] = [];
  const depthOf: number[] = [];
  const edges: Edge[][] = [];
  const violated = new Map<string, Detection>();
  const note = (p: string, d: Detection): void => {
    const old = violated.get(p);
    if (!old || traceLength(d) < traceLength(old)) violated.set(p, d);
  };
  let transitions = 0;
  let errorOnlyProcess = false;
  let errorTransitions = false;
  let capped = false;

  const add = (s: PState<G0, L0>, depth: number): number => {
    const k = canon(s);
    const old = keys.get(k);
    if (old !== undefined) return old;
    const idx = states.length;
    keys.set(k, idx);
    states.push(s);
    depthOf.push(depth);
    edges.push([]);
    for (const inv of stateInvs) if (!inv.holds(s as SysState<G0, L0>)) note(inv.id, { kind: 'state', depth });
    return idx;
  };

  for (const g of m.initial) {
    add({ g: structuredClone(g), locks: lockNames.map(() => ({ w: -1, r: 0 })), procs: m.processes.map((p) => ({ pc: p.program.start, locals: structuredClone(p.locals) })) }, 0);
  }

  for (let i = 0; i < states.length; i++) {
    if (opts.cap !== undefined && states.length > opts.cap) {
      capped = true;
      break;
    }
    const s = states[i]!;
    const depth = depthOf[i]!;
    let all = 0;
    s.procs.forEach((proc, pid) => {
      let ok = 0;
      let bad = 0;
      const onError = (p: string): void => {
        bad++;
        errorTransitions = true;
        note(p, { kind: 'transition', depth });
      };
      for (const st of progs[pid]!.at.get(proc.pc) ?? []) {
        const ctx0 = { pid, choice: 0 };
        if (st.guard && !st.guard(s.g, proc.locals, ctx0)) continue;
        const ops = st.locks ?? [];
        const acq = ops.filter((o) => o.op === 'acquire');
        const rel = ops.filter((o) => o.op === 'release');
        const down = ops.filter((o) => o.op === 'downgrade');
        if (acq.some((a) => holdsLock(s.locks[lockIdx(a.lock)]!, pid))) {
          onError('lock-balance');
          continue;
        }
        const free = acq.every((a) => {
          const h = s.locks[lockIdx(a.lock)]!;
          return a.mode === 'read' ? h.w === -1 : h.w === -1 && h.r === 0;
        });
        if (!free) continue;
        const badRelease = rel.some((r) => !acq.some((a) => a.lock === r.lock && a.mode === r.mode) && !holdsLock(s.locks[lockIdx(r.lock)]!, pid, r.mode));
        if (badRelease) {
          onError('lock-balance');
          continue;
        }
        // downgrade_write: only of a write hold the process has, not released in the same step.
        if (down.some((o) => s.locks[lockIdx(o.lock)]!.w !== pid || rel.some((r) => r.lock === o.lock))) {
          onError('lock-balance');
          continue;
        }
        const choices = st.choices ? st.choices(s.g, proc.locals, ctx0) : [0];
        if (choices.length === 0) continue;
        for (const choice of choices) {
          const ctx = { pid, choice };
          const t = structuredClone(s);
          const me = t.procs[pid]!;
          for (const a of acq) {
            const h = t.locks[lockIdx(a.lock)]!;
            if (a.mode === 'write') h.w = pid;
            else h.r |= 1 << pid;
          }
          try {
            (st.effect as ((g: unknown, l: unknown, c: typeof ctx) => void) | undefined)?.(t.g, me.locals, ctx);
            for (const r of rel) {
              const h = t.locks[lockIdx(r.lock)]!;
              if (r.mode === 'write') h.w = -1;
              else h.r &= ~(1 << pid);
            }
            for (const o of down) {
              const h = t.locks[lockIdx(o.lock)]!;
              h.w = -1;
              h.r |= 1 << pid;
            }
            me.pc = typeof st.next === 'string' ? st.next : st.next(t.g, me.locals, ctx);
          } catch {
            onError('step-error');
            continue;
          }
          if (!progs[pid]!.locations.has(me.pc)) throw new Error(`next ${me.pc} is no location`);
          ok++;
          transitions++;
          if (me.pc === 'done' && t.locks.some((h) => holdsLock(h, pid))) note('lock-held-at-end', { kind: 'transition', depth });
          const view = { pid, process: m.processes[pid]!.name, program: m.processes[pid]!.program.name, step: st, choice };
          for (const p of actionProps) if (!p.holds(s as SysState<G0, L0>, t as SysState<G0, L0>, view)) note(p.id, { kind: 'transition', depth });
          const to = add(t, depth + 1);
          edges[i]!.push({ to, pid });
        }
      }
      if (bad > 0 && ok === 0) errorOnlyProcess = true;
      all += ok + bad;
    });
    if (all === 0 && checkDeadlock && s.procs.some((p, pid) => !progs[pid]!.ends.has(p.pc))) note('deadlock', { kind: 'deadlock', depth });
  }

  const maxDepth = depthOf.length > 0 ? Math.max(...depthOf) : 0;
  const statesAtDepth = new Array<number>(maxDepth + 1).fill(0);
  const transitionsFromDepth = new Array<number>(maxDepth + 1).fill(0);
  depthOf.forEach((d, i) => {
    statesAtDepth[d]!++;
    transitionsFromDepth[d]! += edges[i]!.length;
  });

  const liveness = new Map<string, LivenessWitness>();
  if (!capped) {
    for (const p of m.liveness ?? []) {
      const pendingOf = states.map((s) => new Set(p.pending(s as SysState<G0, L0>)));
      const names = new Set(pendingOf.flatMap((x) => [...x]));
      let terminal = false;
      let cycle = false;
      let fairCycle = false;
      for (const n of names) {
        const inP = pendingOf.map((x) => x.has(n));
        if (inP.some((b, i) => b && edges[i]!.length === 0)) terminal = true;
        for (const comp of sccs(edges, inP)) {
          const members = new Set(comp);
          const nontrivial = comp.length > 1 || edges[comp[0]!]!.some((e) => e.to === comp[0]);
          if (!nontrivial) continue;
          cycle = true;
          const fair = m.processes.every((_, pid) =>
            comp.some((i) => !edges[i]!.some((e) => e.pid === pid) || edges[i]!.some((e) => e.pid === pid && members.has(e.to))),
          );
          if (fair) fairCycle = true;
        }
      }
      if (terminal || cycle) liveness.set(p.id, { terminal, cycle, fairCycle });
    }
  }

  return {
    states: states.length,
    transitions,
    maxDepth,
    violated,
    statesAtDepth,
    transitionsFromDepth,
    liveness,
    errorOnlyProcess,
    errorTransitions,
    capped,
  };
}

/** Tarjan's strongly connected components of the subgraph induced by `keep`, iteratively. */
function sccs(edges: readonly (readonly Edge[])[], keep: readonly boolean[]): number[][] {
  const n = edges.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (!keep[root] || index[root] !== -1) continue;
    const work: { v: number; i: number }[] = [{ v: root, i: 0 }];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const es = edges[top.v]!;
      if (top.i < es.length) {
        const w = es[top.i++]!.to;
        if (!keep[w]) continue;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push({ v: w, i: 0 });
        } else if (onStack[w]) low[top.v] = Math.min(low[top.v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.v;
        low[parent] = Math.min(low[parent]!, low[top.v]!);
      }
      if (low[top.v] === index[top.v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp.push(w);
        } while (w !== top.v);
        out.push(comp);
      }
    }
  }
  return out;
}
