// Every SVM scenario runs exhaustively under both protocols against the whole catalogue. What
// each finds is pinned here; every entry is a finding read step by step and checked against
// the sources (docs/model.md, "Findings"), so a change in either direction is a regression to
// look at, not a number to update.

import { describe, expect, it } from 'vitest';
import { confirmViolation, explore, type ExploreResult } from '../../explorer/index.ts';
import { svmModel } from '../../model/build.ts';
import { PROTOCOLS, type Protocol } from '../../model/drivers/index.ts';
import { SVM_SCENARIOS, type SvmScenario } from '../../model/scenarios/configs.ts';
import { driversFor } from '../../model/scenarios/index.ts';

// F1: gpu_mapped published after the notifier unlock (stale PTE at the callback's return, then
// after the page is freed; the V3 GC, which never zaps, then removes the range with it).
const F1 = ['invalidate-before-return', 'no-stale-pte'];
const F1_GC = [...F1, 'removed-range-was-zapped'];
const F1_VRAM = 'no-mapping-to-freed-vram';
// F3: V3 clears attributes only of queued ranges: unmapped VA without a range keeps them.
const F3 = ['unmapped-attr-policy'];
// F2 (TLB flushed at the end of invalidate_interval) and F4 (a late GC changes the attributes of
// a mapping made after the unmap) both show in munmap-gc-remap.
const EXPECTED: Record<string, Partial<Record<Protocol, string[]>>> = {
  default: { 'amdgpu-v3': [...F1_GC, ...F3], xe: [] },
  'fault-vs-munmap': { 'amdgpu-v3': [...F1_GC, ...F3], xe: [] },
  'fault-vs-partial-munmap': { 'amdgpu-v3': [...F1_GC, ...F3], xe: [] },
  'two-faults': { 'amdgpu-v3': F1, xe: [] },
  'fault-vs-set-attr': { 'amdgpu-v3': [], xe: [] },
  'munmap-gc-remap': { 'amdgpu-v3': [...F1, 'attrs-survive-range-destruction', 'reuse-keeps-new-attrs'], xe: ['attrs-survive-range-destruction'] },
  // F1's consequence: a GPU write through the stale translation lands in the freed page.
  'fault-vs-invalidate': { 'amdgpu-v3': [...F1, 'no-lost-write'], xe: [] },
  'prefetch-vs-invalidate': { 'amdgpu-v3': F1, xe: [] },
  // Device memory. xe keeps every invariant; amdgpu-v3 breaks them only through F1: a migration's
  // or eviction's MMU_NOTIFY_MIGRATE skips a range whose gpu_mapped is not yet published, and
  // once the device pages are freed the PTE points into VRAM given back (F1_VRAM).
  'migration-vs-cpu-fault': { 'amdgpu-v3-vram': [], xe: [] },
  'migration-vs-cpu-fault-coherent': { 'amdgpu-v3-vram': [], xe: [] },
  'migration-vs-munmap': { 'amdgpu-v3-vram': [], xe: [] },
  // F7: amdgpu's migration series v3 keeps device pages in an unpinned BO with no eviction hook,
  // so the memory manager moves it under them (Felix Kuehling's review of MIG v3 2/5). With the
  // eviction support the series announces, F1 reaches VRAM through the eviction's invalidation.
  'eviction-vs-gpu-fault': { 'amdgpu-v3-vram': ['devmem-alive-while-referenced', F1_VRAM], xe: [] },
  'eviction-vs-gpu-fault-evict-to-ram': { 'amdgpu-v3-vram': [...F1, F1_VRAM], xe: [] },
  'two-gpus-migrating': { 'amdgpu-v3-vram': [], xe: [] },
  'two-gpus-migrating-direct': { 'amdgpu-v3-vram': [], xe: [] },
  // F3 for xe as well: madvise attributes of VA unmapped before any GPU range existed are never
  // reset (no range, so no GC; xe_svm_range_set_default_attr runs only from the GC).
  'prefetch-vs-munmap': { 'amdgpu-v3-vram': [...F1_GC, F1_VRAM, ...F3], xe: F3 },
  // Two GPUs faulting: F1 on either GPU's range. With one instance per GPU, GPU 0's migration
  // invalidates GPU 1's instance while GPU 1's gpu_mapped is unpublished; with one shared
  // instance, the shared driver lock serializes the migration with GPU 1's fault and the window
  // never opens.
  'two-gpus-faulting': { 'amdgpu-v3': F1, xe: [] },
  'two-gpus-faulting-shared': { 'amdgpu-v3': F1, xe: [] },
  'gpus-conflicting-preferences': { 'amdgpu-v3-vram': F1, xe: [] },
  'gpus-conflicting-preferences-shared': { 'amdgpu-v3-vram': [], xe: [] },
};

/** The lasso search on default/amdgpu-v3 takes about a minute; it is run by hand (see the issue notes). */
const LIVENESS_SKIPPED = new Set(['default/amdgpu-v3']);

/**
 * Correctness only: default under amdgpu-v3 is over 600,000 states, about a minute on an idle
 * machine and several on a loaded CI runner; the limit is there to stop a hang, far from any
 * run's length.
 */
const EXHAUSTIVE_TIMEOUT = 900_000;

const results = new Map<string, ExploreResult>();
function exhaustive(scenario: SvmScenario, protocol: Protocol): ExploreResult {
  const key = `${scenario.name}/${protocol}`;
  if (!results.has(key)) {
    const opts = {
      stopAtFirstViolation: false,
      liveness: !LIVENESS_SKIPPED.has(key),
      ...(scenario.expectedUntaken ? { expectedUntaken: scenario.expectedUntaken } : {}),
    };
    results.set(key, explore(svmModel(scenario.name, scenario.config, protocol), opts));
  }
  return results.get(key)!;
}

// The benchmark's large scenario is the default plus two processes every step of which other
// scenarios take; it is measured by `npm run bench`, not here.
const TESTED = SVM_SCENARIOS.filter((s) => !s.large);
const runs = TESTED.flatMap((s) => driversFor(s).map((d) => [s.name, d.name as Protocol, s] as const));

describe.each(runs)('%s under %s', (name, protocol, scenario) => {
  it('completes exhaustively and warns only of steps it cannot take for a stated reason', () => {
    const r = exhaustive(scenario, protocol);
    expect(r.incomplete).toBeUndefined();
    expect(r.warnings).toEqual([]);
  }, EXHAUSTIVE_TIMEOUT);

  it('violates exactly the invariants its findings explain, each with a confirmed trace', () => {
    const r = exhaustive(scenario, protocol);
    expect(r.violations.map((v) => v.invariant).sort()).toEqual([...EXPECTED[name]![protocol]!].sort());
    const model = svmModel(scenario.name, scenario.config, protocol);
    for (const v of r.violations) expect(confirmViolation(model, v), v.invariant).toBe(true);
  }, EXHAUSTIVE_TIMEOUT);
});

describe('coverage', () => {
  // A second GPU's programs (gpu_fault1, gc_worker1, ...) are the same step programs built for
  // another GPU: a step counts as taken when any GPU's copy of it was.
  // amdgpu-v3-vram runs RFC V3's own programs (with the migration series' steps added) only in the
  // scenarios that migrate; its V3 steps count as taken where V3 takes them.
  const ALSO: Partial<Record<Protocol, Protocol>> = { 'amdgpu-v3-vram': 'amdgpu-v3' };
  it.each(PROTOCOLS.map((p) => p.name))('%s: the scenarios together take every step of every program', (protocol) => {
    const taken = new Map<string, number>();
    const template = (step: string): string => step.replace(/^([a-z_]+?)\d+\//, '$1/');
    const add = (p: Protocol, only?: ReadonlyMap<string, number>): void => {
      for (const s of TESTED.filter((x) => driversFor(x).some((d) => d.name === p))) {
        for (const [step, n] of Object.entries(exhaustive(s, p).coverage.steps)) {
          if (only && !only.has(template(step))) continue;
          taken.set(template(step), (taken.get(template(step)) ?? 0) + n);
        }
      }
    };
    add(protocol);
    const also = ALSO[protocol];
    if (also) add(also, new Map(taken));
    expect([...taken].filter(([, n]) => n === 0).map(([step]) => step)).toEqual([]);
  }, EXHAUSTIVE_TIMEOUT);
});

describe('the amdgpu-v3 gpu_mapped race (V3 07/12 update_mapping, 08/12 event_begin)', () => {
  it('a reclaim between the PTE write and WRITE_ONCE(gpu_mapped) leaves a live PTE to a freed page', () => {
    const s = SVM_SCENARIOS.find((x) => x.name === 'fault-vs-invalidate')!;
    const r = explore(svmModel(s.name, s.config, 'amdgpu-v3'), { stopAtFirstViolation: false });
    const v = r.violations.find((x) => x.invariant === 'no-stale-pte')!;
    expect(v.message).toBe('the PTE of page 0 points to generation 0, freed (current 1)');
    // The fault commits (PTEs written under notifier_lock(R)) but has not yet published
    // gpu_mapped; the notifier's event_begin skips the range; core mm frees the page.
    expect(v.trace.steps.map((x) => `${x.process}:${x.label}`).slice(-7)).toEqual([
      'fault0:um_commit',
      'clear0:inv_start',
      'clear0:inv_lock',
      'clear0:event_begin',
      'clear0:event_end',
      'clear0:inv_unlock',
      'clear0:mm_change',
    ]);
    expect(v.trace.steps).toHaveLength(21);
  });
});
