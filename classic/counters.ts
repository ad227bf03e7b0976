// Models small enough to count by hand; the engine's tests assert their exact numbers.
//
// counters(n, m): n processes, each takes m private steps and finishes, no shared state.
//   states (m+1)^n, transitions n*m*(m+1)^(n-1), depth n*m.
//
// lostUpdate(protocol): two processes each do `tmp = x; x = tmp + 1`.
//   racy    read and write are separate steps: x can end at 1 (a lost update).
//   locked  a lock is taken at the read and released at the write.
// Counted by hand, a state being (pc0 tmp0, pc1 tmp1, x) with R = before read, W = before write,
// D = done (a finished process keeps its tmp, which is why the end states split):
//   racy:   depth 0: RR0. 1: W0R0 R0W0. 2: W0W0x0 D0R0x1 R0D0x1. 3: D0W0x1 W0D0x1 D0W1x1 W1D0x1.
//           4: D0D0x1 D0D1x2 D1D0x2.  13 states, 2+2+2+2+1+1+4 = 14 transitions, depth 4;
//           D0D0x1 is the lost update, 4 steps deep.
//   locked: RR0; W0R0 R0W0 (lock held); D0R0x1 R0D0x1; D0W1x1 W1D0x1; D0D1x2 D1D0x2.
//           9 states, 8 transitions, depth 4.

import { DONE, type Model, type Program, type StateInvariant, type Step } from '../explorer/index.ts';

export interface CounterLocals {
  readonly done: number;
}

export function countersModel(n: number, m: number): Model<Record<string, never>, CounterLocals> {
  const steps: Step<Record<string, never>, CounterLocals>[] = Array.from({ length: m }, (_, k) => ({
    label: `step${k}`,
    kernelFn: `step${k}`,
    effect: (_g, l) => void l.done++,
    next: k + 1 < m ? `step${k + 1}` : DONE,
  }));
  const program: Program<Record<string, never>, CounterLocals> = { name: 'counter', start: m > 0 ? 'step0' : DONE, steps };
  return {
    name: `counters-${n}x${m}`,
    processes: Array.from({ length: n }, (_, i) => ({ name: `c${i}`, program, locals: { done: 0 } })),
    initial: [{}],
    // Counters start alike and share nothing: any permutation of them is the same state.
    symmetric: [Array.from({ length: n }, (_, i) => `c${i}`)],
  };
}

export interface SharedCounter {
  readonly x: number;
}
export interface IncrementLocals {
  readonly tmp: number;
}

export type LostUpdateProtocol = 'racy' | 'locked';

export const noLostUpdate: StateInvariant<SharedCounter, IncrementLocals> = {
  kind: 'state',
  id: 'no-lost-update',
  reads: ['x'],
  readsProcesses: true,
  statement: 'when every process has finished, x counts every increment',
  holds: (s) => !s.procs.every((p) => p.pc === DONE) || s.g.x === s.procs.length,
  explain: (s) => `all ${s.procs.length} processes finished but x = ${s.g.x}`,
};

export function lostUpdateModel(protocol: LostUpdateProtocol): Model<SharedCounter, IncrementLocals> {
  const locked = protocol === 'locked';
  const program: Program<SharedCounter, IncrementLocals> = {
    name: `increment-${protocol}`,
    start: 'read',
    steps: [
      {
        label: 'read',
        kernelFn: 'tmp = READ_ONCE(x)',
        locks: locked ? [{ op: 'acquire', lock: 'counter_lock', mode: 'write' }] : [],
        reads: ['x'],
        effect: (g, l) => void (l.tmp = g.x),
        next: 'write',
      },
      {
        label: 'write',
        kernelFn: 'WRITE_ONCE(x, tmp + 1)',
        locks: locked ? [{ op: 'release', lock: 'counter_lock', mode: 'write' }] : [],
        writes: ['x'],
        effect: (g, l) => void (g.x = l.tmp + 1),
        next: DONE,
      },
    ],
  };
  return {
    name: `lost-update/${protocol}`,
    locks: [{ name: 'counter_lock', kind: 'mutex' }],
    processes: [
      { name: 'inc0', program, locals: { tmp: 0 } },
      { name: 'inc1', program, locals: { tmp: 0 } },
    ],
    initial: [{ x: 0 }],
    invariants: [noLostUpdate],
    // Both run one program from tmp = 0; the lock table's holders are renamed with them.
    symmetric: [['inc0', 'inc1']],
  };
}
