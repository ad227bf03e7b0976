// The random engine and minimisation: a seeded run finds a violation and, shrunk and minimised,
// is as short as the BFS trace with no more context switches; seeds reproduce runs;
// minimisation never changes which invariant is violated; random runs cover a configuration
// too large to exhaust.

import { describe, expect, it } from 'vitest';
import { mutexModel } from '../../classic/mutex.ts';
import { confirmViolation, explore, minimize, simulate, sizeOf } from '../../explorer/index.ts';
import { MUTANTS, mutantModel } from '../../invariants/mutants.ts';
import { svmModel } from '../../model/build.ts';
import type { SvmConfig } from '../../model/config.ts';
import { SVM_SCENARIOS } from '../../model/scenarios/configs.ts';

describe('fast-check engine', () => {
  it('finds the naive mutex violation; minimised, it is as short as BFS with fewer context switches', () => {
    const model = mutexModel('naive-flags');
    const r = simulate(model, { seed: 1 });
    expect(r.violation?.invariant).toBe('mutual-exclusion');
    const min = minimize(model, r.violation!);
    const bfs = explore(model).violations[0]!;
    expect(min.after.steps).toBe(bfs.trace.steps.length); // 4, the shortest (derived in classic/mutex.ts)
    expect(min.after.contextSwitches).toBeLessThanOrEqual(sizeOf(bfs.trace.steps).contextSwitches);
    expect(confirmViolation(model, { invariant: 'mutual-exclusion', trace: { initial: 0, steps: min.steps } })).toBe(true);
  });

  it('finds the amdgpu-v3 gpu_mapped race, shrunk to the BFS length and no more context switches', () => {
    const s = SVM_SCENARIOS.find((x) => x.name === 'fault-vs-invalidate')!;
    const model = svmModel(s.name, s.config, 'amdgpu-v3');
    const r = simulate(model, { seed: 1, runs: 300 });
    expect(r.violation).toBeDefined();
    const min = minimize(model, r.violation!);
    const bfs = explore(model).violations[0]!;
    expect(min.after.steps).toBeLessThanOrEqual(bfs.trace.steps.length);
    expect(min.after.contextSwitches).toBeLessThanOrEqual(sizeOf(bfs.trace.steps).contextSwitches);
  });

  it('the same seed reproduces the same run', () => {
    const model = mutexModel('naive-flags');
    const a = simulate(model, { seed: 7 });
    const b = simulate(model, { seed: 7 });
    expect(a.violation?.trace).toEqual(b.violation?.trace);
    expect(a.steps).toBe(b.steps);
  });
});

describe('minimisation', () => {
  it.each(MUTANTS.filter((m) => !m.liveness).map((m) => [m.name, m] as const))('%s: the minimised trace still violates the same invariant', (_name, m) => {
    const model = mutantModel(m);
    const v = explore(model, { stopAtFirstViolation: false }).violations.find((x) => x.invariant === m.invariant)!;
    const min = minimize(model, v);
    expect(min.after.steps).toBeLessThanOrEqual(min.before.steps);
    expect(confirmViolation(model, { invariant: m.invariant, trace: { initial: v.trace.initial, steps: min.steps } })).toBe(true);
  });
});

describe('random runs beyond the exhaustive bounds (3 pages, 3 faulting threads)', () => {
  const big: SvmConfig = {
    pages: 3,
    chunkSizes: [2, 1],
    mapRetries: 3,
    granularity: 2,
    vmas: [[0, 3]],
    attrs: [],
    premapped: [],
    processes: [
      { kind: 'fault', page: 0 },
      { kind: 'fault', page: 1 },
      { kind: 'fault', page: 2 },
      { kind: 'munmap', start: 1, end: 2 },
      { kind: 'invalidate', start: 0, end: 1 },
      { kind: 'invalidate', start: 2, end: 3 },
      { kind: 'gc-worker' },
    ],
  };

  it('xe: 200 random runs find no violation', () => {
    const r = simulate(svmModel('big', big, 'xe'), { seed: 11, runs: 200 });
    expect(r.violation).toBeUndefined();
    expect(r.steps).toBeGreaterThan(200 * 20);
  });

  it('amdgpu-v3: random runs find the gpu_mapped race there too', () => {
    const r = simulate(svmModel('big', big, 'amdgpu-v3'), { seed: 11, runs: 200 });
    expect(['invalidate-before-return', 'no-stale-pte', 'pte-has-dma-mapping']).toContain(r.violation?.invariant);
  });
});
