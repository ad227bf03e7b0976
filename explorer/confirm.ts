// Confirms a reported violation independently of the search that found it: replays the trace
// from its initial state and evaluates the property where the trace ends. A report whose trace
// does not end in a violating state (or does not replay) is a bug of the engine or the model.

import { AuthoringSpace } from './authoring.ts';
import { decodeTransition } from './compile.ts';
import { InputError } from './errors.ts';
import type { Violation } from './explore.ts';
import { DONE, type Model, type SysState } from './model.ts';
import { DEADLOCK, LOCK_BALANCE, LOCK_HELD_AT_END, STEP_ERROR } from './properties.ts';
import { holdsAny } from './locks.ts';
import type { StateSpace } from './space.ts';

/** The transition ids of a trace, found again by matching each step against what is enabled. */
function tidsOf<G, L>(space: AuthoringSpace<G, L>, start: SysState<G, L>, v: Violation): { tids: number[]; states: SysState<G, L>[] } {
  let s = start;
  const tids: number[] = [];
  const states = [s];
  v.trace.steps.forEach((step, i) => {
    let found: number | undefined;
    const match = (tid: number) => {
      const d = space.describe(s, tid);
      if (found === undefined && d.pid === step.pid && d.label === step.label && d.choice === step.choice) found = tid;
    };
    space.expand(s, { onNext: match, onViolation: match });
    if (found === undefined) throw new InputError(`step ${i + 1} (${step.process} ${step.label}) is not enabled`);
    tids.push(found);
    if (i < v.trace.steps.length - 1 || (v.invariant !== LOCK_BALANCE.id && v.invariant !== STEP_ERROR.id)) {
      s = space.apply(s, found);
      states.push(s);
    }
  });
  return { tids, states };
}

function enabled<S>(space: StateSpace<S>, s: S): number {
  return space.expand(s, { onNext: () => {}, onViolation: () => {} });
}

function fingerprint<S>(space: StateSpace<S>, s: S): string {
  const out = new Uint32Array(2);
  space.fingerprint(s, out);
  return `${out[0]}:${out[1]}`;
}

/** True if the violation's trace replays and ends where its property fails. */
export function confirmViolation<G, L>(model: Model<G, L>, v: Violation): boolean {
  const space = new AuthoringSpace(model);
  const { tids, states } = tidsOf(space, space.initialStates()[v.trace.initial]!, v);
  const last = states.at(-1)!;
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
    if (v.trace.loopsFrom === undefined) return false;
    const entry = states[v.trace.loopsFrom]!;
    const cycle = states.slice(v.trace.loopsFrom);
    const stuck = cycle.reduce<readonly string[]>((acc, s) => acc.filter((x) => liveness.pending(s).includes(x)), liveness.pending(entry));
    return fingerprint(space, entry) === fingerprint(space, last) && stuck.length > 0;
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
