// Symmetry reduction checks the premise a model vouches for (Model.symmetric): a model whose
// group members can be told apart is refused with an InputError rather than given a wrong pass.

import { describe, expect, it } from 'vitest';
import { DONE, explore, InputError, type Engine, type Model } from '../../explorer/index.ts';
import { countersModel, lostUpdateModel } from '../../classic/counters.ts';

interface Owner {
  readonly owner: number;
}
interface Won {
  readonly won: boolean;
}

/**
 * Two claimants each do `owner = min(owner, pid)`, then believe they won if `owner === pid`.
 * If c1 claims and checks before c0 claims, both believe they won. The global holds a pid, so
 * the processes are not interchangeable: with the reduction trusted, the state where c0 has
 * won and c1 is about to check (c1 loses) stands for the one where c1 has won and c0 is about to
 * check (c0 wins too), and the double win is never reached.
 */
function ownerModel(): Model<Owner, Won> {
  const program = {
    name: 'claimant',
    start: 'claim',
    steps: [
      { label: 'claim', kernelFn: 'owner = min(owner, pid)', effect: (g: { owner: number }, _l: Won, ctx: { pid: number }) => void (g.owner = Math.min(g.owner, ctx.pid)), next: 'check' },
      { label: 'check', kernelFn: 'won = owner == pid', effect: (g: Owner, l: { won: boolean }, ctx: { pid: number }) => void (l.won = g.owner === ctx.pid), next: DONE },
    ],
  };
  return {
    name: 'owner-min',
    processes: [
      { name: 'c0', program, locals: { won: false } },
      { name: 'c1', program, locals: { won: false } },
    ],
    initial: [{ owner: 2 }],
    invariants: [
      {
        kind: 'state',
        id: 'one-winner',
        readsProcesses: true,
        statement: 'at most one claimant believes it won',
        holds: (s) => s.procs.filter((p) => p.locals.won).length <= 1,
      },
    ],
    symmetric: [['c0', 'c1']],
  };
}

const ENGINES: readonly Engine[] = ['fast', 'authoring', 'exact'];

describe('symmetry checks that the group members are interchangeable', () => {
  it('the plain search finds the double win', () => {
    const r = explore(ownerModel(), { engine: 'fast' });
    expect([r.verdict, r.violations.map((v) => v.invariant)]).toEqual(['violation', ['one-winner']]);
  });

  for (const engine of ENGINES) {
    it(`a global holding a pid is refused, not passed (${engine})`, () => {
      const run = (): unknown => explore(ownerModel(), { engine, symmetry: true });
      expect(run).toThrow(InputError);
      expect(run).toThrow(
        'symmetry refused: model owner-min is not symmetric in {c0, c1}: in the state with c0 at claim, c1 at claim and globals {"owner":2}, ' +
          'swapping c0 and c1: step claim of c1 after the swap does not lead to the swap of where step claim of c0 leads (a global may hold a pid)',
      );
    });
  }

  it('a property that names a process is refused', () => {
    const m = countersModel(2, 1);
    const model: Model<Record<string, never>, { readonly done: number }> = {
      ...m,
      invariants: [{ kind: 'state', id: 'c1-waits', readsProcesses: true, statement: 'c1 never finishes before c0', holds: (s) => !(s.procs[1]!.pc === DONE && s.procs[0]!.pc !== DONE) }],
    };
    expect(() => explore(model, { engine: 'fast', symmetry: true })).toThrow(/not symmetric in \{c0, c1\}.*the state invariants failing change from \[\] to \[c1-waits\]/);
  });

  it('an action property that tells them apart is refused, even on a step of a third process', () => {
    // c2 is outside the group; its step is judged by where c0 is, so swapping c0 and c1 changes
    // its verdict although c2 itself sees nothing of either.
    const m = countersModel(3, 1);
    const model: Model<Record<string, never>, { readonly done: number }> = {
      ...m,
      symmetric: [['c0', 'c1']],
      invariants: [{ kind: 'action', id: 'c2-after-c0', statement: 'c2 steps only once c0 has finished', holds: (before, _after, t) => t.process !== 'c2' || before.procs[0]!.pc === DONE }],
    };
    expect(explore(model, { engine: 'fast' }).violations.map((v) => v.invariant)).toEqual(['c2-after-c0']);
    // The violation is met in the initial state, where the swap changes nothing: search on.
    expect(() => explore(model, { engine: 'fast', symmetry: true, stopAtFirstViolation: false })).toThrow(
      /not symmetric in \{c0, c1\}: in the state with c0 at done, c1 at step0.*step step0 of c2 breaks \[\] but step step0 of c2 after the swap breaks \[c2-after-c0\]/,
    );
  });

  it('symmetric models keep their counts and verdicts', () => {
    const counters = explore(countersModel(3, 2), { engine: 'fast', symmetry: true });
    expect([counters.states, counters.verdict]).toEqual([10, 'pass']);
    for (const protocol of ['racy', 'locked'] as const) {
      for (const engine of ENGINES) {
        const r = explore(lostUpdateModel(protocol), { engine, symmetry: true, stopAtFirstViolation: false });
        expect([r.states, r.verdict], `${protocol} ${engine}`).toEqual(protocol === 'racy' ? [8, 'violation'] : [5, 'pass']);
      }
    }
  });
});
