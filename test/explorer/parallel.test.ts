// The parallel search (explorer/parallel): worker threads sharing one visited set find what the
// one-thread search finds. Exhaustive counts are the same exactly, every run; violations come
// with the same shortest traces (the sequential search re-runs to their depth).

import { describe, expect, it } from 'vitest';
import { explore, exploreParallel, InputError, type ExploreResult } from '../../explorer/index.ts';
import { scenarioModel, scenarioSource } from '../../cli/scenario-source.ts';
import { engineModel, engineModelSource } from '../fixtures/engine-models.ts';

const summary = (r: ExploreResult) => ({
  verdict: r.verdict,
  states: r.states,
  transitions: r.transitions,
  depth: r.maxDepth,
  coverage: r.coverage.steps,
  traces: r.violations.map((v) => [v.invariant, v.trace.steps.map((s) => `${s.process}/${s.label}`)]),
});

describe('two workers find what one thread finds', () => {
  for (const [scenario, protocol] of [
    ['two-gpus-faulting', 'xe'],
    ['fault-vs-munmap', 'amdgpu-v3'],
    ['eviction-vs-gpu-fault', 'xe'],
  ] as const) {
    it(`${scenario} / ${protocol}, searching on past violations`, async () => {
      const model = scenarioModel({ scenario, protocol });
      const one = explore(model, { engine: 'fast', stopAtFirstViolation: false });
      const two = await exploreParallel(model, scenarioSource(scenario, protocol), { workers: 2, stopAtFirstViolation: false });
      expect(summary(two)).toEqual(summary(one));
      expect(two.workers).toBe(2);
    });
  }

  it('stopping at the first violation: the same shortest trace, the level finished', async () => {
    const model = scenarioModel({ scenario: 'fault-vs-munmap', protocol: 'amdgpu-v3' });
    const one = explore(model, { engine: 'fast' });
    const two = await exploreParallel(model, scenarioSource('fault-vs-munmap', 'amdgpu-v3'), { workers: 2 });
    expect(summary(two).traces).toEqual(summary(one).traces);
    // The threads finish the level the violation was found in, so they may have seen more.
    expect(two.states).toBeGreaterThanOrEqual(one.states);
    // And that number is the same on every run.
    const again = await exploreParallel(model, scenarioSource('fault-vs-munmap', 'amdgpu-v3'), { workers: 2 });
    expect([again.states, again.transitions]).toEqual([two.states, two.transitions]);
  });
});

describe('what several workers refuse', () => {
  it('a model without a schema, with one line saying why', async () => {
    const model = scenarioModel({ scenario: 'mutex', protocol: 'peterson' });
    await expect(exploreParallel(model, scenarioSource('mutex', 'peterson'), { workers: 2 })).rejects.toThrow(InputError);
  });

  it('a reduction', async () => {
    const model = scenarioModel({ scenario: 'two-faults', protocol: 'xe' });
    await expect(exploreParallel(model, scenarioSource('two-faults', 'xe'), { workers: 2, partialOrder: true })).rejects.toThrow(/partial-order reduction/);
  });
});

describe('a bound never turns the threads into a pass (issue 13, item 1)', () => {
  it('--max-states 1 on a violation one step away: the violation, as the threads saw it', async () => {
    const model = engineModel({ name: 'one-step-violation' });
    const r = await exploreParallel(model, engineModelSource('one-step-violation'), { workers: 2, maxStates: 1 });
    expect(r.verdict).toBe('violation');
    expect(r.violations.map((v) => [v.invariant, v.trace.steps.length])).toEqual([['x-zero', 1]]);
  });

  it('a 1 ms time limit on 3,000 initial states: never a pass', async () => {
    const model = engineModel({ name: 'many-initial', width: 3000 });
    const r = await exploreParallel(model, engineModelSource('many-initial', 3000), { workers: 2, timeLimitMs: 1 });
    expect(r.verdict).not.toBe('pass');
    expect(r.violations.map((v) => v.invariant)).toEqual(['x-zero']);
  });

  it('--max-states equal to the reachable count is a pass, as with one thread; one fewer is not', async () => {
    const model = scenarioModel({ scenario: 'two-faults', protocol: 'xe' });
    const all = explore(model, { engine: 'fast' });
    expect(all.verdict).toBe('pass');
    const source = scenarioSource('two-faults', 'xe');
    const exact = await exploreParallel(model, source, { workers: 2, maxStates: all.states });
    expect([exact.verdict, exact.states]).toEqual(['pass', all.states]);
    const short = await exploreParallel(model, source, { workers: 2, maxStates: all.states - 1 });
    expect([short.verdict, short.incomplete]).toEqual(['incomplete', `state bound ${all.states - 1} reached`]);
  });
});

describe('a level wider than the shared table (issue 13, item 2)', () => {
  it('one state with 1,000 successors into a 256-slot table: grown during the level, counts exact', async () => {
    const model = engineModel({ name: 'wide' });
    const r = await exploreParallel(model, engineModelSource('wide'), { workers: 2, initialTableLog2: 8 });
    expect([r.verdict, r.states, r.transitions]).toEqual(['pass', 1001, 1000]);
  });

  it('a level of a million states, past what the first table holds (2^20 slots)', async () => {
    // (1 + 1000)^2 states: the last level alone is 1,000,000.
    const r = await exploreParallel(engineModel({ name: 'wide-two' }), engineModelSource('wide-two'), { workers: 2 });
    expect([r.verdict, r.states, r.transitions]).toEqual(['pass', 1001 * 1001, 2 * 1000 * 1001]);
  });

  it('levels of 60 and 900 states into a 256-slot table: the counts and coverage of one thread', async () => {
    const model = engineModel({ name: 'wide-two', width: 30 });
    const one = explore(model, { engine: 'fast' });
    expect([one.states, one.transitions]).toEqual([31 * 31, 2 * 30 * 31]);
    const two = await exploreParallel(model, engineModelSource('wide-two', 30), { workers: 2, initialTableLog2: 8 });
    expect(summary(two)).toEqual(summary(one));
  });
});
