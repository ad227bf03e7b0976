// Partial-order reduction keeps every verdict, or refuses: the cases where it used to say pass
// wrongly (issue 13, item 3). Each model is small enough to follow by hand.

import { describe, expect, it } from 'vitest';
import { explore, InputError, type Model, type Step } from '../../explorer/index.ts';
import { patchModel } from '../../explorer/patch.ts';

type G = { x: number; y: number };
type L = Record<string, never>;

const proc = (name: string, steps: Step<G, L>[]) => ({ name, program: { name, start: steps[0]!.label, steps }, locals: {} as L });

/** p takes `crit` (touching nothing); q sets x. Either order is possible. */
function critModel(extra: Partial<Model<G, L>>): Model<G, L> {
  return {
    name: 'crit',
    processes: [
      proc('p', [{ label: 'crit', kernelFn: 'crit()', next: 'done' }]),
      proc('q', [{ label: 'set_x', kernelFn: 'x = 1', writes: ['x'], effect: (g) => void (g.x = 1), next: 'done' }]),
    ],
    initial: [{ x: 0, y: 0 }],
    ...extra,
  };
}

const verdict = (m: Model<G, L>, por: boolean) => {
  const r = explore(m, { engine: 'fast', stopAtFirstViolation: false, partialOrder: por });
  return { verdict: r.verdict, violated: r.violations.map((v) => v.invariant).sort() };
};

describe('an action property sees the step it judges', () => {
  // Violated only when crit runs after set_x: the order a reduction that thinks crit is
  // invisible (it writes nothing any property reads) would never try.
  const judgesCrit = {
    kind: 'action' as const,
    id: 'crit-before-x',
    statement: 'crit runs while x is 0',
    reads: ['x'],
    holds: (before: { g: G }, _a: unknown, t: { step: { label: string } }) => t.step.label !== 'crit' || before.g.x === 0,
  };

  it('undeclared, it judges every step: --por finds the violation the full search finds', () => {
    const m = critModel({ invariants: [judgesCrit] });
    expect(verdict(m, false)).toEqual({ verdict: 'violation', violated: ['crit-before-x'] });
    expect(verdict(m, true)).toEqual(verdict(m, false));
  });

  it('declaring the steps it judges keeps those steps visible', () => {
    const m = critModel({ invariants: [{ ...judgesCrit, judgesSteps: ['p/crit'] }] });
    expect(verdict(m, true)).toEqual({ verdict: 'violation', violated: ['crit-before-x'] });
  });

  it('a property reading another process is seen by the footprint check and keeps every step visible', () => {
    const readsQ = {
      kind: 'action' as const,
      id: 'crit-before-q',
      statement: 'crit runs before q finishes',
      holds: (before: { procs: readonly { pc: string }[] }, _a: unknown, t: { step: { label: string } }) => t.step.label !== 'crit' || before.procs[1]!.pc !== 'done',
    };
    expect(verdict(critModel({ invariants: [{ ...readsQ, readsProcesses: true }] }), true)).toEqual({ verdict: 'violation', violated: ['crit-before-q'] });
    // Declared as judging only crit but reading q without saying so: refused, not passed.
    expect(() => verdict(critModel({ invariants: [{ ...readsQ, judgesSteps: ['p/crit'] }] }), true)).toThrow(/refused: property crit-before-q reads procs/);
  });

  it('a property that fails on a step its judgesSteps leaves out is refused', () => {
    const wrong = { ...judgesCrit, id: 'x-never-set', holds: (_b: unknown, _a: unknown, t: { step: { label: string } }) => t.step.label !== 'set_x', judgesSteps: ['p/crit'] };
    expect(() => verdict(critModel({ invariants: [wrong] }), true)).toThrow(/x-never-set fails on step q\/set_x, which its judgesSteps does not list/);
  });
});

describe('an ample set is never made of failing transitions', () => {
  it('a process whose only step breaks a lock rule does not hide what the others reach (--all)', () => {
    // p releases a lock it never took (lock-balance); q sets y, which the invariant forbids.
    const m: Model<G, L> = {
      name: 'error-only',
      locks: [{ name: 'l', kind: 'mutex' }],
      processes: [
        proc('p', [{ label: 'bad_unlock', kernelFn: 'mutex_unlock(l)', locks: [{ op: 'release', lock: 'l', mode: 'write' }], next: 'done' }]),
        proc('q', [{ label: 'set_y', kernelFn: 'y = 1', writes: ['y'], effect: (g) => void (g.y = 1), next: 'done' }]),
      ],
      initial: [{ x: 0, y: 0 }],
      invariants: [{ kind: 'state', id: 'y-zero', statement: 'y stays 0', reads: ['y'], holds: (s) => s.g.y === 0 }],
    };
    expect(verdict(m, false).violated).toEqual(['lock-balance', 'y-zero']);
    expect(verdict(m, true)).toEqual(verdict(m, false));
  });
});

describe('--por checks the footprints it trusts, as it runs', () => {
  it('a step writing a component it does not declare is refused with one line', () => {
    const m = critModel({
      processes: [
        proc('p', [{ label: 'crit', kernelFn: 'crit()', effect: (g) => void (g.y = 1), next: 'done' }]),
        proc('q', [{ label: 'set_x', kernelFn: 'x = 1', writes: ['x'], effect: (g) => void (g.x = 1), next: 'done' }]),
      ],
      invariants: [{ kind: 'state', id: 'y-zero', statement: 'y stays 0', reads: ['y'], holds: (s) => s.g.y === 0 }],
    });
    expect(() => verdict(m, true)).toThrow(InputError);
    expect(() => verdict(m, true)).toThrow(/^partial-order reduction refused: p\/crit reads y without declaring it; declare it, or search without --por$/);
    expect(verdict(m, false).violated).toEqual(['y-zero']);
  });

  it('a patch that changes what a step does without restating its footprint may touch anything', () => {
    // set_x declared writes x; the patch makes it write y too. With the old declaration kept,
    // --por would trust "writes x" (and the check would refuse); the patched step declares '*'.
    const base = critModel({ invariants: [{ kind: 'state', id: 'y-zero', statement: 'y stays 0', reads: ['y'], holds: (s) => s.g.y === 0 }] });
    const patched = patchModel(base, [{ program: 'q', label: 'set_x', replace: { effect: (g) => void ((g.x = 1), (g.y = 1)) } }]);
    const step = patched.processes[1]!.program.steps[0]!;
    expect([step.reads, step.writes]).toEqual([['*'], ['*']]);
    expect(verdict(patched, true)).toEqual({ verdict: 'violation', violated: ['y-zero'] });
  });
});
