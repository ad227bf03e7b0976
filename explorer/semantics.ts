// The meaning of a model's steps, whatever the state representation: which transitions are
// enabled (guards, lock availability, choices), what a lock misuse is, what a deadlock is, how a
// transition is named in a trace. The two modes differ only in how a successor is made
// (`successor`) and in what the initial states are: authoring.ts runs each recipe inside immer's
// `produce` on frozen states; fast.ts runs it on a plain copy of what the step may change.

import type { Draft } from 'immer';
import { compileModel, decodeTransition, MAX_CHOICES, stepKey, transitionId } from './compile.ts';
import type { CompiledModel, CompiledStep } from './compile.ts';
import { InputError } from './errors.ts';
import { makeCodec, type StateCodec } from './codec/codec.ts';
import { checkSchema, sysStateSchema, type AnySchema } from './codec/schema.ts';
import { hash64 } from './fingerprint.ts';
import { acquire, available, FREE, heldMode, holds, holdsAny, release } from './locks.ts';
import { DONE, type ActionProperty, type Model, type StateInvariant, type StepContext, type SysState } from './model.ts';
import { AmpleSets } from './por.ts';
import { SymmetryGroups } from './symmetry.ts';
import { SymmetryCheck } from './symmetry-check.ts';
import { DEADLOCK, LOCK_BALANCE, LOCK_HELD_AT_END, STEP_ERROR } from './properties.ts';
import { FS_RECLAIM, type LockRef } from './lockorder.ts';
import type { Failure, StateSpace, SuccessorSink, TraceStep } from './space.ts';

type Enabling =
  | { readonly kind: 'disabled'; readonly why: string }
  | { readonly kind: 'error'; readonly failure: Failure }
  | { readonly kind: 'enabled'; readonly choices: readonly number[] };

const NO_CHOICE: readonly number[] = [0];

export abstract class StepSemantics<G, L> implements StateSpace<SysState<G, L>> {
  readonly cm: CompiledModel<G, L>;
  readonly stepNames: readonly string[];
  /** Turns states into words: the key every mode hashes, and fast mode's packed form. */
  readonly codec: StateCodec;
  /** The model's schema, checked (undefined if it declares none). */
  protected readonly schema: { readonly globals: AnySchema; readonly locals: AnySchema } | undefined;
  private readonly stateInvariants: readonly StateInvariant<G, L>[];
  private readonly actionProperties: readonly ActionProperty<G, L>[];
  private readonly checkDeadlock: boolean;
  private ample: AmpleSets<G, L> | undefined;

  /** Symmetry reduction: states are keyed by their class's representative. */
  private readonly symmetry: SymmetryGroups<G, L> | undefined;
  /** With symmetry only: checks the reduction's premise on each state expanded (symmetry-check.ts). */
  readonly checkReduction?: (s: SysState<G, L>) => void;

  constructor(model: Model<G, L>, opts: { readonly symmetry?: boolean } = {}) {
    this.cm = compileModel(model);
    this.stepNames = this.cm.allSteps.map(stepKey);
    const invs = model.invariants ?? [];
    this.stateInvariants = invs.filter((i): i is StateInvariant<G, L> => i.kind === 'state');
    this.actionProperties = invs.filter((i): i is ActionProperty<G, L> => i.kind === 'action');
    this.checkDeadlock = model.checkDeadlock ?? true;
    this.schema = model.schema ? { globals: checkSchema(model.schema.globals, 'g'), locals: checkSchema(model.schema.locals, 'locals') } : undefined;
    this.codec = makeCodec(this.schema ? sysStateSchema(this.schema.globals, this.schema.locals) : undefined);
    // Locations get their ids up front, in a fixed order, so that a state's words do not depend
    // on the order in which states were met (and agree between worker threads).
    for (const loc of [...new Set(this.cm.programs.flatMap((p) => [...p.locations]))].sort()) this.codec.intern(loc);
    const groups = opts.symmetry ? new SymmetryGroups(this.cm) : undefined;
    this.symmetry = groups?.active ? groups : undefined;
    if (this.symmetry) {
      const sem = { expandProcess: this.expandProcess.bind(this), checkState: this.checkState.bind(this), words: this.encodeState.bind(this) };
      const check = new SymmetryCheck(this.cm, this.symmetry.groups, sem);
      this.checkReduction = (s) => check.check(s);
    }
  }

  /** The states the search starts from. */
  abstract initialStates(): readonly SysState<G, L>[];

  /** The state after `pid` takes step `cs` with `choice` in `s` (enabledness already checked). */
  protected abstract successor(s: SysState<G, L>, pid: number, cs: CompiledStep<G, L>, choice: number): SysState<G, L>;

  /** The initial states as plain data, before a mode freezes or packs them. */
  protected plainInitialStates(): SysState<G, L>[] {
    const m = this.cm.model;
    return m.initial.map((g) => ({
      g,
      locks: this.cm.lockNames.map(() => FREE),
      procs: m.processes.map((p) => ({ pc: p.program.start, locals: p.locals })),
    }));
  }

  expand(s: SysState<G, L>, sink: SuccessorSink<SysState<G, L>>): number {
    let n = 0;
    for (let pid = 0; pid < s.procs.length; pid++) n += this.expandProcess(s, pid, sink);
    return n;
  }

  ampleCandidates(s: SysState<G, L>): readonly number[] {
    this.ample ??= new AmpleSets(this.cm, this.cm.model);
    return this.ample.candidates(s.procs.map((p) => p.pc));
  }

  expandProcess(s: SysState<G, L>, pid: number, sink: SuccessorSink<SysState<G, L>>): number {
    let n = 0;
    const candidates = this.cm.procs[pid]!.at.get(s.procs[pid]!.pc);
    if (!candidates) return 0;
    for (const cs of candidates) {
      const en = this.enabling(s, pid, cs);
      if (en.kind === 'disabled') continue;
      if (en.kind === 'error') {
        n++;
        sink.onViolation(transitionId(pid, cs.index, 0), en.failure);
        continue;
      }
      for (let ci = 0; ci < en.choices.length; ci++) {
        n++;
        const tid = transitionId(pid, cs.index, ci);
        let after: SysState<G, L>;
        try {
          after = this.fire(s, pid, cs, en.choices[ci]!);
        } catch (e) {
          if (e instanceof InputError) throw e;
          const message = `${this.cm.model.processes[pid]!.name} ${cs.step.label} threw: ${e instanceof Error ? e.message : String(e)}`;
          sink.onViolation(tid, { property: STEP_ERROR.id, statement: STEP_ERROR.statement, message });
          continue;
        }
        for (const failure of this.checkTransition(s, after, pid, cs, en.choices[ci]!)) sink.onViolation(tid, failure);
        sink.onNext(tid, after);
      }
    }
    return n;
  }

  /**
   * The state's codec words, valid until the next call. Always the codec's, never the model's
   * own `key`: the exact engine compares these, so it also checks a model's faster key.
   */
  key(s: SysState<G, L>): ArrayLike<number> {
    return this.encodeState(this.symmetry ? this.symmetry.canonical(s) : s);
  }

  fingerprint(s: SysState<G, L>, out: Uint32Array): void {
    const c = this.symmetry ? this.symmetry.canonical(s) : s;
    // Through encodeState, so that its cache of the last words knows they are c's.
    const key = this.cm.model.key ? this.cm.model.key(c) : this.encodeState(c);
    hash64(key, key.length, out);
  }

  /** Symmetry reduction is on (and the model has a group). */
  protected get symmetric(): boolean {
    return this.symmetry !== undefined;
  }

  /** The last state encoded and its words (a view into the codec's buffer). */
  private encoded: SysState<G, L> | undefined;
  private encodedWords: Int32Array = new Int32Array(0);

  /**
   * The codec's words of `s`; the one place a mode encodes a state. A state is not changed once
   * made (authoring mode freezes it; fast mode mutates only the copy a step is making), so the
   * last words are kept: a state's fingerprint, key and packed form encode it once.
   */
  protected encodeState(s: SysState<G, L>): Int32Array {
    if (s !== this.encoded) {
      this.encodedWords = this.codec.encode(s);
      this.encoded = s;
    }
    return this.encodedWords;
  }

  checkState(s: SysState<G, L>): readonly Failure[] {
    const failed: Failure[] = [];
    for (const inv of this.stateInvariants) {
      if (!inv.holds(s)) failed.push({ property: inv.id, statement: inv.statement, message: inv.explain ? inv.explain(s) : inv.statement });
    }
    return failed;
  }

  stuck(s: SysState<G, L>): Failure | null {
    if (!this.checkDeadlock) return null;
    const waiting: string[] = [];
    s.procs.forEach((p, pid) => {
      const cp = this.cm.procs[pid]!;
      if (cp.endLabels.has(p.pc)) return;
      const name = this.cm.model.processes[pid]!.name;
      const whys = (cp.at.get(p.pc) ?? []).map((cs) => {
        const en = this.enabling(s, pid, cs);
        return en.kind === 'disabled' ? en.why : `${cs.step.label} enabled`;
      });
      waiting.push(`${name} at ${p.pc}: ${whys.join('; ') || 'no step here'}`);
    });
    if (waiting.length === 0) return null;
    return { property: DEADLOCK.id, statement: DEADLOCK.statement, message: `no step enabled; ${waiting.join(' | ')}` };
  }

  stepOf(tid: number): number {
    const { pid, stepIndex } = decodeTransition(tid);
    return this.cm.procs[pid]!.steps[stepIndex]!.global;
  }

  describe(before: SysState<G, L>, tid: number): TraceStep {
    const { pid, stepIndex, choiceIndex } = decodeTransition(tid);
    const cs = this.cm.procs[pid]!.steps[stepIndex]!;
    const base = {
      pid,
      process: this.cm.model.processes[pid]!.name,
      program: cs.program,
      label: cs.step.label,
      kernelFn: cs.step.kernelFn,
    };
    if (!cs.step.choices) return base;
    const choices = cs.step.choices(before.g, before.procs[pid]!.locals, { pid, choice: 0 });
    return { ...base, choice: choices[choiceIndex]! };
  }

  apply(s: SysState<G, L>, tid: number): SysState<G, L> {
    const { pid, stepIndex, choiceIndex } = decodeTransition(tid);
    const cp = this.cm.procs[pid];
    const cs = cp?.steps[stepIndex];
    if (!cp || !cs) throw new InputError(`transition ${tid} names no step of this model`);
    const who = `${this.cm.model.processes[pid]!.name} ${cs.step.label}`;
    const pc = s.procs[pid]!.pc;
    if (cs.at !== pc) throw new InputError(`step ${who} is not enabled: the process is at ${pc}`);
    const en = this.enabling(s, pid, cs);
    if (en.kind === 'disabled') throw new InputError(`step ${who} is not enabled: ${en.why}`);
    if (en.kind === 'error') throw new InputError(`step ${who} breaks ${en.failure.property}: ${en.failure.message}`);
    const choice = en.choices[choiceIndex];
    if (choice === undefined) throw new InputError(`step ${who} has no choice number ${choiceIndex}`);
    return this.fire(s, pid, cs, choice);
  }

  lockOps(s: SysState<G, L>, tid: number): { held: readonly LockRef[]; acquires: readonly LockRef[] } {
    const { pid, stepIndex } = decodeTransition(tid);
    const cs = this.cm.procs[pid]!.steps[stepIndex]!;
    const held: LockRef[] = [];
    s.locks.forEach((h, i) => {
      const mode = heldMode(h, pid);
      if (mode) held.push({ lock: this.cm.lockNames[i]!, mode });
    });
    // Lockdep maps first: they are released at once, so only the locks held before the step are
    // ordered before them (the step's own acquisitions, after them, are no edge from them that
    // the code does not have: the map is taken where the step starts).
    const acquires: LockRef[] = [...(cs.step.lockMaps ?? []).map((lock) => ({ lock, mode: 'write' as const })), ...cs.acquires.map((a) => ({ lock: a.name, mode: a.mode }))];
    if (cs.step.mayAlloc) acquires.push({ lock: FS_RECLAIM, mode: 'write' });
    return { held, acquires };
  }

  /** Is the step enabled in `s`, and with which choices; or does taking it misuse a lock. */
  private enabling(s: SysState<G, L>, pid: number, cs: CompiledStep<G, L>): Enabling {
    const locals = s.procs[pid]!.locals;
    const ctx: StepContext = { pid, choice: 0 };
    if (cs.step.guard && !cs.step.guard(s.g, locals, ctx)) return { kind: 'disabled', why: `guard of ${cs.step.label} false` };
    const who = this.cm.model.processes[pid]!.name;
    for (const a of cs.acquires) {
      const h = s.locks[a.lock]!;
      const mine = heldMode(h, pid);
      if (mine) {
        return {
          kind: 'error',
          failure: {
            property: LOCK_BALANCE.id,
            statement: LOCK_BALANCE.statement,
            message: `${who} ${cs.step.label} takes ${a.name} (${a.mode}) already held by itself (${mine})`,
          },
        };
      }
    }
    for (const a of cs.acquires) {
      const h = s.locks[a.lock]!;
      if (!available(h, a.mode)) return { kind: 'disabled', why: `${cs.step.label} waits for ${a.name} (${a.mode}), held ${this.holders(h)}` };
    }
    for (const r of cs.releases) {
      const h = s.locks[r.lock]!;
      const takenHere = cs.acquires.some((a) => a.lock === r.lock && a.mode === r.mode);
      if (!takenHere && !holds(h, pid, r.mode)) {
        return {
          kind: 'error',
          failure: {
            property: LOCK_BALANCE.id,
            statement: LOCK_BALANCE.statement,
            message: `${who} ${cs.step.label} releases ${r.name} (${r.mode}) which it does not hold in that mode`,
          },
        };
      }
    }
    for (const r of cs.downgrades) {
      if (s.locks[r.lock]!.w !== pid || cs.releases.some((x) => x.lock === r.lock)) {
        return {
          kind: 'error',
          failure: {
            property: LOCK_BALANCE.id,
            statement: LOCK_BALANCE.statement,
            message: `${who} ${cs.step.label} downgrades ${r.name}, which it does not hold for write`,
          },
        };
      }
    }
    const choices = cs.step.choices ? cs.step.choices(s.g, locals, ctx) : NO_CHOICE;
    if (choices.length === 0) return { kind: 'disabled', why: `${cs.step.label} has no choice` };
    // A transition id has room for MAX_CHOICES choice indices; more would alias other steps.
    if (choices.length > MAX_CHOICES)
      throw new InputError(`program ${cs.program}, step ${cs.step.label} offers ${choices.length} choices; a step may offer at most ${MAX_CHOICES}: split it into several steps`);
    return { kind: 'enabled', choices };
  }

  private holders(h: { w: number; r: number }): string {
    const names = this.cm.model.processes.map((p) => p.name);
    if (h.w >= 0) return `write by ${names[h.w]}`;
    return `read by ${names.filter((_, pid) => (h.r & (1 << pid)) !== 0).join(', ')}`;
  }

  private fire(s: SysState<G, L>, pid: number, cs: CompiledStep<G, L>, choice: number): SysState<G, L> {
    const after = this.successor(s, pid, cs, choice);
    const pc = after.procs[pid]!.pc;
    if (!this.cm.procs[pid]!.locations.has(pc))
      throw new InputError(`program ${cs.program}, step ${cs.step.label}: next ${pc} is no location`);
    return after;
  }

  private checkTransition(
    before: SysState<G, L>,
    after: SysState<G, L>,
    pid: number,
    cs: CompiledStep<G, L>,
    choice: number,
  ): Failure[] {
    const failed: Failure[] = [];
    if (after.procs[pid]!.pc === DONE && holdsAny(after.locks, pid)) {
      const held = this.cm.lockNames.filter((_, i) => holds(after.locks[i]!, pid));
      failed.push({
        property: LOCK_HELD_AT_END.id,
        statement: LOCK_HELD_AT_END.statement,
        message: `${this.cm.model.processes[pid]!.name} finishes holding ${held.join(', ')}`,
      });
    }
    if (this.actionProperties.length === 0) return failed;
    const view = { pid, process: this.cm.model.processes[pid]!.name, program: cs.program, step: cs.step, choice };
    for (const p of this.actionProperties) {
      if (!p.holds(before, after, view)) {
        failed.push({ property: p.id, statement: p.statement, message: p.explain ? p.explain(before, after, view) : p.statement });
      }
    }
    return failed;
  }
}

/** A state as a step mutates it: an immer draft, or fast mode's scratch copy. */
export interface ScratchState<G, L> {
  g: G;
  locks: { w: number; r: number }[];
  procs: { pc: string; locals: L }[];
}

/**
 * Takes step `cs` of `pid` on a mutable state `d` (an immer draft or a scratch copy): the lock
 * acquires, the model's recipe, the releases, the next location. Both modes run exactly this.
 */
export function takeStep<G, L>(d: ScratchState<G, L>, pid: number, cs: CompiledStep<G, L>, choice: number): void {
  const ctx: StepContext = { pid, choice };
  const step = cs.step;
  const p = d.procs[pid]!;
  for (const a of cs.acquires) acquire(d.locks[a.lock]!, pid, a.mode);
  step.effect?.(d.g as Draft<G>, p.locals as Draft<L>, ctx);
  for (const r of cs.releases) release(d.locks[r.lock]!, pid, r.mode);
  for (const r of cs.downgrades) {
    release(d.locks[r.lock]!, pid, 'write');
    acquire(d.locks[r.lock]!, pid, 'read');
  }
  p.pc = typeof step.next === 'string' ? step.next : step.next(d.g, p.locals, ctx);
}
