// The random engine, on fast-check: a schedule is an arbitrary list of numbers. Each number
// picks a transition, `n mod (number enabled)`, and a burst: the same process then goes on for
// up to (n >> 10) mod 16 more steps. Uniform interleaving almost never lets one process run the
// long prefix a deep race needs; bursts do (as PCT-style schedulers do). Invariants are checked
// after every step; when a run violates one, fast-check shrinks the schedule (shorter, smaller
// numbers), and the shrunk run is the counterexample. A seed reproduces a run exactly.
// For configurations too large to exhaust; it never claims that a property holds.

import fc from 'fast-check';
import { AuthoringSpace } from './authoring.ts';
import { traceOf, type Trace } from './explore.ts';
import type { Model, SysState } from './model.ts';
import type { Failure } from './space.ts';

export interface SimulateOptions {
  readonly runs?: number;
  readonly seed?: number;
  /** Longest schedule tried. */
  readonly maxSteps?: number;
}

export interface SimulateResult {
  readonly seed: number;
  readonly runs: number;
  readonly maxSteps: number;
  /** The violation found, with the trace of the shrunk schedule. */
  readonly violation?: { readonly invariant: string; readonly statement: string; readonly message: string; readonly trace: Trace };
  /** Steps taken over all runs (shrinking included). */
  readonly steps: number;
}

interface RunOutcome {
  readonly failure?: Failure;
  readonly tids: number[];
}

/** Runs one schedule; stops at the first violation, a deadlock, or when nothing is enabled. */
function run<G, L>(space: AuthoringSpace<G, L>, schedule: readonly number[]): RunOutcome {
  let s: SysState<G, L> = space.initialStates()[0]!;
  const tids: number[] = [];
  const initial = space.checkState(s);
  if (initial.length > 0) return { failure: initial[0]!, tids };
  const moves: { pick: number; pid?: number }[] = [];
  for (const n of schedule) {
    moves.push({ pick: n & 1023 });
    for (let k = (n >> 10) & 15; k > 0; k--) moves.push({ pick: 0, pid: -1 });
  }
  let lastPid = -1;
  for (const move of moves) {
    const options: { tid: number; next?: SysState<G, L>; failure?: Failure }[] = [];
    space.expand(s, {
      onNext: (tid, next) => {
        const o = options.find((x) => x.tid === tid);
        if (o) o.next = next;
        else options.push({ tid, next });
      },
      onViolation: (tid, failure) => {
        const o = options.find((x) => x.tid === tid);
        if (o) o.failure ??= failure;
        else options.push({ tid, failure });
      },
    });
    if (options.length === 0) {
      const stuck = space.stuck(s);
      return stuck ? { failure: stuck, tids } : { tids };
    }
    // A burst move stays with the last process if it can; otherwise it picks like any move.
    const same = move.pid === -1 ? options.filter((x) => space.describe(s, x.tid).pid === lastPid) : [];
    const o = same.length > 0 ? same[0]! : options[move.pick % options.length]!;
    lastPid = space.describe(s, o.tid).pid;
    tids.push(o.tid);
    if (o.failure) return { failure: o.failure, tids };
    s = o.next!;
    const failed = space.checkState(s);
    if (failed.length > 0) return { failure: failed[0]!, tids };
  }
  return { tids };
}

export function simulate<G, L>(model: Model<G, L>, opts: SimulateOptions = {}): SimulateResult {
  const space = new AuthoringSpace(model);
  const seed = opts.seed ?? Date.now() % 2 ** 31;
  const runs = opts.runs ?? 200;
  const maxSteps = opts.maxSteps ?? 200;
  let steps = 0;
  const property = fc.property(fc.array(fc.nat({ max: (1 << 14) - 1 }), { maxLength: maxSteps, size: 'max' }), (schedule) => {
    const out = run(space, schedule);
    steps += out.tids.length;
    return out.failure === undefined;
  });
  const details = fc.check(property, { seed, numRuns: runs });
  if (!details.failed || !details.counterexample) return { seed, runs, maxSteps, steps };
  const out = run(space, details.counterexample[0]);
  const f = out.failure!;
  // The last transition is described from the state before it, not replayed: it may be a lock
  // misuse or a step that throws (as explore's report does).
  const { trace, states } = traceOf(space, 0, out.tids.slice(0, -1));
  const last = out.tids.at(-1);
  const full = last === undefined ? trace : { ...trace, steps: [...trace.steps, space.describe(states.at(-1)!, last)] };
  return { seed, runs, maxSteps, steps, violation: { invariant: f.property, statement: f.statement, message: f.message, trace: full } };
}
