// Drives a model along a hand-written schedule: a list of process names, each taking the one
// step it has enabled (the first, if an either/or offers several), or a `process:label` to pick,
// or `process*` to run the process until it finishes or blocks.

import { AuthoringSpace, type Model, type SysState, type TraceStep } from '../../explorer/index.ts';

export interface Run<G, L> {
  readonly space: AuthoringSpace<G, L>;
  readonly states: SysState<G, L>[];
  readonly steps: TraceStep[];
  readonly last: SysState<G, L>;
  /** Labels of the steps a process could take now. */
  enabled(process: string): string[];
}

export function schedule<G, L>(model: Model<G, L>, moves: readonly string[]): Run<G, L> {
  const space = new AuthoringSpace(model);
  const pidOf = (name: string): number => {
    const pid = model.processes.findIndex((p) => p.name === name);
    if (pid < 0) throw new Error(`no process ${name}`);
    return pid;
  };
  const options = (s: SysState<G, L>, pid: number): { tid: number; label: string }[] => {
    const out: { tid: number; label: string }[] = [];
    space.expand(s, {
      onNext: (tid) => {
        const d = space.describe(s, tid);
        if (d.pid === pid) out.push({ tid, label: d.label });
      },
      onViolation: () => {},
    });
    return out;
  };
  let s = space.initialStates()[0]!;
  const states = [s];
  const steps: TraceStep[] = [];
  const take = (tid: number): void => {
    steps.push(space.describe(s, tid));
    s = space.apply(s, tid);
    states.push(s);
  };
  for (const move of moves) {
    if (move.endsWith('*')) {
      const pid = pidOf(move.slice(0, -1));
      for (let opts = options(s, pid); opts.length > 0; opts = options(s, pid)) take(opts[0]!.tid);
      continue;
    }
    const [name, label] = move.split(':') as [string, string | undefined];
    const opts = options(s, pidOf(name));
    const pick = label ? opts.find((o) => o.label === label) : opts[0];
    if (!pick) throw new Error(`${move} is not enabled after ${steps.map((x) => `${x.process}:${x.label}`).join(' ')}; enabled: ${opts.map((o) => o.label).join(', ') || 'nothing'}`);
    take(pick.tid);
  }
  return {
    space,
    states,
    steps,
    last: s,
    enabled: (process) => options(s, pidOf(process)).map((o) => o.label),
  };
}

/** Repeats a process name n times. */
export const times = (process: string, n: number): string[] => new Array<string>(n).fill(process);
