// What a search algorithm needs of a model, whatever the state representation: the authoring
// mode gives frozen immer states, the fast mode plain scratch copies it can pack into words. BFS, and later DFS,
// the random engine and replay, are written against this interface only.

import type { LockRef } from './lockorder.ts';

/** A property that failed, with the detail a reader needs. */
export interface Failure {
  readonly property: string;
  readonly statement: string;
  readonly message: string;
}

/** One step of a trace, as every report shows it. */
export interface TraceStep {
  readonly pid: number;
  readonly process: string;
  readonly program: string;
  readonly label: string;
  readonly kernelFn: string;
  /** The value chosen, for steps with choices. */
  readonly choice?: number;
}

export interface SuccessorSink<S> {
  /** A transition `tid` from the state being expanded to `next`. */
  onNext(tid: number, next: S): void;
  /** A transition that breaks a property (lock misuse, an action property). */
  onViolation(tid: number, failure: Failure): void;
}

export interface StateSpace<S> {
  /** `program/label` of every step, by global step index. */
  readonly stepNames: readonly string[];
  initialStates(): readonly S[];
  /** Reports every transition enabled in `s` to the sink; returns how many there were. */
  expand(s: S, sink: SuccessorSink<S>): number;
  /** The canonical words of `s`: equal exactly for equal states (valid until the next call). */
  key(s: S): ArrayLike<number>;
  /** Writes the 64-bit fingerprint of `s` into out[0], out[1]. */
  fingerprint(s: S, out: Uint32Array): void;
  /** Every state invariant `s` violates (empty if none). */
  checkState(s: S): readonly Failure[];
  /** For a state with no enabled transition: the deadlock, or null if every process may stop here. */
  stuck(s: S): Failure | null;
  /** Global step index of a transition (for coverage). */
  stepOf(tid: number): number;
  /** The transition as a trace shows it, seen from the state it leaves. */
  describe(before: S, tid: number): TraceStep;
  /** Replays one transition; throws InputError naming the step if it is not enabled in `s`. */
  apply(s: S, tid: number): S;
  /** The locks the transition's process holds before it, and those the step acquires, in order. */
  lockOps(s: S, tid: number): { held: readonly LockRef[]; acquires: readonly LockRef[] };
  /** Reports the transitions of process `pid` only (partial-order reduction). */
  expandProcess?(s: S, pid: number, sink: SuccessorSink<S>): number;
  /** The processes whose steps may form an ample set in `s` (por.ts, C1 and C2), in order. */
  ampleCandidates?(s: S): readonly number[];
  /** Throws InputError if `s`, about to be expanded, shows a reduction's premise false (symmetry). */
  checkReduction?(s: S): void;
  /** A space that can pack its states (fast mode): the frontier then holds words, not objects. */
  pack?(s: S): Int32Array;
  unpack?(words: Int32Array, start: number, end: number): S;
}
