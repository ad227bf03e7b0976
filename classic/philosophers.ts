// Dining philosophers with forks as engine locks, to exercise lock semantics and deadlock
// detection.
//   left-first  every philosopher takes the left fork, then the right: all take their left
//               fork and the table deadlocks (shortest trace: n steps).
//   ordered     every philosopher takes the lower-numbered of its two forks first (resource
//               ordering, as lockdep wants): no deadlock.
// Each philosopher eats `rounds` times and finishes, or loops forever when rounds is 0.

import { DONE, type LockDecl, type Model, type Program, type StateInvariant } from '../explorer/index.ts';

export interface TableGlobals {
  readonly eating: readonly boolean[];
}
export interface PhilosopherLocals {
  readonly meals: number;
}

export type PhilosophersProtocol = 'left-first' | 'ordered';

const fork = (k: number): string => `fork${k}`;

function philosopher(i: number, n: number, rounds: number, protocol: PhilosophersProtocol): Program<TableGlobals, PhilosopherLocals> {
  const left = i;
  const right = (i + 1) % n;
  const [first, second] = protocol === 'ordered' ? [Math.min(left, right), Math.max(left, right)] : [left, right];
  return {
    name: `philosopher${i}`,
    start: 'take_first',
    steps: [
      { label: 'take_first', kernelFn: `lock(${fork(first)})`, locks: [{ op: 'acquire', lock: fork(first), mode: 'write' }], next: 'take_second' },
      {
        label: 'take_second',
        kernelFn: `lock(${fork(second)})`,
        locks: [{ op: 'acquire', lock: fork(second), mode: 'write' }],
        writes: ['eating'],
        effect: (g) => void (g.eating[i] = true),
        next: 'put_second',
      },
      {
        label: 'put_second',
        kernelFn: `unlock(${fork(second)})`,
        locks: [{ op: 'release', lock: fork(second), mode: 'write' }],
        writes: ['eating'],
        effect: (g) => void (g.eating[i] = false),
        next: 'put_first',
      },
      {
        label: 'put_first',
        kernelFn: `unlock(${fork(first)})`,
        locks: [{ op: 'release', lock: fork(first), mode: 'write' }],
        effect: (_g, l) => {
          if (rounds > 0) l.meals++;
        },
        next: (_g, l) => (rounds > 0 && l.meals >= rounds ? DONE : 'take_first'),
      },
    ],
  };
}

export const neighboursNotEating = (n: number): StateInvariant<TableGlobals, PhilosopherLocals> => ({
  kind: 'state',
  id: 'neighbours-not-eating',
  reads: ['eating'],
  statement: 'two neighbours never eat at the same time (they share a fork)',
  holds: (s) => s.g.eating.every((e, i) => !(e && s.g.eating[(i + 1) % n])),
});

export function philosophersModel(n: number, rounds: number, protocol: PhilosophersProtocol): Model<TableGlobals, PhilosopherLocals> {
  const locks: LockDecl[] = Array.from({ length: n }, (_, k) => ({ name: fork(k), kind: 'mutex' }));
  return {
    name: `philosophers-${n}/${protocol}`,
    locks,
    processes: Array.from({ length: n }, (_, i) => ({
      name: `phil${i}`,
      program: philosopher(i, n, rounds, protocol),
      locals: { meals: 0 },
    })),
    initial: [{ eating: Array.from({ length: n }, () => false) }],
    invariants: [neighboursNotEating(n)],
  };
}
