// Checks the footprints partial-order reduction trusts. In a state, each step a process can
// take runs (its guard, choices, effect and next) on a state whose global components record
// being read, and the components whose value changed are compared with what it declares: a step
// that reads or writes a component it does not declare is reported, as is a property that reads
// a component (or the processes) it does not declare, and an action property that fails on a
// step it does not list in `judgesSteps`.
//
// Two users: `--por` runs a FootprintMonitor on every state it expands, all of that state's
// steps (not only the ample set's), and refuses at the first mismatch; checkFootprints runs one
// over a whole search without the reduction, for the test suite. Slow (a proxy on every access):
// with --por it roughly doubles the cost of expanding a state.

import { Immer } from 'immer';
import { AuthoringSpace } from './authoring.ts';
import { bfs, type SearchBounds } from './bfs.ts';
import { compileModel, stepKey, type CompiledModel, type CompiledStep } from './compile.ts';
import { InputError } from './errors.ts';
import { available, heldMode } from './locks.ts';
import type { Model, StepContext, SysState } from './model.ts';
import { ANY } from './por.ts';
import { takeStep, type ScratchState } from './semantics.ts';

/** A proxy over an object that records the top-level keys read or written through it. */
function recording<T extends object>(target: T, touched: Set<string>): T {
  return new Proxy(target, {
    get(t, k) {
      if (typeof k === 'string') touched.add(k);
      return Reflect.get(t, k);
    },
    set(t, k, v) {
      if (typeof k === 'string') touched.add(k);
      return Reflect.set(t, k, v);
    },
  });
}

/** The process indices read through a proxy over the procs array, other than `own`. */
function procsRecording<T extends object>(procs: T, own: number, others: Set<string>): T {
  return new Proxy(procs, {
    get(t, k) {
      if (typeof k === 'string' && /^\d+$/.test(k) && Number(k) !== own) others.add('procs');
      return Reflect.get(t, k);
    },
  });
}

// The monitor's steps must not freeze the states they run on: in fast mode those are the
// engine's own scratch objects.
const immer = new Immer({ autoFreeze: false });

export class FootprintMonitor<G, L> {
  private readonly cm: CompiledModel<G, L>;
  /** One line per step or property whose declaration misses what it touched (first seen). */
  private readonly problems = new Map<string, string>();

  /** With `refuse`, the first mismatch throws an InputError (what --por does). */
  constructor(
    private readonly model: Model<G, L>,
    private readonly refuse?: (problem: string) => string,
  ) {
    this.cm = compileModel(model);
  }

  get found(): string[] {
    return [...this.problems.values()];
  }

  /** Runs every step each process can take in `s`, and every property, recording what they touch. */
  check(s: SysState<G, L>): void {
    s.procs.forEach((p, pid) => {
      for (const cs of this.cm.procs[pid]!.at.get(p.pc) ?? []) this.checkStep(s, pid, cs);
    });
    for (const inv of this.model.invariants ?? []) {
      if (inv.kind !== 'state') continue;
      const touched = new Set<string>();
      const top = new Set<string>();
      inv.holds(recording({ ...s, g: recording(s.g as object, touched) as G }, top));
      this.report(`invariant ${inv.id}`, 'reads', touched, inv.reads ?? []);
      // The processes are declared by readsProcesses, the lock table by 'locks' in reads.
      this.report(`invariant ${inv.id}`, 'reads', [...top].filter((k) => k !== 'g'), [...(inv.readsProcesses ? ['procs'] : []), ...(inv.reads ?? [])]);
    }
  }

  private checkStep(s: SysState<G, L>, pid: number, cs: CompiledStep<G, L>): void {
    const locals = s.procs[pid]!.locals;
    const declared = [...(cs.step.reads ?? []), ...(cs.step.writes ?? [])];
    const touched = new Set<string>();
    const g = recording(s.g as object, touched) as G;
    const ctx: StepContext = { pid, choice: 0 };
    let choices: readonly number[] = [];
    try {
      if (!cs.step.guard || cs.step.guard(g, locals, ctx)) choices = cs.step.choices ? cs.step.choices(g, locals, ctx) : [0];
    } catch {
      // A throwing guard is the search's to report (step-error); what it read still counts.
    }
    this.report(stepKey(cs), 'reads', touched, declared);
    // Only a step the engine would take: its locks free and not its own already.
    for (const a of cs.acquires) {
      const h = s.locks[a.lock]!;
      if (heldMode(h, pid) || !available(h, a.mode)) return;
    }
    for (const choice of choices) this.checkTransition(s, pid, cs, choice);
  }

  private checkTransition(s: SysState<G, L>, pid: number, cs: CompiledStep<G, L>, choice: number): void {
    const touched = new Set<string>();
    let after: SysState<G, L>;
    try {
      // The step as every engine takes it (takeStep), with its globals recording what it touches.
      after = immer.produce(s, (d) => {
        const scratch = d as unknown as ScratchState<G, L>;
        takeStep({ g: recording(scratch.g as object, touched) as G, locks: scratch.locks, procs: scratch.procs }, pid, cs, choice);
      });
    } catch {
      // A step that throws (or breaks a lock rule) is the search's to report, as step-error or
      // lock-balance; what it touched before it threw still counts.
      this.report(stepKey(cs), 'reads', touched, [...(cs.step.reads ?? []), ...(cs.step.writes ?? [])]);
      return;
    }
    const changed = Object.keys(s.g as object).filter((k) => (s.g as Record<string, unknown>)[k] !== (after.g as Record<string, unknown>)[k]);
    this.report(stepKey(cs), 'reads', touched, [...(cs.step.reads ?? []), ...(cs.step.writes ?? [])]);
    this.report(stepKey(cs), 'writes', changed, cs.step.writes ?? []);
    for (const prop of this.model.invariants ?? []) {
      if (prop.kind !== 'action') continue;
      const read = new Set<string>();
      const top = new Set<string>();
      const others = new Set<string>();
      const view = { pid, process: this.model.processes[pid]!.name, program: cs.program, step: cs.step, choice };
      const seen = (st: SysState<G, L>): SysState<G, L> =>
        recording({ ...st, g: recording(st.g as object, read) as G, procs: procsRecording(st.procs as object[], pid, others) as unknown as SysState<G, L>['procs'] }, top);
      const holds = prop.holds(seen(s), seen(after), view);
      this.report(`property ${prop.id}`, 'reads', read, prop.reads ?? []);
      // Its own process it may read (procsRecording notes only the others); the lock table is 'locks'.
      this.report(`property ${prop.id}`, 'reads', [...top].filter((k) => k !== 'g' && k !== 'procs'), prop.reads ?? []);
      this.report(`property ${prop.id}`, 'reads', others, prop.readsProcesses ? ['procs'] : []);
      if (!holds && prop.judgesSteps && !prop.judgesSteps.includes(stepKey(cs))) {
        this.note(`property ${prop.id} judges ${stepKey(cs)}`, `property ${prop.id} fails on step ${stepKey(cs)}, which its judgesSteps does not list`);
      }
    }
  }

  private report(who: string, what: string, names: Iterable<string>, declared: readonly string[]): void {
    if (declared.includes(ANY)) return;
    const missing = [...names].filter((n) => !declared.includes(n));
    if (missing.length > 0) this.note(`${who} ${what}`, `${who} ${what} ${missing.sort().join(', ')} without declaring it`);
  }

  private note(key: string, problem: string): void {
    if (this.problems.has(key)) return;
    this.problems.set(key, problem);
    if (this.refuse) throw new InputError(this.refuse(problem));
  }
}

/** One line per step or property whose declaration misses what it touched, over a whole search. */
export function checkFootprints<G, L>(model: Model<G, L>, bounds: SearchBounds = {}): string[] {
  const monitor = new FootprintMonitor(model);
  bfs(new AuthoringSpace(model), { ...bounds, stopAtFirstViolation: false, onExpand: (s) => monitor.check(s) });
  return monitor.found;
}
