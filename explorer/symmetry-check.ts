// The symmetry reduction's premise, checked on the states the search meets. The reduction keys
// a state by its class under permutations of each group (symmetry.ts), so it is sound only if
// permuting a group changes nothing the search can see: the same properties fail, and each step
// of a process leads to the permuted image of where the matching step of its partner leads.
// The model vouches for that (`Model.symmetric`); this checks it, so that a model breaking it
// (a global holding a pid, a property naming a process) is refused instead of passing wrongly.
//
// For every state the search expands and every adjacent pair (a, b) of a group's sorted pids,
// with t = swap(s, a, b) (the globals kept, as the reduction assumes they may be):
//   - the state invariants that fail in s and in t are the same;
//   - each transition of s has a twin in t, the same step and choice taken by the partner
//     process (a for b, b for a, others themselves), and no other transition is enabled in t;
//   - twins break the same transition properties (lock misuse, action properties, step errors);
//   - the twin's successor is exactly the swap of the transition's successor;
//   - with no transition at all, both are stuck alike.
// This is one step of exact commutation, for the generating swaps, at the states expanded;
// docs/engine.md says what that does and does not prove.

import { decodeTransition, transitionId, type CompiledModel } from './compile.ts';
import { InputError } from './errors.ts';
import type { SysState } from './model.ts';
import type { Failure, SuccessorSink } from './space.ts';
import { swap } from './symmetry.ts';

/** The unreduced semantics the check compares states with. */
export interface Semantics<G, L> {
  expand(s: SysState<G, L>, sink: SuccessorSink<SysState<G, L>>): number;
  checkState(s: SysState<G, L>): readonly Failure[];
  stuck(s: SysState<G, L>): Failure | null;
  /** The exact (not canonical) codec words of `s`, valid until the next call. */
  words(s: SysState<G, L>): Int32Array;
}

/** One transition out of a state: the properties it breaks, and where it leads (if anywhere). */
interface Move<G, L> {
  failed: string[];
  after: SysState<G, L> | undefined;
}

export class SymmetryCheck<G, L> {
  constructor(
    private readonly cm: CompiledModel<G, L>,
    private readonly groups: readonly (readonly number[])[],
    private readonly sem: Semantics<G, L>,
  ) {}

  /** Throws InputError naming the group, the swap and the state if `s` shows the premise false. */
  check(s: SysState<G, L>): void {
    const moves = this.moves(s);
    for (const group of this.groups) {
      for (let i = 0; i + 1 < group.length; i++) {
        const why = this.differs(s, moves, group[i]!, group[i + 1]!);
        if (why) throw new InputError(`symmetry refused: ${this.where(s, group, group[i]!, group[i + 1]!)}: ${why}`);
      }
    }
  }

  /** How `s` and its swap of `a` and `b` differ, or undefined if they match. */
  private differs(s: SysState<G, L>, mine: Map<number, Move<G, L>>, a: number, b: number): string | undefined {
    const t = swap(s, a, b);
    const failsHere = ids(this.sem.checkState(s));
    const failsThere = ids(this.sem.checkState(t));
    if (failsHere.join() !== failsThere.join()) {
      return `the state invariants failing change from [${failsHere.join(', ')}] to [${failsThere.join(', ')}] (a property may tell them apart)`;
    }
    const theirs = this.moves(t);
    for (const [tid, m] of mine) {
      const twinTid = partnerTid(tid, a, b);
      const twin = theirs.get(twinTid);
      if (!twin) return `${this.stepName(tid)} is enabled before the swap but ${this.stepName(twinTid)} is not after it (a guard or choice may read a pid)`;
      const here = [...m.failed].sort().join(', ');
      const there = [...twin.failed].sort().join(', ');
      if (here !== there) return `${this.stepName(tid)} breaks [${here}] but ${this.stepName(twinTid)} after the swap breaks [${there}] (a property may tell them apart)`;
      if (!this.mirrored(m.after, twin.after, a, b)) {
        return `${this.stepName(twinTid)} after the swap does not lead to the swap of where ${this.stepName(tid)} leads (a global may hold a pid)`;
      }
    }
    for (const tid of theirs.keys()) {
      if (!mine.has(partnerTid(tid, a, b))) {
        return `${this.stepName(tid)} is enabled after the swap but ${this.stepName(partnerTid(tid, a, b))} is not before it (a guard or choice may read a pid)`;
      }
    }
    if (mine.size === 0 && (this.sem.stuck(s)?.property ?? '') !== (this.sem.stuck(t)?.property ?? '')) {
      return 'the swap changes whether the state is a deadlock';
    }
    return undefined;
  }

  /** Is `there` exactly `here` with `a` and `b` swapped (both undefined: no successor)? */
  private mirrored(here: SysState<G, L> | undefined, there: SysState<G, L> | undefined, a: number, b: number): boolean {
    if (!here || !there) return here === there;
    const expected = this.sem.words(swap(here, a, b)).slice();
    const got = this.sem.words(there);
    return expected.length === got.length && expected.every((w, i) => w === got[i]);
  }

  private moves(s: SysState<G, L>): Map<number, Move<G, L>> {
    const out = new Map<number, Move<G, L>>();
    const at = (tid: number): Move<G, L> => {
      let m = out.get(tid);
      if (!m) out.set(tid, (m = { failed: [], after: undefined }));
      return m;
    };
    this.sem.expand(s, {
      onNext: (tid, after) => void (at(tid).after = after),
      onViolation: (tid, f) => void at(tid).failed.push(f.property),
    });
    return out;
  }

  private stepName(tid: number): string {
    const { pid, stepIndex } = decodeTransition(tid);
    return `step ${this.cm.procs[pid]!.steps[stepIndex]!.step.label} of ${this.name(pid)}`;
  }

  private name(pid: number): string {
    return this.cm.model.processes[pid]!.name;
  }

  /** The model, the group and the state, for the one line the CLI prints. */
  private where(s: SysState<G, L>, group: readonly number[], a: number, b: number): string {
    const at = group.map((pid) => `${this.name(pid)} at ${s.procs[pid]!.pc}`).join(', ');
    let globals = JSON.stringify(s.g) ?? String(s.g);
    if (globals.length > 120) globals = `${globals.slice(0, 117)}...`;
    return (
      `model ${this.cm.model.name} is not symmetric in {${group.map((pid) => this.name(pid)).join(', ')}}: ` +
      `in the state with ${at} and globals ${globals}, swapping ${this.name(a)} and ${this.name(b)}`
    );
  }
}

function ids(failures: readonly Failure[]): string[] {
  return failures.map((f) => f.property).sort();
}

/** The same step and choice, taken by the process that `tid`'s takes the place of. */
function partnerTid(tid: number, a: number, b: number): number {
  const { pid, stepIndex, choiceIndex } = decodeTransition(tid);
  return transitionId(pid === a ? b : pid === b ? a : pid, stepIndex, choiceIndex);
}
