// A step's choices are packed into the transition id: more than fit must be an input error,
// never an id that names another transition (issue 13, item 7: past 4,096 choices the trace of
// a real violation failed to rebuild).

import { describe, expect, it } from 'vitest';
import { confirmViolation, explore, InputError, type Model } from '../../explorer/index.ts';

function picker(n: number): Model<{ y: number }, Record<string, never>> {
  return {
    name: `pick-of-${n}`,
    processes: [
      {
        name: 'p',
        locals: {},
        program: {
          name: 'p',
          start: 'pick',
          steps: [{ label: 'pick', kernelFn: 'y = c', writes: ['y'], choices: () => Array.from({ length: n }, (_, c) => c), effect: (g, _l, c) => void (g.y = c.choice), next: 'done' }],
        },
      },
    ],
    initial: [{ y: -1 }],
    // Only the last choice breaks it.
    invariants: [{ kind: 'state', id: 'not-last', statement: `y is never ${n - 1}`, reads: ['y'], holds: (s) => s.g.y !== n - 1 }],
  };
}

describe('choices per step', () => {
  it('4,100 choices (past the old limit of 4,096): the violation at the last one comes with a trace that replays', () => {
    for (const engine of ['fast', 'authoring'] as const) {
      const r = explore(picker(4100), { engine });
      expect(r.verdict).toBe('violation');
      expect(r.violations[0]!.trace.steps.map((s) => s.choice)).toEqual([4099]);
      expect(confirmViolation(picker(4100), r.violations[0]!)).toBe(true);
    }
  });

  it('more than 65,536 is an input error naming the step', () => {
    expect(() => explore(picker(70_000), { engine: 'fast' })).toThrow(InputError);
    expect(() => explore(picker(70_000), { engine: 'fast' })).toThrow('program p, step pick offers 70000 choices; a step may offer at most 65536: split it into several steps');
  });
});
