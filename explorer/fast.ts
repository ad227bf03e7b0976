// Fast mode: the same recipes, run without immer. A state is kept as its packed words (the
// codec's encoding) and decoded into plain objects to be expanded. To take a step, the engine
// copies what the step can change (the globals, its own process, the locks it takes or drops;
// without a schema, the whole state, decoded again) and lets the recipe mutate the copy in
// place. No proxies, no freezing: the copy becomes the successor, is encoded once (for its
// fingerprint and, if new, its packed form), and is dropped.
//
// The state being expanded is the "source": its words are kept, each successor is decoded from
// them, and each successor's fingerprint is the source's updated with the words that changed
// (fingerprint.ts, rehash64) rather than a hash of all of them.
//
// The price of the speed: nothing stops a guard or an invariant from mutating a state here.
// Authoring mode would throw on that; the self-check (both modes agree exactly on small
// scenarios, test/explorer/self-check.test.ts) is what catches a model that does it.

import type { CompiledStep } from './compile.ts';
import { hash64, rehash64 } from './fingerprint.ts';
import type { Model, SysState } from './model.ts';
import { compileClone } from './codec/compiled.ts';
import { StepSemantics, takeStep, type ScratchState } from './semantics.ts';

export class FastSpace<G, L> extends StepSemantics<G, L> {
  /** The state being expanded, its words `words[0, len)`, and (once asked for) its fingerprint. */
  private source: SysState<G, L> | undefined;
  private words = new Int32Array(1 << 10);
  private len = 0;
  private readonly sourceFp = new Uint32Array(2);
  private sourceFpKnown = false;
  /** The last state whose words were hashed, and that hash. */
  private hashed: SysState<G, L> | undefined;
  private readonly hashedFp = new Uint32Array(2);
  private packed = new Int32Array(1 << 10);
  /** With a schema: deep copies of the globals and of a process's locals, generated from it. */
  private readonly clone: { globals: (v: unknown) => unknown; locals: (v: unknown) => unknown } | undefined;

  constructor(model: Model<G, L>, opts: { readonly symmetry?: boolean } = {}) {
    super(model, opts);
    this.clone = this.schema ? { globals: compileClone(this.schema.globals), locals: compileClone(this.schema.locals) } : undefined;
  }

  initialStates(): readonly SysState<G, L>[] {
    // Decoded from words like every other state, so no state shares objects with the model.
    return this.plainInitialStates().map((s) => {
      const w = this.pack(s).slice();
      return this.unpack(w, 0, w.length);
    });
  }

  /**
   * The packed form of `s`: its codec words, then the two words of their hash, so that when the
   * state is unpacked to be expanded its successors' fingerprints start from it (valid until
   * the next call).
   */
  pack(s: SysState<G, L>): Int32Array {
    const w = this.encodeState(s);
    if (this.hashed !== s) {
      hash64(w, w.length, this.hashedFp);
      this.hashed = s;
    }
    if (w.length + 2 > this.packed.length) this.packed = new Int32Array(2 * (w.length + 2));
    this.packed.set(w);
    this.packed[w.length] = this.hashedFp[0]!;
    this.packed[w.length + 1] = this.hashedFp[1]!;
    return this.packed.subarray(0, w.length + 2);
  }

  /** A fresh state from packed words; it becomes the source the next successors are made from. */
  unpack(words: Int32Array, start: number, end: number): SysState<G, L> {
    const s = this.codec.decode(words, start, end - 2) as SysState<G, L>;
    this.setSource(s, words.subarray(start, end - 2));
    this.sourceFp[0] = words[end - 2]!;
    this.sourceFp[1] = words[end - 1]!;
    this.sourceFpKnown = true;
    return s;
  }

  override fingerprint(s: SysState<G, L>, out: Uint32Array): void {
    // A model's own key, or symmetry (a state's representative is another state's words).
    if (this.cm.model.key || this.symmetric) return super.fingerprint(s, out);
    const w = this.encodeState(s);
    if (this.source === undefined) hash64(w, w.length, out);
    else {
      if (!this.sourceFpKnown) {
        hash64(this.words, this.len, this.sourceFp);
        this.sourceFpKnown = true;
      }
      rehash64(this.sourceFp, this.words, this.len, w, w.length, out);
    }
    // Kept for pack(): a new state is packed right after its fingerprint is taken.
    this.hashed = s;
    this.hashedFp[0] = out[0]!;
    this.hashedFp[1] = out[1]!;
  }

  protected successor(s: SysState<G, L>, pid: number, cs: CompiledStep<G, L>, choice: number): SysState<G, L> {
    if (s !== this.source) this.setSource(s, this.encodeState(s));
    if (this.clone) {
      // A step changes the globals, its own process and the locks it takes or drops, and
      // nothing else: the engine hands it nothing else. So the successor copies those and
      // shares the other processes and locks with its parent (no one mutates a state once made).
      const locks = s.locks.slice();
      for (const op of cs.acquires) locks[op.lock] = { ...locks[op.lock]! };
      for (const op of cs.releases) locks[op.lock] = { ...locks[op.lock]! };
      for (const op of cs.downgrades) locks[op.lock] = { ...locks[op.lock]! };
      const procs = s.procs.slice();
      procs[pid] = { pc: s.procs[pid]!.pc, locals: this.clone.locals(s.procs[pid]!.locals) as L };
      const copy = { g: this.clone.globals(s.g) as G, locks, procs };
      takeStep(copy as unknown as ScratchState<G, L>, pid, cs, choice);
      return copy;
    }
    const copy = this.codec.decode(this.words, 0, this.len) as SysState<G, L>;
    takeStep(copy as unknown as ScratchState<G, L>, pid, cs, choice);
    return copy;
  }

  private setSource(s: SysState<G, L>, w: Int32Array): void {
    if (w.length > this.words.length) this.words = new Int32Array(w.length * 2);
    this.words.set(w);
    this.len = w.length;
    this.source = s;
    this.sourceFpKnown = false;
  }
}
