// Patching a model's programs by step label: the mechanism behind broken variants (mutants) and,
// later, reviewers' proposals. A patch names a program and a step; the result is a new model
// whose processes run the patched program. Unknown programs or labels are input errors.

import { InputError } from './errors.ts';
import type { Model, Program, Step } from './model.ts';

export type StepPatch<G, L> =
  /** Replace fields of a step (guard, effect, next, locks, ...). */
  | { readonly program: string; readonly label: string; readonly replace: Partial<Step<G, L>> }
  /** Remove a step: whoever went to it goes where it went (its `next` must be a plain label). */
  | { readonly program: string; readonly label: string; readonly remove: true };

function patchProgram<G, L>(p: Program<G, L>, patch: StepPatch<G, L>): Program<G, L> {
  const target = p.steps.find((s) => s.label === patch.label);
  if (!target) throw new InputError(`program ${p.name} has no step ${patch.label}`);
  if ('replace' in patch) {
    return { ...p, steps: p.steps.map((s) => (s === target ? { ...s, ...patch.replace } : s)) };
  }
  if (typeof target.next !== 'string') throw new InputError(`step ${patch.label} of ${p.name} has a computed next: replace it instead of removing it`);
  const to = target.next;
  const at = target.at ?? target.label;
  const redirect = (next: Step<G, L>['next']): Step<G, L>['next'] =>
    typeof next === 'string' ? (next === at ? to : next) : (g, l, c) => {
      const n = next(g, l, c);
      return n === at ? to : n;
    };
  return {
    ...p,
    start: p.start === at ? to : p.start,
    steps: p.steps.filter((s) => s !== target).map((s) => ({ ...s, next: redirect(s.next) })),
  };
}

export function patchModel<G, L>(model: Model<G, L>, patches: readonly StepPatch<G, L>[], name = `${model.name}+patched`): Model<G, L> {
  const patched = new Map<Program<G, L>, Program<G, L>>();
  for (const patch of patches) {
    const inst = model.processes.find((p) => (patched.get(p.program) ?? p.program).name === patch.program);
    if (!inst) throw new InputError(`model ${model.name} has no program ${patch.program}`);
    const current = patched.get(inst.program) ?? inst.program;
    patched.set(inst.program, patchProgram(current, patch));
  }
  return { ...model, name, processes: model.processes.map((p) => ({ ...p, program: patched.get(p.program) ?? p.program })) };
}
