// The lock-order graph: an ABBA between two processes that never overlap is reported as a
// potential deadlock although no deadlocked state is reachable; edges keep their first witness.

import { describe, expect, it } from 'vitest';
import { DONE, explore, type Model, type Program } from '../../explorer/index.ts';

interface G {
  firstDone: boolean;
}
type L = Record<string, never>;

const ab: Program<G, L> = {
  name: 'ab',
  start: 'lock_a',
  steps: [
    { label: 'lock_a', kernelFn: 'mutex_lock(A)', locks: [{ op: 'acquire', lock: 'A', mode: 'write' }], next: 'lock_b' },
    { label: 'lock_b', kernelFn: 'mutex_lock(B)', locks: [{ op: 'acquire', lock: 'B', mode: 'write' }], next: 'unlock' },
    {
      label: 'unlock',
      kernelFn: 'mutex_unlock(B); mutex_unlock(A)',
      locks: [
        { op: 'release', lock: 'B', mode: 'write' },
        { op: 'release', lock: 'A', mode: 'write' },
      ],
      effect: (g) => void (g.firstDone = true),
      next: DONE,
    },
  ],
};

/** Takes B then A, but only once the first process has finished: the two never overlap. */
const ba: Program<G, L> = {
  name: 'ba',
  start: 'lock_b',
  steps: [
    { label: 'lock_b', kernelFn: 'mutex_lock(B)', guard: (g) => g.firstDone, locks: [{ op: 'acquire', lock: 'B', mode: 'write' }], next: 'lock_a' },
    { label: 'lock_a', kernelFn: 'mutex_lock(A)', locks: [{ op: 'acquire', lock: 'A', mode: 'write' }], next: 'unlock' },
    {
      label: 'unlock',
      kernelFn: 'mutex_unlock(A); mutex_unlock(B)',
      locks: [
        { op: 'release', lock: 'A', mode: 'write' },
        { op: 'release', lock: 'B', mode: 'write' },
      ],
      next: DONE,
    },
  ],
};

const model = (second: Program<G, L>): Model<G, L> => ({
  name: 'abba',
  locks: [
    { name: 'A', kind: 'mutex' },
    { name: 'B', kind: 'mutex' },
  ],
  processes: [
    { name: 't1', program: ab, locals: {} },
    { name: 't2', program: second, locals: {} },
  ],
  initial: [{ firstDone: false }],
});

describe('lock-order graph', () => {
  it('reports the ABBA cycle with a witness per edge, while no deadlock is reachable', () => {
    const r = explore(model(ba), { lockOrder: true });
    expect(r.verdict).toBe('pass'); // t2 waits for t1 to finish: no deadlocked state exists
    const lo = r.lockOrder!;
    expect(lo.edges.map((e) => `${e.from.lock}->${e.to.lock}`).sort()).toEqual(['A->B', 'B->A']);
    expect(lo.cycles).toHaveLength(1);
    const [ab1, ba1] = lo.cycles[0]!.edges;
    expect(`${ab1!.from.lock}->${ab1!.to.lock}`).toBe('A->B');
    expect(ab1!.witness.steps.map((s) => `${s.process}:${s.label}`)).toEqual(['t1:lock_a', 't1:lock_b']);
    expect(`${ba1!.from.lock}->${ba1!.to.lock}`).toBe('B->A');
    expect(ba1!.witness.steps.map((s) => `${s.process}:${s.label}`)).toEqual(['t1:lock_a', 't1:lock_b', 't1:unlock', 't2:lock_b', 't2:lock_a']);
  });

  it('a consistent order gives edges and no cycle', () => {
    const sameOrder: Program<G, L> = { ...ab, name: 'ab2' };
    const r = explore(model(sameOrder), { lockOrder: true });
    expect(r.lockOrder!.edges.map((e) => `${e.from.lock}->${e.to.lock}`)).toEqual(['A->B']);
    expect(r.lockOrder!.cycles).toEqual([]);
  });

  it('a lockdep map orders the locks held before the step before it, and nothing after it; with a primed edge back, a cycle', () => {
    // t1 holds A and waits "on the invalidation" (map M) in a step that also takes and drops B:
    // edges A->M and M->B (the map comes first), never B->M.
    const waits: Program<G, L> = {
      name: 'waits',
      start: 'lock_a',
      steps: [
        { label: 'lock_a', kernelFn: 'mutex_lock(A)', locks: [{ op: 'acquire', lock: 'A', mode: 'write' }], next: 'wait' },
        {
          label: 'wait',
          kernelFn: 'lock_map_acquire(M); lock_map_release(M); mutex_lock(B); mutex_unlock(B)',
          lockMaps: ['M'],
          locks: [
            { op: 'acquire', lock: 'B', mode: 'write' },
            { op: 'release', lock: 'B', mode: 'write' },
          ],
          next: 'unlock',
        },
        { label: 'unlock', kernelFn: 'mutex_unlock(A)', locks: [{ op: 'release', lock: 'A', mode: 'write' }], next: DONE },
      ],
    };
    const m: Model<G, L> = { ...model(ab), processes: [{ name: 't1', program: waits, locals: {} }] };
    const r = explore(m, { lockOrder: true });
    expect(r.verdict).toBe('pass');
    expect(r.lockOrder!.edges.map((e) => `${e.from.lock}->${e.to.lock}`).sort()).toEqual(['A->B', 'A->M', 'M->B']);
    expect(r.lockOrder!.cycles).toEqual([]);
    // What the map stands for takes A (a callback taking the lock held around the wait): a cycle.
    const primed = explore({ ...m, lockPriming: [{ from: 'M', to: 'A', why: 'the callbacks take A' }] }, { lockOrder: true });
    expect(primed.lockOrder!.cycles.map((c) => c.edges.map((e) => `${e.from.lock}->${e.to.lock}`).join(' '))).toEqual(['A->M M->A']);
  });

  it('without the guard the same ABBA also deadlocks, and the explorer finds that state', () => {
    const racing: Program<G, L> = { ...ba, name: 'ba_racing', steps: ba.steps.map((s) => (s.label === 'lock_b' ? { ...s, guard: () => true } : s)) };
    const r = explore(model(racing), { lockOrder: true });
    expect(r.violations[0]!.invariant).toBe('deadlock');
    expect(r.lockOrder!.cycles).toHaveLength(1);
  });
});
