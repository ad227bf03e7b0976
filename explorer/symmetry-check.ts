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
//   - each transition of a or b in s has a twin in t, the same step and choice taken by the
//     partner, and the partner has no other transition there;
//   - twins break the same transition properties (lock misuse, action properties, step errors);
//   - the twin's successor is exactly the swap of the transition's successor.
// Another process c needs no look: a step is handed only the globals, its own locals, its pid
// and the lock table, all the same (up to the renaming) in t, so its twin leads to the swap by
// construction. Only action properties see the whole state, so with any, c is compared too.
// Being stuck then also agrees by construction: the same transitions exist, and the members of
// a group run one program, so they have the same end labels.
// This is one step of exact commutation, for the generating swaps, at the states expanded;
// docs/engine.md says what that does and does not prove.

import { decodeTransition, transitionId, type CompiledModel } from './compile.ts';
import { InputError } from './errors.ts';
import type { SysState } from './model.ts';
import type { Failure, SuccessorSink } from './space.ts';
import { swap } from './symmetry.ts';

/** The unreduced semantics the check compares states with. */
export interface Semantics<G, L> {
  expandProcess(s: SysState<G, L>, pid: number, sink: SuccessorSink<SysState<G, L>>): number;
  checkState(s: SysState<G, L>): readonly Failure[];
  /** The exact (not canonical) codec words of `s`, valid until the next call. */
  words(s: SysState<G, L>): Int32Array;
}

/** One transition out of a state: the properties it breaks, and where it leads (if anywhere). */
interface Move<G, L> {
  failed: string[];
  after: SysState<G, L> | undefined;
}

export class SymmetryCheck<G, L> {
  /** Action properties see every process, so every process's transitions are compared. */
  private readonly compareAll: boolean;
  /** The processes whose transitions some swap compares. */
  private readonly watched: readonly number[];
  /** Scratch copy of the words a successor is expected to have (`words` reuses its buffer). */
  private expected = new Int32Array(256);

  constructor(
    private readonly cm: CompiledModel<G, L>,
    private readonly groups: readonly (readonly number[])[],
    private readonly sem: Semantics<G, L>,
  ) {
    this.compareAll = (cm.model.invariants ?? []).some((i) => i.kind === 'action');
    this.watched = this.compareAll ? cm.model.processes.map((_, pid) => pid) : groups.flat();
  }

  /** Throws InputError naming the group, the swap and the state if `s` shows the premise false. */
  check(s: SysState<G, L>): void {
    // What `s` shows, computed once for all the swaps (and, in fast mode, `s` is then the source
    // of every successor in a row). No closures here: tsx wraps each in a naming call.
    const fails = ids(this.sem.checkState(s)).join(', ');
    const mine: Map<number, Move<G, L>>[] = [];
    for (const pid of this.watched) mine[pid] = this.moves(s, pid);
    for (const group of this.groups) {
      for (let i = 0; i + 1 < group.length; i++) {
        const why = this.differs(s, fails, mine, group[i]!, group[i + 1]!);
        if (why) throw new InputError(`symmetry refused: ${this.where(s, group, group[i]!, group[i + 1]!)}: ${why}`);
      }
    }
  }

  /** How `s` and its swap of `a` and `b` differ, or undefined if they match. */
  private differs(s: SysState<G, L>, fails: string, mine: readonly Map<number, Move<G, L>>[], a: number, b: number): string | undefined {
    const t = swap(s, a, b);
    const failsThere = ids(this.sem.checkState(t)).join(', ');
    if (fails !== failsThere) return `the state invariants failing change from [${fails}] to [${failsThere}] (a property may tell them apart)`;
    for (let pid = 0; pid < s.procs.length; pid++) {
      if (!this.compareAll && pid !== a && pid !== b) continue;
      const why = this.twins(mine[pid]!, this.moves(t, partner(pid, a, b)), a, b);
      if (why) return why;
    }
    return undefined;
  }

  /** How one process's transitions in `s` and its partner's in the swap differ, if they do. */
  private twins(mine: Map<number, Move<G, L>>, theirs: Map<number, Move<G, L>>, a: number, b: number): string | undefined {
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
      const twinTid = partnerTid(tid, a, b);
      if (!mine.has(twinTid)) return `${this.stepName(tid)} is enabled after the swap but ${this.stepName(twinTid)} is not before it (a guard or choice may read a pid)`;
    }
    return undefined;
  }

  /** Is `there` exactly `here` with `a` and `b` swapped (both undefined: no successor)? */
  private mirrored(here: SysState<G, L> | undefined, there: SysState<G, L> | undefined, a: number, b: number): boolean {
    if (!here || !there) return here === there;
    const w = this.sem.words(swap(here, a, b));
    if (w.length > this.expected.length) this.expected = new Int32Array(2 * w.length);
    this.expected.set(w);
    const got = this.sem.words(there);
    if (got.length !== w.length) return false;
    for (let i = 0; i < got.length; i++) if (got[i] !== this.expected[i]) return false;
    return true;
  }

  /** The transitions of process `pid` in `s`, by transition id. */
  private moves(s: SysState<G, L>, pid: number): Map<number, Move<G, L>> {
    const out = new Map<number, Move<G, L>>();
    this.sem.expandProcess(s, pid, {
      onNext(tid, after) {
        entry(out, tid).after = after;
      },
      onViolation(tid, f) {
        entry(out, tid).failed.push(f.property);
      },
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

function entry<G, L>(moves: Map<number, Move<G, L>>, tid: number): Move<G, L> {
  let m = moves.get(tid);
  if (!m) moves.set(tid, (m = { failed: [], after: undefined }));
  return m;
}

function ids(failures: readonly Failure[]): string[] {
  return failures.map((f) => f.property).sort();
}

/** The process that takes `pid`'s place when `a` and `b` are swapped. */
function partner(pid: number, a: number, b: number): number {
  return pid === a ? b : pid === b ? a : pid;
}

/** The same step and choice, taken by the partner of `tid`'s process. */
function partnerTid(tid: number, a: number, b: number): number {
  const { pid, stepIndex, choiceIndex } = decodeTransition(tid);
  return transitionId(partner(pid, a, b), stepIndex, choiceIndex);
}
