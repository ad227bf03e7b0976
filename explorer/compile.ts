// Turns a Model into the indexed form the engine runs: steps numbered, locations resolved, lock
// names resolved to indices, and every static mistake reported as an InputError before the
// search starts (an unknown lock, a `next` or `start` that names no location, duplicate labels).

import { InputError } from './errors.ts';
import { MAX_PROCESSES } from './locks.ts';
import { DONE, type LockMode, type Model, type Program, type Step } from './model.ts';

/**
 * Limits of the packed transition id (see transitionId): a model has at most MAX_PROCESSES (31)
 * processes, so the pid takes 5 bits, leaving 10 for the step and 16 for the choice.
 */
export const MAX_STEPS_PER_PROGRAM = 1 << 10;
export const MAX_CHOICES = 1 << 16;

export interface CompiledLockOp {
  readonly lock: number;
  readonly name: string;
  readonly mode: LockMode;
}

export interface CompiledStep<G, L> {
  readonly step: Step<G, L>;
  /** Index of the step inside its program. */
  readonly index: number;
  /** Index over all steps of all programs (for coverage). */
  readonly global: number;
  readonly program: string;
  readonly at: string;
  readonly acquires: readonly CompiledLockOp[];
  readonly releases: readonly CompiledLockOp[];
  /** Write holds turned into read holds after the releases (LockOp 'downgrade'). */
  readonly downgrades: readonly CompiledLockOp[];
}

export interface CompiledProgram<G, L> {
  readonly program: Program<G, L>;
  readonly steps: readonly CompiledStep<G, L>[];
  /** Steps runnable at each location, in program order. */
  readonly at: ReadonlyMap<string, readonly CompiledStep<G, L>[]>;
  readonly locations: ReadonlySet<string>;
  readonly endLabels: ReadonlySet<string>;
}

export interface CompiledModel<G, L> {
  readonly model: Model<G, L>;
  readonly lockNames: readonly string[];
  /** One per process instance (instances of one program share the compiled program). */
  readonly procs: readonly CompiledProgram<G, L>[];
  readonly programs: readonly CompiledProgram<G, L>[];
  /** All steps of all programs, by global index. */
  readonly allSteps: readonly CompiledStep<G, L>[];
}

export function compileModel<G, L>(model: Model<G, L>): CompiledModel<G, L> {
  const where = `model ${model.name}`;
  if (model.processes.length === 0) throw new InputError(`${where}: no processes`);
  if (model.processes.length > MAX_PROCESSES)
    throw new InputError(`${where}: ${model.processes.length} processes, at most ${MAX_PROCESSES}`);
  if (model.initial.length === 0) throw new InputError(`${where}: no initial state`);

  const lockNames = (model.locks ?? []).map((l) => l.name);
  const lockIndex = new Map<string, number>();
  lockNames.forEach((n, i) => {
    if (lockIndex.has(n)) throw new InputError(`${where}: lock ${n} declared twice`);
    lockIndex.set(n, i);
  });
  const lockKinds = new Map((model.locks ?? []).map((l) => [l.name, l.kind]));

  const names = new Set<string>();
  for (const p of model.processes) {
    if (names.has(p.name)) throw new InputError(`${where}: two processes named ${p.name}`);
    names.add(p.name);
  }

  const byProgram = new Map<Program<G, L>, CompiledProgram<G, L>>();
  const programs: CompiledProgram<G, L>[] = [];
  const allSteps: CompiledStep<G, L>[] = [];
  const programNames = new Set<string>();

  for (const inst of model.processes) {
    if (byProgram.has(inst.program)) continue;
    const prog = inst.program;
    if (programNames.has(prog.name)) throw new InputError(`${where}: two different programs named ${prog.name}`);
    programNames.add(prog.name);
    if (prog.steps.length > MAX_STEPS_PER_PROGRAM)
      throw new InputError(`${where}: program ${prog.name} has more than ${MAX_STEPS_PER_PROGRAM} steps`);

    const labels = new Set<string>();
    const at = new Map<string, CompiledStep<G, L>[]>();
    const steps: CompiledStep<G, L>[] = [];
    prog.steps.forEach((step, index) => {
      const ctx = `program ${prog.name}, step ${step.label}`;
      if (labels.has(step.label)) throw new InputError(`${where}: ${ctx}: label used twice`);
      if (step.label === DONE) throw new InputError(`${where}: ${ctx}: '${DONE}' is reserved`);
      labels.add(step.label);
      const resolve = (op: { lock: string; mode: LockMode }): CompiledLockOp => {
        const lock = lockIndex.get(op.lock);
        if (lock === undefined) throw new InputError(`${where}: ${ctx}: unknown lock ${op.lock}`);
        const kind = lockKinds.get(op.lock);
        if (op.mode === 'read' && kind !== 'rwsem')
          throw new InputError(`${where}: ${ctx}: lock ${op.lock} is a ${kind}, it has no read mode`);
        return { lock, name: op.lock, mode: op.mode };
      };
      const ops = step.locks ?? [];
      const cs: CompiledStep<G, L> = {
        step,
        index,
        global: allSteps.length,
        program: prog.name,
        at: step.at ?? step.label,
        acquires: ops.filter((o) => o.op === 'acquire').map(resolve),
        releases: ops.filter((o) => o.op === 'release').map(resolve),
        downgrades: ops.filter((o) => o.op === 'downgrade').map((o) => {
          if (o.mode !== 'read' || lockKinds.get(o.lock) !== 'rwsem') throw new InputError(`${where}: ${ctx}: a downgrade turns an rwsem's write hold into mode 'read'`);
          return resolve(o);
        }),
      };
      steps.push(cs);
      allSteps.push(cs);
      const list = at.get(cs.at);
      if (list) list.push(cs);
      else at.set(cs.at, [cs]);
    });

    const endLabels = new Set([DONE, ...(prog.endLabels ?? [])]);
    const locations = new Set([...at.keys(), ...endLabels]);
    if (!locations.has(prog.start)) throw new InputError(`${where}: program ${prog.name}: start ${prog.start} is no location`);
    for (const cs of steps) {
      if (typeof cs.step.next === 'string' && !locations.has(cs.step.next))
        throw new InputError(`${where}: program ${prog.name}, step ${cs.step.label}: next ${cs.step.next} is no location`);
    }
    for (const e of prog.endLabels ?? [])
      if (!at.has(e) && e !== DONE) throw new InputError(`${where}: program ${prog.name}: end label ${e} has no step`);

    const compiled: CompiledProgram<G, L> = { program: prog, steps, at, locations, endLabels };
    byProgram.set(prog, compiled);
    programs.push(compiled);
  }

  const procs = model.processes.map((p) => byProgram.get(p.program)!);
  return { model, lockNames, procs, programs, allSteps };
}

/** `program/label`, the name of a step in coverage reports. */
export function stepKey(cs: { program: string; step: { label: string } }): string {
  return `${cs.program}/${cs.step.label}`;
}

// A transition is (process, step of its program, index among the step's choices), packed into
// a non-negative int32 so parent links can live in an Int32Array: 5 + 10 + 16 bits. A step that
// offers more than MAX_CHOICES choices is an input error (semantics.ts), never a silent wrap.
export function transitionId(pid: number, stepIndex: number, choiceIndex: number): number {
  return ((pid * MAX_STEPS_PER_PROGRAM + stepIndex) * MAX_CHOICES) + choiceIndex;
}

export function decodeTransition(tid: number): { pid: number; stepIndex: number; choiceIndex: number } {
  const choiceIndex = tid % MAX_CHOICES;
  const rest = (tid - choiceIndex) / MAX_CHOICES;
  const stepIndex = rest % MAX_STEPS_PER_PROGRAM;
  return { pid: (rest - stepIndex) / MAX_STEPS_PER_PROGRAM, stepIndex, choiceIndex };
}
