// Confirms a reported violation independently of the search that found it: replays the trace
// from its initial state and evaluates the property where the trace ends. A report whose trace
// does not end in a violating state (or does not replay) is a bug of the engine or the model.

import { AuthoringSpace } from './authoring.ts';
import { decodeTransition, transitionId } from './compile.ts';
import { InputError } from './errors.ts';
import { DONE, type Model, type SysState } from './model.ts';
import { DEADLOCK, LOCK_BALANCE, LOCK_HELD_AT_END, STEP_ERROR } from './properties.ts';
import { holdsAny } from './locks.ts';
import type { StateSpace } from './space.ts';

/** What a trace must give of each step to be replayed: the process by name, the step, the choice. */
export interface ReplayStep {
  readonly process: string;
  readonly label: string;
  readonly choice?: number;
}

/**
 * Replays steps from an initial state, matching each against what is enabled. A step that is not
 * enabled is an InputError naming it and saying why (its guard, the lock it waits for). With
 * `lastMayFail`, the last step is only matched, not applied (a lock misuse or a throwing step).
 */
export function replaySteps<G, L>(
  space: AuthoringSpace<G, L>,
  initial: number,
  steps: readonly ReplayStep[],
  lastMayFail = false,
): { tids: number[]; states: SysState<G, L>[] } {
  const start = space.initialStates()[initial];
  if (!start) throw new InputError(`the model has no initial state ${initial}`);
  let s = start;
  const tids: number[] = [];
  const states = [s];
  const names = space.cm.model.processes.map((p) => p.name);
  steps.forEach((step, i) => {
    let found: number | undefined;
    const match = (tid: number) => {
      const d = space.describe(s, tid);
      if (found === undefined && d.process === step.process && d.label === step.label && d.choice === step.choice) found = tid;
    };
    space.expand(s, { onNext: match, onViolation: match });
    if (found === undefined) throw new InputError(`step ${i + 1} (${step.process} ${step.label}) is not enabled: ${whyNot(space, s, step, names)}`);
    tids.push(found);
    if (i < steps.length - 1 || !lastMayFail) {
      s = space.apply(s, found);
      states.push(s);
    }
  });
  return { tids, states };
}

function whyNot<G, L>(space: AuthoringSpace<G, L>, s: SysState<G, L>, step: ReplayStep, names: readonly string[]): string {
  const pid = names.indexOf(step.process);
  if (pid < 0) return `there is no process ${step.process}`;
  const cs = space.cm.procs[pid]!.steps.find((x) => x.step.label === step.label);
  if (!cs) return `${step.process} has no step ${step.label}`;
  try {
    space.apply(s, transitionId(pid, cs.index, 0));
    return `no choice ${step.choice}`;
  } catch (e) {
    return e instanceof Error ? e.message.replace(/^step .*? is not enabled: /, '') : String(e);
  }
}

/** What replaying and confirming needs of a violation: a trace file carries just this. */
export interface ReplayableViolation {
  readonly invariant: string;
  readonly trace: { readonly initial: number; readonly steps: readonly ReplayStep[]; readonly loopsFrom?: number; readonly fairness?: 'none' | 'weak' };
}

function tidsOf<G, L>(space: AuthoringSpace<G, L>, v: ReplayableViolation): { tids: number[]; states: SysState<G, L>[] } {
  return replaySteps(space, v.trace.initial, v.trace.steps, v.invariant === LOCK_BALANCE.id || v.invariant === STEP_ERROR.id);
}

function enabled<S>(space: StateSpace<S>, s: S): number {
  return space.expand(s, { onNext: () => {}, onViolation: () => {} });
}

/** Transitions of `s` that lead to a state (not those that only break a property). */
function successors<S>(space: StateSpace<S>, s: S): number {
  let n = 0;
  space.expand(s, { onNext: () => void n++, onViolation: () => {} });
  return n;
}

/**
 * Weak fairness of a cycle through `states` by `tids`: every process either moves on it or is
 * disabled (no transition to a state) in one of its states; else the cycle starves it.
 */
function weaklyFair<G, L>(space: AuthoringSpace<G, L>, states: readonly SysState<G, L>[], tids: readonly number[]): boolean {
  const moves = new Set(tids.map((t) => decodeTransition(t).pid));
  return space.cm.model.processes.every((_, pid) => moves.has(pid) || states.some((s) => !hasSuccessor(space, s, pid)));
}

function hasSuccessor<G, L>(space: AuthoringSpace<G, L>, s: SysState<G, L>, pid: number): boolean {
  let any = false;
  space.expandProcess(s, pid, { onNext: () => void (any = true), onViolation: () => {} });
  return any;
}

function fingerprint<S>(space: StateSpace<S>, s: S): string {
  const out = new Uint32Array(2);
  space.fingerprint(s, out);
  return `${out[0]}:${out[1]}`;
}

/** True if the violation's trace replays and ends where its property fails (InputError if it does not replay). */
export function confirmViolation<G, L>(model: Model<G, L>, v: ReplayableViolation): boolean {
  const space = new AuthoringSpace(model);
  const { tids, states } = tidsOf(space, v);
  const last = states.at(-1)!;
  // Without a transition only a property of the initial state can fail there (a deadlock, a
  // state invariant, or something pending in a terminal initial state).
  const stateOnly =
    v.invariant === DEADLOCK.id ||
    model.invariants?.some((i) => i.id === v.invariant && i.kind === 'state') ||
    (v.trace.loopsFrom === undefined && model.liveness?.some((p) => p.id === v.invariant));
  if (tids.length === 0 && !stateOnly) return false;
  if (v.invariant === DEADLOCK.id) return enabled(space, last) === 0 && space.stuck(last) !== null;
  if (v.invariant === STEP_ERROR.id) {
    try {
      space.apply(last, tids.at(-1)!);
      return false;
    } catch (e) {
      return !(e instanceof InputError);
    }
  }
  if (v.invariant === LOCK_BALANCE.id) {
    try {
      space.apply(last, tids.at(-1)!);
      return false;
    } catch (e) {
      return e instanceof InputError && e.message.includes(`breaks ${LOCK_BALANCE.id}`);
    }
  }
  if (v.invariant === LOCK_HELD_AT_END.id) {
    const pid = decodeTransition(tids.at(-1)!).pid;
    return last.procs[pid]!.pc === DONE && holdsAny(last.locks, pid);
  }
  const liveness = model.liveness?.find((p) => p.id === v.invariant);
  if (liveness) {
    // Without a cycle: a terminal state (no successor state at all) with something pending.
    if (v.trace.loopsFrom === undefined) return successors(space, last) === 0 && liveness.pending(last).length > 0;
    const entry = states[v.trace.loopsFrom]!;
    const cycle = states.slice(v.trace.loopsFrom);
    const stuck = cycle.reduce<readonly string[]>((acc, s) => acc.filter((x) => liveness.pending(s).includes(x)), liveness.pending(entry));
    const closes = fingerprint(space, entry) === fingerprint(space, last) && stuck.length > 0;
    return closes && (v.trace.fairness !== 'weak' || weaklyFair(space, cycle.slice(0, -1), tids.slice(v.trace.loopsFrom)));
  }
  const inv = model.invariants?.find((i) => i.id === v.invariant);
  if (!inv) return false;
  if (inv.kind === 'state') return !inv.holds(last);
  const before = states.at(-2);
  if (!before) return false;
  const { pid, stepIndex } = decodeTransition(tids.at(-1)!);
  const cs = space.cm.procs[pid]!.steps[stepIndex]!;
  const view = { pid, process: model.processes[pid]!.name, program: cs.program, step: cs.step, choice: v.trace.steps.at(-1)!.choice ?? 0 };
  return !inv.holds(before, last, view);
}
