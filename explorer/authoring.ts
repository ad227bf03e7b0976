// Authoring mode: each step's recipe runs inside immer's `produce` on frozen, structurally
// shared states. Clear and safe (a guard or invariant that mutates the state throws), and the
// mode replay, traces and the trace views use; not the fast one.

import { freeze, produce, type Draft } from 'immer';
import type { CompiledStep } from './compile.ts';
import type { SysState } from './model.ts';
import { StepSemantics, takeStep, type ScratchState } from './semantics.ts';

export class AuthoringSpace<G, L> extends StepSemantics<G, L> {
  /** The last state encoded and its words (a view into the codec's buffer). */
  private encoded: SysState<G, L> | undefined;
  private encodedWords: Int32Array = new Int32Array(0);

  initialStates(): readonly SysState<G, L>[] {
    return this.plainInitialStates().map((s) => freeze(s, true));
  }

  /**
   * States here are frozen, so one object always has the same words: the fingerprint and the
   * key of a state (both taken when fingerprints are verified) encode it once.
   */
  protected override encodeState(s: SysState<G, L>): Int32Array {
    if (s !== this.encoded) {
      this.encodedWords = this.codec.encode(s);
      this.encoded = s;
    }
    return this.encodedWords;
  }

  protected successor(s: SysState<G, L>, pid: number, cs: CompiledStep<G, L>, choice: number): SysState<G, L> {
    return produce(s, (d: Draft<SysState<G, L>>) => takeStep(d as unknown as ScratchState<G, L>, pid, cs, choice));
  }
}
