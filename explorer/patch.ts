// Patching a model's programs by step label: the mechanism behind broken variants (mutants) and
// reviewers' proposals. A patch names a program and a step; the result is a new model whose
// processes run the patched programs. Unknown programs, labels or locks are input errors that
// name them. Whether a patch leaves a step unreachable is judged by exploring (svmcheck check):
// where the next label is computed, only running it tells.

import { InputError } from './errors.ts';
import { ANY } from './por.ts';
import type { LockDecl, LockMode, LockOp, Model, NextLabel, Program, Step } from './model.ts';

export type StepPatch<G, L> =
  /** Replace fields of a step (guard, effect, next, locks, ...). */
  | { readonly program: string; readonly label: string; readonly replace: Partial<Step<G, L>> }
  /** Remove a step: whoever went to it goes where it went (its `next` must be a plain label). */
  | { readonly program: string; readonly label: string; readonly remove: true }
  /** Insert a new step before `before` (it runs where `before` ran, then goes to it) or after `after`. */
  | { readonly program: string; readonly insert: Step<G, L>; readonly before: string }
  | { readonly program: string; readonly insert: Step<G, L>; readonly after: string }
  /** Move a step (its `next` must be a plain label) to just before or after another. */
  | { readonly program: string; readonly label: string; readonly moveBefore: string }
  | { readonly program: string; readonly label: string; readonly moveAfter: string }
  /** Change the mode of every operation on `lock` in a step, or replace `lock` by `to`. */
  | { readonly program: string; readonly label: string; readonly lock: string; readonly mode?: LockMode; readonly to?: string };

/** A lock the patches may use that the base model does not declare. */
export type LockAddition = LockDecl;

type AnyNext<G, L> = NextLabel<G, L>;

function redirect<G, L>(next: AnyNext<G, L>, from: string, to: string): AnyNext<G, L> {
  if (typeof next === 'string') return next === from ? to : next;
  return (g, l, c) => {
    const n = next(g, l, c);
    return n === from ? to : n;
  };
}

function find<G, L>(p: Program<G, L>, label: string): Step<G, L> {
  const s = p.steps.find((x) => x.label === label);
  if (!s) throw new InputError(`program ${p.name} has no step ${label}`);
  return s;
}

const location = <G, L>(s: Step<G, L>): string => s.at ?? s.label;

function removeStep<G, L>(p: Program<G, L>, label: string): Program<G, L> {
  const target = find(p, label);
  if (typeof target.next !== 'string') throw new InputError(`step ${label} of ${p.name} has a computed next: replace it instead`);
  const at = location(target);
  const to = target.next;
  return {
    ...p,
    start: p.start === at ? to : p.start,
    steps: p.steps.filter((s) => s !== target).map((s) => ({ ...s, next: redirect(s.next, at, to) })),
  };
}

function insertBefore<G, L>(p: Program<G, L>, step: Step<G, L>, before: string): Program<G, L> {
  const anchor = find(p, before);
  if (p.steps.some((s) => s.label === step.label)) throw new InputError(`program ${p.name} already has a step ${step.label}`);
  const at = location(anchor);
  const inserted: Step<G, L> = { ...step, next: at };
  const steps = p.steps.map((s) => ({ ...s, next: redirect(s.next, at, step.label) }));
  const i = steps.findIndex((s) => s.label === before);
  steps.splice(i, 0, inserted);
  return { ...p, start: p.start === at ? step.label : p.start, steps };
}

function insertAfter<G, L>(p: Program<G, L>, step: Step<G, L>, after: string): Program<G, L> {
  const anchor = find(p, after);
  if (p.steps.some((s) => s.label === step.label)) throw new InputError(`program ${p.name} already has a step ${step.label}`);
  const inserted: Step<G, L> = { ...step, next: anchor.next };
  const steps = p.steps.map((s) => (s === anchor ? { ...s, next: step.label } : s));
  steps.splice(steps.findIndex((s) => s.label === after) + 1, 0, inserted);
  return { ...p, steps };
}

function changeLock<G, L>(p: Program<G, L>, label: string, lock: string, mode?: LockMode, to?: string): Program<G, L> {
  const target = find(p, label);
  if (!(target.locks ?? []).some((o) => o.lock === lock)) throw new InputError(`step ${label} of ${p.name} takes or drops no lock ${lock}`);
  const locks: LockOp[] = (target.locks ?? []).map((o) => (o.lock === lock ? { ...o, lock: to ?? o.lock, mode: mode ?? o.mode } : o));
  return { ...p, steps: p.steps.map((s) => (s === target ? { ...s, locks } : s)) };
}

/**
 * What a patched step declares it touches (partial-order reduction trusts it). A patch that
 * changes what a step does (its guard, choices, effect or next) without restating `reads` and
 * `writes` may touch anything: the old step's declarations describe the old code. '*' (por.ts)
 * says so; --por checks every declaration as it runs either way.
 */
function footprint<G, L>(changes: Partial<Step<G, L>>): Partial<Step<G, L>> {
  const behaves = changes.guard !== undefined || changes.choices !== undefined || changes.effect !== undefined || (changes.next !== undefined && typeof changes.next !== 'string');
  const restated = changes.reads !== undefined || changes.writes !== undefined;
  return behaves && !restated ? { ...changes, reads: [ANY], writes: [ANY] } : changes;
}

function patchProgram<G, L>(p: Program<G, L>, patch: StepPatch<G, L>): Program<G, L> {
  if ('replace' in patch) {
    const target = find(p, patch.label);
    const changes = footprint(patch.replace);
    return { ...p, steps: p.steps.map((s) => (s === target ? { ...s, ...changes } : s)) };
  }
  if ('remove' in patch) return removeStep(p, patch.label);
  if ('insert' in patch) {
    const step = { ...patch.insert, ...footprint(patch.insert) } as Step<G, L>;
    return 'before' in patch ? insertBefore(p, step, patch.before) : insertAfter(p, step, patch.after);
  }
  if ('moveBefore' in patch || 'moveAfter' in patch) {
    const step = find(p, patch.label);
    const rest = removeStep(p, patch.label);
    const { at: _at, ...moved } = step;
    void _at;
    return 'moveBefore' in patch ? insertBefore(rest, moved, patch.moveBefore) : insertAfter(rest, moved, patch.moveAfter);
  }
  return changeLock(p, patch.label, patch.lock, patch.mode, patch.to);
}

export function patchModel<G, L>(
  model: Model<G, L>,
  patches: readonly StepPatch<G, L>[],
  name = `${model.name}+patched`,
  addLocks: readonly LockAddition[] = [],
): Model<G, L> {
  const declared = new Set([...(model.locks ?? []), ...addLocks].map((l) => l.name));
  for (const l of addLocks) if ((model.locks ?? []).some((x) => x.name === l.name)) throw new InputError(`lock ${l.name} exists already`);
  const patched = new Map<Program<G, L>, Program<G, L>>();
  for (const patch of patches) {
    const inst = model.processes.find((p) => (patched.get(p.program) ?? p.program).name === patch.program);
    if (!inst) throw new InputError(`model ${model.name} has no program ${patch.program}`);
    const current = patched.get(inst.program) ?? inst.program;
    const next = patchProgram(current, patch);
    for (const s of next.steps) for (const o of s.locks ?? []) if (!declared.has(o.lock)) throw new InputError(`step ${s.label} of ${next.name}: unknown lock ${o.lock}`);
    patched.set(inst.program, next);
  }
  return {
    ...model,
    name,
    locks: [...(model.locks ?? []), ...addLocks],
    processes: model.processes.map((p) => ({ ...p, program: patched.get(p.program) ?? p.program })),
  };
}
