// The contract between a model and the engine. Nothing here knows about SVM: a model is a set
// of processes (labeled step programs, PlusCal style), some locks, initial globals, invariants.
//
// A step's effect is an immer recipe: a function that mutates a draft of the global state and
// of the process's locals. The engine runs the same recipe two ways (ARCHITECTURE.md):
//   - authoring mode: inside immer's `produce`, on frozen, structurally shared states;
//   - fast mode: on a plain mutable scratch copy decoded from a packed state.
// So an effect must only mutate what it is given and must not keep references to it.

import type { Draft } from 'immer';
import type { StateSchema } from './codec/schema.ts';

/** Location every process reaches when it has finished. */
export const DONE = 'done';

export type LockMode = 'read' | 'write';
/** Kernel lock kinds; all are modeled as blocking locks, rwsem with a read mode. */
export type LockKind = 'mutex' | 'rwsem' | 'spinlock' | 'ww_mutex';

export interface LockDecl {
  readonly name: string;
  readonly kind: LockKind;
  readonly description?: string;
}

/**
 * A lock operation declared on a step. The engine gives it meaning: an acquire is part of the
 * step's guard (disabled while the lock is held in a conflicting mode) and happens before the
 * effect; a release happens after the effect. A mutex or spinlock has only mode 'write'.
 */
/**
 * A lock operation of a step. `downgrade` turns the write hold of an rwsem into a read hold in
 * place (downgrade_write, mmap_write_downgrade): no other writer can get in between, and it is
 * no acquisition for the lock-order graph. Its `mode` is the mode held after it: 'read'.
 */
export interface LockOp {
  readonly op: 'acquire' | 'release' | 'downgrade';
  readonly lock: string;
  readonly mode: LockMode;
}

export interface StepContext {
  /** Index of the process instance taking the step. */
  readonly pid: number;
  /** The value chosen among `choices` (0 when the step has no choices). */
  readonly choice: number;
}

export type NextLabel<G, L> = string | ((g: G, l: L, ctx: StepContext) => string);

/** One atomic action of a process. */
/** A quotation of the source a step stands for. */
export interface Citation {
  /** A posted patch's Message-ID (`<...@...>`), or a kernel file as `path@commit`. */
  readonly ref: string;
  /** The function the lines are in. */
  readonly fn: string;
  /** The lines, verbatim (several lines joined by newlines). */
  readonly quote: string;
}

export interface Step<G, L> {
  /** Unique within its program; the name proposals and traces use. */
  readonly label: string;
  /**
   * Location (program-counter value) the step runs from; defaults to `label`. Several steps
   * sharing one location are a nondeterministic choice (PlusCal `either ... or`).
   */
  readonly at?: string;
  /** The kernel function this step stands for, shown in every trace. */
  readonly kernelFn: string;
  /** One line for humans: what the step does in the kernel. */
  readonly note?: string;
  /**
   * The source lines the step stands for: where (a patch's Message-ID, or `path@commit`), the
   * function, and the lines quoted verbatim. A step no source text covers (hardware, user space)
   * says why in `unsourced` instead.
   */
  readonly cite?: readonly Citation[];
  readonly unsourced?: string;
  readonly locks?: readonly LockOp[];
  /** State components read and written (coarse names), for reports and partial-order reduction. */
  readonly reads?: readonly string[];
  readonly writes?: readonly string[];
  /** May allocate memory (and so enter reclaim, and so the MMU notifier). */
  readonly mayAlloc?: boolean;
  /**
   * Lockdep maps the step acquires and releases at once (lock_map_acquire + lock_map_release,
   * e.g. mmu_interval_notifier_remove's on __mmu_notifier_invalidate_range_start_map): they add
   * lock-order edges from the locks held before the step, and no state.
   */
  readonly lockMaps?: readonly string[];
  /** Enabling condition, on the state before the step. Lock availability is added by the engine. */
  readonly guard?: (g: G, l: L, ctx: StepContext) => boolean;
  /** Nondeterministic parameter (PlusCal `with`): the step is taken once per value. */
  readonly choices?: (g: G, l: L, ctx: StepContext) => readonly number[];
  /** The immer recipe. Must not return a value. */
  readonly effect?: (g: Draft<G>, l: Draft<L>, ctx: StepContext) => void;
  /** Next location, evaluated on the state after the effect. */
  readonly next: NextLabel<G, L>;
}

/** A process type: a program of labeled steps. */
export interface Program<G, L> {
  readonly name: string;
  readonly start: string;
  readonly steps: readonly Step<G, L>[];
  /**
   * Locations where the process may wait forever without that being a deadlock (Spin's
   * end-state labels), e.g. a worker idle until work is queued. DONE always is one.
   */
  readonly endLabels?: readonly string[];
}

export interface ProcessInstance<G, L> {
  /** Shown in traces, e.g. `fault0`. Unique within a model. */
  readonly name: string;
  readonly program: Program<G, L>;
  readonly locals: L;
}

/** Who holds a lock: a writer's pid (or -1) and a bitmask of reader pids. */
export interface LockHold {
  readonly w: number;
  readonly r: number;
}

export interface ProcState<L> {
  readonly pc: string;
  readonly locals: L;
}

/** The whole state the engine explores. Plain data only. */
export interface SysState<G, L> {
  readonly g: G;
  readonly locks: readonly LockHold[];
  readonly procs: readonly ProcState<L>[];
}

export interface StateInvariant<G, L> {
  readonly kind: 'state';
  /** The global state components it reads: what trace views show under each step. */
  readonly reads?: readonly string[];
  readonly id: string;
  readonly statement: string;
  /** Why it must hold: the design section and kernel source it comes from. */
  readonly justification?: string;
  /**
   * It looks at the processes (where they are, e.g. "once every process is idle", or their
   * locals), not only at the global components in `reads`. Every step changes its process, so
   * partial-order reduction then reduces nothing.
   */
  readonly readsProcesses?: boolean;
  readonly holds: (s: SysState<G, L>) => boolean;
  /** Optional detail for the report when it fails. */
  readonly explain?: (s: SysState<G, L>) => string;
}

/** What an action property sees of the transition it judges. */
export interface TransitionView<G, L> {
  readonly pid: number;
  readonly process: string;
  /** The program (process type) the step belongs to. */
  readonly program: string;
  readonly step: Step<G, L>;
  readonly choice: number;
}

/**
 * A property of a transition (e.g. "a PTE is written only under the notifier lock").
 *
 * Partial-order reduction must not reorder a step the property can tell apart. By default it can
 * tell every step apart (it sees the step, and both whole states), so while an action property
 * without `judgesSteps` is checked, every step is visible and nothing is reduced. A property
 * that declares `judgesSteps` promises: on a transition of any other step it holds; its verdict
 * depends only on the step, the stepping process's own locals and location, and the global
 * components in `reads` (and the processes only if `readsProcesses`). The footprint check
 * (footprint-check.ts, and `--por` as it runs) holds it to that.
 */
export interface ActionProperty<G, L> {
  readonly kind: 'action';
  /** The global state components it reads: what trace views show under each step. */
  readonly reads?: readonly string[];
  /** The steps (`program/label`) on which it can fail; see above. Absent: every step. */
  readonly judgesSteps?: readonly string[];
  /** It looks at other processes (their locations or locals): then every step is visible. */
  readonly readsProcesses?: boolean;
  readonly id: string;
  readonly statement: string;
  readonly justification?: string;
  readonly holds: (before: SysState<G, L>, after: SysState<G, L>, t: TransitionView<G, L>) => boolean;
  readonly explain?: (before: SysState<G, L>, after: SysState<G, L>, t: TransitionView<G, L>) => string;
}

export type Invariant<G, L> = StateInvariant<G, L> | ActionProperty<G, L>;

/**
 * Liveness: nothing stays pending forever. `pending` names what waits in a state (e.g. the
 * faults not finished); a name pending in every state of a reachable cycle, or in a reachable
 * state with no successor, is a violation, reported as a lasso (a path to the cycle, then the
 * cycle) or a trace to that state. Pending sets may change arbitrarily along a path. Checked
 * when the search is asked to (`liveness: true`), after the safety search (docs/engine.md).
 */
export interface LivenessProperty<G, L> {
  readonly kind: 'liveness';
  /** The global state components it reads: what trace views show under each step. */
  readonly reads?: readonly string[];
  readonly id: string;
  readonly statement: string;
  readonly justification?: string;
  readonly pending: (s: SysState<G, L>) => readonly string[];
}

export interface Model<G, L> {
  readonly name: string;
  readonly locks?: readonly LockDecl[];
  readonly processes: readonly ProcessInstance<G, L>[];
  /** One initial global state, or several (each explored). */
  readonly initial: readonly G[];
  readonly invariants?: readonly Invariant<G, L>[];
  readonly liveness?: readonly LivenessProperty<G, L>[];
  /**
   * Canonical key of a state: equal states must give equal keys. Defaults to a generic
   * encoding of the plain data (objects by sorted keys). A model may give a faster one.
   */
  readonly key?: (s: SysState<G, L>) => ArrayLike<number>;
  /**
   * The shape of the globals and locals (codec/schema.ts). With it every mode encodes states
   * untagged and several times faster; without it the generic self-describing encoding is used.
   */
  readonly schema?: StateSchema<G, L>;
  /**
   * Lock-order edges the model declares (lockdep priming), e.g. fs_reclaim -> notifier_lock:
   * reclaim can run the MMU notifier. `fs_reclaim` is the pseudo-lock a may-allocate step takes.
   */
  readonly lockPriming?: readonly { readonly from: string; readonly to: string; readonly why: string }[];
  /**
   * Groups of interchangeable processes (by name), for symmetry reduction (symmetry.ts): each
   * group runs one program from equal locals, and nothing in the globals or the properties
   * tells its members apart (no pid is stored in a global component).
   */
  readonly symmetric?: readonly (readonly string[])[];
  /** Report states where nothing can move but some process has not finished. Default true. */
  readonly checkDeadlock?: boolean;
}
