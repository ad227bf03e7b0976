// Two-process mutual exclusion, the classic first test of a model checker.
//   peterson          Peterson's algorithm: flag, then turn, then wait. Correct.
//   peterson-swapped  turn written before flag: both can enter (shortest trace: 6 steps).
//   naive-flags       wait until the other's flag is down, then raise one's own: both can
//                     enter (shortest trace: 4 steps, both check before either sets).
// Each process loops forever: set intent, wait, critical section, leave.

import { type Model, type Program, type StateInvariant } from '../explorer/index.ts';

export interface MutexGlobals {
  readonly flag: readonly [boolean, boolean];
  readonly turn: number;
}
export interface MutexLocals {
  /** 0 or 1: which of the two processes this is. */
  readonly i: number;
}

type P = Program<MutexGlobals, MutexLocals>;

const other = (l: MutexLocals): number => 1 - l.i;

const critical = {
  label: 'critical',
  kernelFn: 'critical_section',
  note: 'inside the critical section; the step leaves it and lowers the flag',
  writes: ['flag'],
  effect: (g: { flag: boolean[] }, l: MutexLocals) => {
    g.flag[l.i] = false;
  },
} as const;

const peterson: P = {
  name: 'peterson',
  start: 'set_flag',
  steps: [
    { label: 'set_flag', kernelFn: 'flag[i] = true', writes: ['flag'], effect: (g, l) => void (g.flag[l.i] = true), next: 'set_turn' },
    { label: 'set_turn', kernelFn: 'turn = j', writes: ['turn'], effect: (g, l) => void (g.turn = other(l)), next: 'wait' },
    {
      label: 'wait',
      kernelFn: 'await !flag[j] || turn == i',
      reads: ['flag', 'turn'],
      guard: (g, l) => !g.flag[other(l)] || g.turn === l.i,
      next: 'critical',
    },
    { ...critical, next: 'set_flag' },
  ],
};

const petersonSwapped: P = {
  name: 'peterson-swapped',
  start: 'set_turn',
  steps: [
    { label: 'set_turn', kernelFn: 'turn = j', writes: ['turn'], effect: (g, l) => void (g.turn = other(l)), next: 'set_flag' },
    { label: 'set_flag', kernelFn: 'flag[i] = true', writes: ['flag'], effect: (g, l) => void (g.flag[l.i] = true), next: 'wait' },
    {
      label: 'wait',
      kernelFn: 'await !flag[j] || turn == i',
      reads: ['flag', 'turn'],
      guard: (g, l) => !g.flag[other(l)] || g.turn === l.i,
      next: 'critical',
    },
    { ...critical, next: 'set_turn' },
  ],
};

const naiveFlags: P = {
  name: 'naive-flags',
  start: 'check',
  steps: [
    { label: 'check', kernelFn: 'await !flag[j]', reads: ['flag'], guard: (g, l) => !g.flag[other(l)], next: 'set_flag' },
    { label: 'set_flag', kernelFn: 'flag[i] = true', writes: ['flag'], effect: (g, l) => void (g.flag[l.i] = true), next: 'critical' },
    { ...critical, next: 'check' },
  ],
};

export const MUTEX_PROTOCOLS = {
  peterson: { program: peterson, description: "Peterson's algorithm (correct)" },
  'peterson-swapped': { program: petersonSwapped, description: 'Peterson with turn written before flag (broken)' },
  'naive-flags': { program: naiveFlags, description: 'check the other flag, then raise ours (broken)' },
} as const;

export type MutexProtocol = keyof typeof MUTEX_PROTOCOLS;

export const mutualExclusion: StateInvariant<MutexGlobals, MutexLocals> = {
  kind: 'state',
  id: 'mutual-exclusion',
  readsProcesses: true,
  statement: 'at most one process is in its critical section',
  holds: (s) => s.procs.filter((p) => p.pc === 'critical').length <= 1,
};

export function mutexModel(protocol: MutexProtocol): Model<MutexGlobals, MutexLocals> {
  const program = MUTEX_PROTOCOLS[protocol].program;
  return {
    name: `mutex/${protocol}`,
    processes: [
      { name: 'p0', program, locals: { i: 0 } },
      { name: 'p1', program, locals: { i: 1 } },
    ],
    initial: [{ flag: [false, false], turn: 0 }],
    invariants: [mutualExclusion],
  };
}
