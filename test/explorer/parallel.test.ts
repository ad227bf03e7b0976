// The parallel search (explorer/parallel): worker threads sharing one visited set find what the
// one-thread search finds. Exhaustive counts are the same exactly, every run; violations come
// with the same shortest traces (the sequential search re-runs to their depth).

import { describe, expect, it } from 'vitest';
import { explore, exploreParallel, InputError, type ExploreResult } from '../../explorer/index.ts';
import { scenarioModel, scenarioSource } from '../../cli/scenario-source.ts';

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
