// Checks the footprints partial-order reduction trusts. Over every transition of a search in
// authoring mode, each step's guard, choices, effect and next run on a state whose global
// components record being read, and the components whose value changed are compared: a step
// that reads or writes a component it does not declare is reported, as is a property that
// reads a component (or the processes' locations) it does not declare. Slow (a proxy on every
// access); for the test suite, not for the search.

import { produce } from 'immer';
import { AuthoringSpace } from './authoring.ts';
import { bfs, type SearchBounds } from './bfs.ts';
import { decodeTransition, stepKey, type CompiledStep } from './compile.ts';
import type { Model, StepContext, SysState } from './model.ts';
import { takeStep, type ScratchState } from './semantics.ts';

/** A proxy over a state's globals that records the top-level components read through it. */
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

/** One line per step or property whose declaration misses what it touched (first seen). */
export function checkFootprints<G, L>(model: Model<G, L>, bounds: SearchBounds = {}): string[] {
  const space = new AuthoringSpace(model);
  const cm = space.cm;
  const problems = new Map<string, string>();
  const report = (who: string, what: string, names: Iterable<string>, declared: readonly string[]): void => {
    const missing = [...names].filter((n) => !declared.includes(n));
    if (missing.length > 0 && !problems.has(`${who} ${what}`)) problems.set(`${who} ${what}`, `${who} ${what} ${missing.sort().join(', ')} without declaring it`);
  };
  const declaredOf = (cs: CompiledStep<G, L>): readonly string[] => [...(cs.step.reads ?? []), ...(cs.step.writes ?? [])];

  const checkGuards = (s: SysState<G, L>): void => {
    s.procs.forEach((p, pid) => {
      for (const cs of cm.procs[pid]!.at.get(p.pc) ?? []) {
        const touched = new Set<string>();
        const g = recording(s.g as object, touched) as G;
        const ctx: StepContext = { pid, choice: 0 };
        if (!cs.step.guard || cs.step.guard(g, p.locals, ctx)) cs.step.choices?.(g, p.locals, ctx);
        report(stepKey(cs), 'reads', touched, declaredOf(cs));
      }
    });
    for (const inv of model.invariants ?? []) {
      if (inv.kind !== 'state') continue;
      const touched = new Set<string>();
      const top = new Set<string>();
      inv.holds(recording({ ...s, g: recording(s.g as object, touched) as G }, top));
      report(`invariant ${inv.id}`, 'reads', touched, inv.reads ?? []);
      // The processes are declared by readsProcesses, the lock table by 'locks' in reads.
      report(`invariant ${inv.id}`, 'reads', [...top].filter((k) => k !== 'g'), [...(inv.readsProcesses ? ['procs'] : []), ...(inv.reads ?? [])]);
    }
  };

  const checkStep = (s: SysState<G, L>, tid: number): void => {
    try {
      recordStep(s, tid);
    } catch {
      // A step that throws (or breaks a lock rule) is the search's to report, as step-error or
      // lock-balance; there is no successor whose footprint to check.
    }
  };

  const recordStep = (s: SysState<G, L>, tid: number): void => {
    const { pid, stepIndex, choiceIndex } = decodeTransition(tid);
    const cs = cm.procs[pid]!.steps[stepIndex]!;
    const locals = s.procs[pid]!.locals;
    const choice = cs.step.choices ? cs.step.choices(s.g, locals, { pid, choice: 0 })[choiceIndex]! : 0;
    const touched = new Set<string>();
    // The step as every engine takes it (takeStep), with its globals recording what it touches.
    const after = produce(s, (d) => {
      const scratch = d as unknown as ScratchState<G, L>;
      takeStep({ g: recording(scratch.g as object, touched) as G, locks: scratch.locks, procs: scratch.procs }, pid, cs, choice);
    });
    const changed = Object.keys(s.g as object).filter((k) => (s.g as Record<string, unknown>)[k] !== (after.g as Record<string, unknown>)[k]);
    report(stepKey(cs), 'reads', touched, declaredOf(cs));
    report(stepKey(cs), 'writes', changed, cs.step.writes ?? []);
    for (const prop of model.invariants ?? []) {
      if (prop.kind !== 'action') continue;
      const read = new Set<string>();
      const view = { pid, process: model.processes[pid]!.name, program: cs.program, step: cs.step, choice };
      prop.holds({ ...s, g: recording(s.g as object, read) as G }, { ...after, g: recording(after.g as object, read) as G }, view);
      report(`property ${prop.id}`, 'reads', read, prop.reads ?? []);
    }
  };

  let last = -1;
  bfs(space, {
    ...bounds,
    stopAtFirstViolation: false,
    onTransition: (from, s, tid) => {
      if (from !== last) {
        last = from;
        checkGuards(s);
      }
      checkStep(s, tid);
    },
  });
  return [...problems.values()];
}
