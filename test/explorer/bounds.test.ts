// Bounds cut the search and say so; they never produce a pass. On counters(3, 2) the number of
// states at depth d is the number of (a, b, c) in {0,1,2}^3 with a+b+c = d: 1 3 6 7 6 3 1.

import { describe, expect, it } from 'vitest';
import { countersModel } from '../../classic/counters.ts';
import { philosophersModel } from '../../classic/philosophers.ts';
import { explore } from '../../explorer/index.ts';

describe('depth bound', () => {
  it('at the full depth (6) the search is complete', () => {
    expect(explore(countersModel(3, 2), { maxDepth: 6 })).toMatchObject({ verdict: 'pass', states: 27 });
  });

  it('one short (5) leaves the single depth-6 state unseen: incomplete, 26 states', () => {
    const r = explore(countersModel(3, 2), { maxDepth: 5 });
    expect(r).toMatchObject({ verdict: 'incomplete', incomplete: 'depth bound 5 reached', states: 26, maxDepth: 5 });
  });

  it('depth 0 keeps only the initial state', () => {
    expect(explore(countersModel(3, 2), { maxDepth: 0 })).toMatchObject({ verdict: 'incomplete', states: 1 });
  });

  it('a bound larger than needed on a cyclic model is complete', () => {
    // Peterson-like loops: the last level is expanded and finds nothing new.
    expect(explore(philosophersModel(3, 0, 'ordered'), { maxDepth: 100 }).verdict).toBe('pass');
  });
});

describe('state bound', () => {
  it('exactly the number of states: complete', () => {
    expect(explore(countersModel(3, 2), { maxStates: 27 })).toMatchObject({ verdict: 'pass', states: 27 });
  });

  it('one fewer: incomplete at 26', () => {
    const r = explore(countersModel(3, 2), { maxStates: 26 });
    expect(r).toMatchObject({ verdict: 'incomplete', incomplete: 'state bound 26 reached', states: 26 });
  });
});

describe('time bound', () => {
  it('a search longer than the bound is incomplete and says so', () => {
    const r = explore(philosophersModel(5, 2, 'ordered'), { timeLimitMs: 1 });
    expect(r.verdict).toBe('incomplete');
    expect(r.incomplete).toBe('time bound 0.001s reached');
    expect(r.states).toBeLessThan(21525);
  });
});

describe('a violation within the bound wins over the bound', () => {
  it('lost update found at depth 4 under a depth bound of 4 is a violation', async () => {
    const { lostUpdateModel } = await import('../../classic/counters.ts');
    expect(explore(lostUpdateModel('racy'), { maxDepth: 4 }).verdict).toBe('violation');
    expect(explore(lostUpdateModel('racy'), { maxDepth: 3 }).verdict).toBe('incomplete');
  });
});
