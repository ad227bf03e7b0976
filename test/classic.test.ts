// The engine on classic models with known answers: counts derived by hand (see each model's
// header comment) or by the independent enumerator in test/reference, verdicts, and the lengths
// of shortest counterexamples derived by hand.

import { describe, expect, it } from 'vitest';
import { countersModel, lostUpdateModel } from '../classic/counters.ts';
import { mutexModel } from '../classic/mutex.ts';
import { philosophersModel } from '../classic/philosophers.ts';
import { explore } from '../explorer/index.ts';
import { petersonCounts, philosophersCounts } from './reference/enumerate.ts';

const labels = (r: ReturnType<typeof explore>, k = 0) => r.violations[k]!.trace.steps.map((s) => `${s.process}:${s.label}`);

describe('counters (independent processes, counted by hand)', () => {
  it('3 processes of 2 steps: (2+1)^3 = 27 states, 3*2*3^2 = 54 transitions, depth 6', () => {
    const r = explore(countersModel(3, 2));
    expect(r).toMatchObject({ verdict: 'pass', states: 27, transitions: 54, maxDepth: 6 });
    expect(r.coverage.untaken).toEqual([]);
  });

  it('2 processes of 3 steps: 16 states, 2*3*4 = 24 transitions, depth 6', () => {
    expect(explore(countersModel(2, 3))).toMatchObject({ verdict: 'pass', states: 16, transitions: 24, maxDepth: 6 });
  });
});

describe('lost update (counted by hand in classic/counters.ts)', () => {
  it('racy: 13 states, 14 transitions when the search goes on past the violation', () => {
    const r = explore(lostUpdateModel('racy'), { stopAtFirstViolation: false });
    expect(r).toMatchObject({ verdict: 'violation', states: 13, transitions: 14, maxDepth: 4 });
  });

  it('racy: the shortest lost update is read, read, write, write', () => {
    const r = explore(lostUpdateModel('racy'));
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]!.invariant).toBe('no-lost-update');
    expect(labels(r)).toEqual(['inc0:read', 'inc1:read', 'inc0:write', 'inc1:write']);
    expect(r.violations[0]!.message).toBe('all 2 processes finished but x = 1');
  });

  it('locked: 9 states, 8 transitions, pass', () => {
    expect(explore(lostUpdateModel('locked'))).toMatchObject({ verdict: 'pass', states: 9, transitions: 8, maxDepth: 4 });
  });
});

describe('mutual exclusion', () => {
  it("Peterson's algorithm passes, with the state count of the independent enumerator", () => {
    const ref = petersonCounts();
    const r = explore(mutexModel('peterson'));
    expect(r.verdict).toBe('pass');
    expect({ states: r.states, transitions: r.transitions, maxDepth: r.maxDepth }).toEqual(ref);
    expect(r.violations).toEqual([]);
  });

  it('naive flags: both enter after 4 steps (each needs check + set, both check first)', () => {
    const r = explore(mutexModel('naive-flags'));
    expect(r.verdict).toBe('violation');
    expect(r.violations[0]!.invariant).toBe('mutual-exclusion');
    expect(labels(r)).toEqual(['p0:check', 'p1:check', 'p0:set_flag', 'p1:set_flag']);
  });

  it('Peterson with turn before flag: both enter after 6 steps (3 each, none shorter)', () => {
    const r = explore(mutexModel('peterson-swapped'));
    expect(r.verdict).toBe('violation');
    expect(r.violations[0]!.trace.steps).toHaveLength(6);
    // Both must set turn before the second flag is raised, and the last to set turn waits on it.
    const steps = labels(r);
    expect(steps.filter((s) => s.endsWith(':wait'))).toHaveLength(2);
    expect(r.violations[0]!.trace.steps.map((s) => s.kernelFn)).toContain('await !flag[j] || turn == i');
  });
});

describe('dining philosophers', () => {
  it('left-first deadlocks after 3 steps: every philosopher holds its left fork', () => {
    const r = explore(philosophersModel(3, 1, 'left-first'));
    expect(r.verdict).toBe('violation');
    expect(r.violations[0]!.invariant).toBe('deadlock');
    expect(labels(r).sort()).toEqual(['phil0:take_first', 'phil1:take_first', 'phil2:take_first']);
    expect(r.violations[0]!.message).toContain('phil0 at take_second: take_second waits for fork1 (write), held write by phil1');
  });

  it.each([
    [3, 1],
    [3, 0],
    [4, 2],
  ])('ordered, %i philosophers, %i rounds: no deadlock, counts as the independent enumerator', (n, rounds) => {
    const r = explore(philosophersModel(n, rounds, 'ordered'));
    expect(r.verdict).toBe('pass');
    expect({ states: r.states, transitions: r.transitions, maxDepth: r.maxDepth }).toEqual(philosophersCounts(n, rounds, true));
  });

  it('left-first explored past the deadlock has the independent count too', () => {
    const r = explore(philosophersModel(3, 1, 'left-first'), { stopAtFirstViolation: false });
    expect({ states: r.states, transitions: r.transitions }).toEqual({
      states: philosophersCounts(3, 1, false).states,
      transitions: philosophersCounts(3, 1, false).transitions,
    });
  });
});
