// Fast mode: the same recipes, run without immer. A state is kept as its packed words (the
// codec's encoding); to take a step, the engine decodes a fresh plain copy of the state and lets
// the recipe mutate it in place. No proxies, no freezing, no structural sharing to maintain: the
// copy becomes the successor, is encoded once to be fingerprinted and packed, and is dropped.
//
// The price of the speed: nothing stops a guard or an invariant from mutating a state here.
// Authoring mode would throw on that; the self-check (both modes agree exactly on small
// scenarios, test/explorer/self-check.test.ts) is what catches a model that does it.

import type { CompiledStep } from './compile.ts';
import type { SysState } from './model.ts';
import { StepSemantics, takeStep, type ScratchState } from './semantics.ts';

export class FastSpace<G, L> extends StepSemantics<G, L> {
  /** The state whose words `words[0, len)` hold, so each successor is decoded from them. */
  private source: SysState<G, L> | undefined;
  private words = new Int32Array(1 << 10);
  private len = 0;

  initialStates(): readonly SysState<G, L>[] {
    // Decoded from words like every other state, so no state shares objects with the model.
    return this.plainInitialStates().map((s) => {
      const w = this.codec.encode(s);
      return this.unpack(w, 0, w.length);
    });
  }

  /** The packed form of `s`: its codec words (valid until the next call). */
  pack(s: SysState<G, L>): Int32Array {
    return this.codec.encode(s);
  }

  unpack(words: Int32Array, start: number, end: number): SysState<G, L> {
    return this.codec.decode(words, start, end) as SysState<G, L>;
  }

  protected successor(s: SysState<G, L>, pid: number, cs: CompiledStep<G, L>, choice: number): SysState<G, L> {
    if (s !== this.source) this.remember(s);
    const copy = this.unpack(this.words, 0, this.len);
    takeStep(copy as unknown as ScratchState<G, L>, pid, cs, choice);
    return copy;
  }

  private remember(s: SysState<G, L>): void {
    const w = this.codec.encode(s);
    if (w.length > this.words.length) this.words = new Int32Array(w.length * 2);
    this.words.set(w);
    this.len = w.length;
    this.source = s;
  }
}
