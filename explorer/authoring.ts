// Authoring mode: each step's recipe runs inside immer's `produce` on frozen, structurally
// shared states. Clear and safe (a guard or invariant that mutates the state throws), and the
// mode replay, traces and the trace views use; not the fast one.

import { freeze, produce, type Draft } from 'immer';
import type { CompiledStep } from './compile.ts';
import type { SysState } from './model.ts';
import { StepSemantics, takeStep, type ScratchState } from './semantics.ts';

export class AuthoringSpace<G, L> extends StepSemantics<G, L> {
  initialStates(): readonly SysState<G, L>[] {
    return this.plainInitialStates().map((s) => freeze(s, true));
  }

  protected successor(s: SysState<G, L>, pid: number, cs: CompiledStep<G, L>, choice: number): SysState<G, L> {
    return produce(s, (d: Draft<SysState<G, L>>) => takeStep(d as unknown as ScratchState<G, L>, pid, cs, choice));
  }
}
