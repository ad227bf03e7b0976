// Partial-order reduction by ample sets (Clarke, Grumberg, Minea, Peled), from the footprints
// the steps declare: the state components a step reads and writes (`reads`, `writes`), and the
// locks it takes or drops (each lock is a component the step reads and writes). A process's
// locals and program counter are its own.
//
// In a state, the ample set is all the enabled steps of one process p, when
//   C1  every step of p at its location (enabled or not) is independent of every step any
//       other process can still take, from where it is (no write of one touches what the other
//       reads or writes), so nothing the others do can enable, disable or be affected by them;
//   C2  none of them is visible: it writes no component a property reads, and no action
//       property can tell it apart. An action property sees the transition itself (its step,
//       both whole states), so one that does not declare the steps it judges (`judgesSteps`)
//       sees every step; so does a property that looks at the processes themselves
//       (`readsProcesses`: their locations or locals). With one of those, nothing is reduced;
//   C3  (the cycle proviso, checked by the search) every state it leads to is new, so that no
//       cycle of the reduced graph postpones another process's step forever.
// Otherwise the state is expanded fully. C0 holds by construction: the ample set of a state
// with an enabled step is never empty.
//
// What "can still take" means: the steps reachable from the process's location by the labels
// its steps name; a step whose next location is computed (a function) could go anywhere, so
// from it on, every step of the program counts.
//
// Soundness rests on the declarations: an undeclared read or write makes steps look
// independent that are not. A step may declare the component '*' (it may touch anything); a
// patch that changes a step's behaviour without restating its footprint gets '*' (patch.ts).
// The declarations are checked, not trusted: `--por` runs the footprint check on every state it
// expands (footprint-check.ts, FootprintMonitor) and refuses at the first mismatch, and
// test/model/footprints.test.ts checks every scenario without the reduction.

import { stepKey, type CompiledModel, type CompiledProgram } from './compile.ts';
import type { Model } from './model.ts';

/** The component a step declares when it may read or write anything. */
export const ANY = '*';

/** A set of components, as bits. */
type Bits = Uint32Array;

interface Footprint {
  readonly reads: Bits;
  readonly writes: Bits;
}

export class AmpleSets<G, L> {
  private readonly words: number;
  /** Per process instance, per location: the footprint of the steps there. */
  private readonly here: ReadonlyMap<string, Footprint>[];
  /** Per process instance, per location: what it may still touch from there. */
  private readonly ahead: ReadonlyMap<string, Footprint>[];
  /** Per process instance, per location: may a step there be visible (C2). */
  private readonly visible: ReadonlyMap<string, boolean>[];

  constructor(cm: CompiledModel<G, L>, model: Model<G, L>) {
    const ids = new Map<string, number>();
    const id = (c: string): number => {
      let i = ids.get(c);
      if (i === undefined) ids.set(c, (i = ids.size));
      return i;
    };
    // Number every component first, so every bitset has the same width.
    const lockComponent = (lock: number): string => `lock:${cm.lockNames[lock]}`;
    for (const cs of cm.allSteps) {
      for (const c of [...(cs.step.reads ?? []), ...(cs.step.writes ?? [])]) id(c);
      for (const op of [...cs.acquires, ...cs.releases, ...cs.downgrades]) id(lockComponent(op.lock));
    }
    const props = [...(model.invariants ?? [])];
    for (const p of props) for (const c of p.reads ?? []) id(c);
    this.words = Math.max(1, Math.ceil(ids.size / 32));
    const bits = (names: Iterable<string>): Bits => {
      const b = new Uint32Array(this.words);
      for (const n of names) {
        const i = id(n);
        b[i >>> 5]! |= 1 << (i & 31);
      }
      return b;
    };

    const everything = new Uint32Array(this.words).fill(0xffffffff);
    const declared = (names: readonly string[] | undefined, locks: readonly string[]): Bits =>
      names?.includes(ANY) ? everything : bits([...(names ?? []), ...locks]);
    const stepFp = cm.allSteps.map((cs): Footprint => {
      const locks = [...cs.acquires, ...cs.releases, ...cs.downgrades].map((op) => lockComponent(op.lock));
      const writes = declared(cs.step.writes, locks);
      return { reads: or(declared(cs.step.reads, locks), writes), writes };
    });
    // 'locks' in a property's reads is the whole lock table.
    const observedNames = props.flatMap((p) => p.reads ?? []);
    const observed = bits(observedNames.includes('locks') ? [...observedNames, ...cm.lockNames.map((_, i) => lockComponent(i))] : observedNames);
    const actions = props.filter((p) => p.kind === 'action');
    // A property that sees the processes, or an action property that does not say which steps
    // it judges, can tell every step apart.
    const watchesEverything = props.some((p) => p.readsProcesses === true) || actions.some((p) => p.judgesSteps === undefined);
    const judged = new Set(actions.flatMap((p) => p.judgesSteps ?? []));

    const perProgram = new Map(
      cm.programs.map((cp) => {
        const union = (steps: readonly { global: number }[]): Footprint => ({
          reads: steps.reduce<Bits>((b, cs) => or(b, stepFp[cs.global]!.reads), new Uint32Array(this.words)),
          writes: steps.reduce<Bits>((b, cs) => or(b, stepFp[cs.global]!.writes), new Uint32Array(this.words)),
        });
        const whole = union(cp.steps);
        const here = new Map<string, Footprint>();
        const ahead = new Map<string, Footprint>();
        const visible = new Map<string, boolean>();
        for (const loc of cp.locations) {
          const steps = cp.at.get(loc) ?? [];
          here.set(loc, union(steps));
          const reachable = reachableSteps(cp, loc);
          ahead.set(loc, reachable ? union(reachable) : whole);
          visible.set(loc, watchesEverything || steps.some((cs) => judged.has(stepKey(cs))) || intersects(here.get(loc)!.writes, observed));
        }
        return [cp, { here, ahead, visible }] as const;
      }),
    );
    this.here = cm.procs.map((cp) => perProgram.get(cp)!.here);
    this.ahead = cm.procs.map((cp) => perProgram.get(cp)!.ahead);
    this.visible = cm.procs.map((cp) => perProgram.get(cp)!.visible);
  }

  /**
   * The processes whose enabled steps may form the ample set in a state where the processes are
   * at `pcs` (C1 and C2), in pid order; the search takes the first with an enabled step whose
   * successors are all new (C3).
   */
  candidates(pcs: readonly string[]): number[] {
    const out: number[] = [];
    for (let p = 0; p < pcs.length; p++) {
      if (this.visible[p]!.get(pcs[p]!) !== false) continue;
      const mine = this.here[p]!.get(pcs[p]!)!;
      let alone = true;
      for (let q = 0; q < pcs.length && alone; q++) {
        if (q === p) continue;
        const theirs = this.ahead[q]!.get(pcs[q]!)!;
        alone = !intersects(mine.writes, theirs.reads) && !intersects(theirs.writes, mine.reads);
      }
      if (alone) out.push(p);
    }
    return out;
  }
}

/** Steps reachable from `loc` through fixed next labels; undefined if a computed next is met. */
function reachableSteps<G, L>(cp: CompiledProgram<G, L>, loc: string): { global: number }[] | undefined {
  const seen = new Set([loc]);
  const todo = [loc];
  const steps: { global: number }[] = [];
  while (todo.length > 0) {
    for (const cs of cp.at.get(todo.pop()!) ?? []) {
      steps.push(cs);
      const next = cs.step.next;
      if (typeof next !== 'string') return undefined;
      if (!seen.has(next)) {
        seen.add(next);
        todo.push(next);
      }
    }
  }
  return steps;
}

function or(a: Bits, b: Bits): Bits {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! | b[i]!;
  return out;
}

function intersects(a: Bits, b: Bits): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i]! & b[i]!) !== 0) return true;
  return false;
}
