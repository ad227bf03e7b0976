// The lock-order graph of the SVM model: the sound protocols have the edges of DOMAIN.md §2.2
// and no cycle or rule break; small patches that break R1, R2 and R3 are reported, with cycles.

import { describe, expect, it } from 'vitest';
import { explore, patchModel, type StepPatch } from '../../explorer/index.ts';
import { SVM_LOCK_RULES } from '../../invariants/lock-rules.ts';
import { svmModel } from '../../model/build.ts';
import type { ProcessSpec } from '../../model/config.ts';
import type { Protocol } from '../../model/drivers/index.ts';
import { acquire, MMAP, NOTIFIER, release } from '../../model/locks.ts';
import type { SvmGlobals, SvmLocals } from '../../model/state.ts';

const base = { pages: 2, chunkSizes: [2, 1], mapRetries: 3, granularity: 2, vmas: [[0, 2]], attrs: [], premapped: [] } as const;
const faultVsInvalidate: ProcessSpec[] = [{ kind: 'fault', page: 0 }, { kind: 'invalidate', start: 0, end: 1 }];

function lockOrder(protocol: Protocol, patches: StepPatch<SvmGlobals, SvmLocals>[] = []) {
  const model = patchModel(svmModel('t', { ...base, processes: faultVsInvalidate }, protocol), patches);
  const r = explore(model, { stopAtFirstViolation: false, lockOrder: true, lockRules: SVM_LOCK_RULES });
  const lo = r.lockOrder!;
  return {
    r,
    edges: lo.edges.map((e) => `${e.from.lock}>${e.to.lock}`),
    cycles: lo.cycles.map((c) => c.edges.map((e) => e.from.lock).join('>')),
    rules: [...new Set(lo.ruleBreaks.map((b) => b.rule))],
    lo,
  };
}

describe('sound protocols', () => {
  it('amdgpu-v3: the A1-A3 edges of DOMAIN.md §2.2, no cycle, no rule broken', () => {
    const { edges, cycles, rules } = lockOrder('amdgpu-v3');
    expect(edges).toEqual(expect.arrayContaining(['svm_lock>attr_lock', 'svm_lock>mmap_lock', 'svm_lock>vm_resv', 'vm_resv>notifier_lock', 'fs_reclaim>notifier_lock']));
    expect(cycles).toEqual([]);
    expect(rules).toEqual([]);
  });

  it('xe: vm_lock outermost, the resv before the notifier lock in the bind (X1, X3)', () => {
    const { edges, cycles, rules } = lockOrder('xe');
    expect(edges).toEqual(expect.arrayContaining(['vm_lock>mmap_lock', 'vm_lock>vm_resv', 'vm_resv>notifier_lock', 'mmap_lock>notifier_lock']));
    expect(cycles).toEqual([]);
    expect(rules).toEqual([]);
  });
});

describe('broken lock contexts', () => {
  it('R1: the notifier takes svm_lock: rule broken and the ABBA cycle, with a witness per edge', () => {
    const { cycles, rules, lo, r } = lockOrder('amdgpu-v3', [
      { program: 'invalidate', label: 'event_begin', replace: { locks: [acquire('svm_lock')] } },
      { program: 'invalidate', label: 'inv_unlock', replace: { locks: [release('svm_lock'), release(NOTIFIER, 'write')] } },
    ]);
    expect(rules).toContain('R1');
    expect(cycles).toContain('notifier_lock>svm_lock');
    const r1 = lo.ruleBreaks.find((b) => b.rule === 'R1')!;
    expect(r1.edge.witness.steps.at(-1)).toMatchObject({ process: 'clear0', label: 'event_begin' });
    // Here the ABBA is also reachable: the explorer reports the deadlocked state beside it.
    expect(r.violations.map((v) => v.invariant)).toContain('deadlock');
  });

  it('R2: allocating inside the notifier-locked map phase closes a cycle through fs_reclaim', () => {
    const { cycles, rules, lo } = lockOrder('xe', [{ program: 'gpu_fault', label: 'gp_map', replace: { mayAlloc: true } }]);
    expect(rules).toEqual(['R2']);
    expect(cycles).toEqual(['fs_reclaim>notifier_lock']);
    const [first, second] = lo.cycles[0]!.edges;
    expect(first!.primed).toMatch(/might_lock\(&notifier_lock\)/);
    expect(second!.witness.steps.at(-1)).toMatchObject({ process: 'fault0', label: 'gp_map' });
  });

  it('R3: svm_lock taken under mmap_lock breaks the outermost rule and makes a cycle with find_or_insert', () => {
    const { cycles, rules } = lockOrder('amdgpu-v3', [
      { program: 'gpu_fault', label: 'lookup', replace: { locks: [acquire(MMAP, 'read')] } },
      { program: 'gpu_fault', label: 'lock_svm', replace: { locks: [acquire('svm_lock'), release(MMAP, 'read')] } },
    ]);
    expect(rules).toContain('R3');
    expect(cycles).toContain('mmap_lock>svm_lock');
  });
});

describe('notifier removal in the lock-order graph', () => {
  // On-demand notifiers: the GC removes a notifier with vm_lock / svm_lock held, and
  // mmu_interval_notifier_remove's lockdep map orders that lock before the invalidation's.
  const cfg = { ...base, notifierPages: 1, attrs: [{ start: 0, end: 2, value: 0 }], premapped: [[0, 1], [1, 2]], processes: [{ kind: 'munmap', start: 0, end: 1 }, { kind: 'gc-worker' }, { kind: 'invalidate', start: 0, end: 2 }] } as const;
  it.each(['amdgpu-v3', 'xe'] as const)('%s: the driver lock is ordered before the invalidation map, by the GC\'s notifier removal; no cycle', (protocol) => {
    const r = explore(svmModel('t', cfg, protocol), { stopAtFirstViolation: false, lockOrder: true, lockRules: SVM_LOCK_RULES });
    const driver = protocol === 'xe' ? 'vm_lock' : 'svm_lock';
    const edge = r.lockOrder!.edges.find((e) => e.from.lock === driver && e.to.lock === 'invalidate_range_start_map');
    expect(edge?.witness.steps.at(-1)?.label).toBe('gc_mn_wait');
    expect(r.lockOrder!.cycles).toEqual([]);
  });

  it('a callback that took the driver lock would close a cycle through the removal\'s wait', () => {
    const patch: StepPatch<SvmGlobals, SvmLocals> = { program: 'invalidate', label: 'event_begin', replace: { locks: [acquire('vm_lock'), release('vm_lock')] } };
    const r = explore(patchModel(svmModel('t', cfg, 'xe'), [patch]), { stopAtFirstViolation: false, lockOrder: true });
    // vm_lock -> map (the GC's wait), map -> notifier_lock (callbacks run under the map),
    // notifier_lock -> vm_lock (the patched callback).
    const cycles = r.lockOrder!.cycles.map((c) => c.edges.map((e) => e.from.lock).sort().join(' '));
    expect(cycles).toContain(['invalidate_range_start_map', 'notifier_lock', 'vm_lock'].join(' '));
  });
});
