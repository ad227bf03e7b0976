// The SVM model's mechanics on short schedules checked by hand against DOMAIN.md §2.3 and §3.

import { describe, expect, it } from 'vitest';
import { explore } from '../../explorer/index.ts';
import { svmModel } from '../../model/build.ts';
import type { ProcessSpec, SvmConfig } from '../../model/config.ts';
import type { Protocol } from '../../model/drivers/index.ts';
import { schedule, times } from './schedule.ts';

const base = { pages: 2, chunkSizes: [2, 1], mapRetries: 3, granularity: 2, vmas: [[0, 2]], attrs: [], premapped: [] } as const;
const model = (protocol: Protocol, processes: ProcessSpec[], over: Partial<SvmConfig> = {}) =>
  svmModel('test', { ...base, ...over, processes }, protocol);
const labelsOf = (run: { steps: { process: string; label: string }[] }, process: string) =>
  run.steps.filter((s) => s.process === process).map((s) => s.label);

describe('get_pages retries when an invalidation lands between read_begin and the commit', () => {
  it.each(['amdgpu-v3', 'xe'] as const)('%s: the seq moved, so gp_map goes back to gp_read_begin, then maps the new page', (protocol) => {
    const m = model(protocol, [{ kind: 'fault', page: 0 }, { kind: 'invalidate', start: 0, end: 1 }], { attrs: [{ start: 0, end: 2, value: 0 }] });
    // Up to hmm_range_fault: amdgpu lookup lock_svm attr_bounds gc_dequeue find_or_insert_new
    // is_valid gp_read_begin gp_hmm_fault (8); xe lock_vm gc_dequeue vma_lookup find_or_insert_new
    // is_valid gp_read_begin gp_hmm_fault (7). Then the whole invalidation (7 steps: inv_start
    // inv_lock event_begin event_end inv_unlock mm_change inv_end), then the fault again.
    const upToHmm = protocol === 'amdgpu-v3' ? 8 : 7;
    const run = schedule(m, [...times('fault0', upToHmm), ...times('clear0', 7), 'fault0', 'fault0']);
    expect(labelsOf(run, 'fault0').slice(-3)).toEqual(['gp_hmm_fault', 'gp_map', 'gp_read_begin']);
    expect(run.last.g.ranges[0]!.hasDma).toBe(false); // nothing mapped from the stale hmm_range_fault
    // Again: hmm_range_fault, gp_map (must allocate the DMA array first), gp_alloc, gp_map.
    const done = schedule(m, [...run.steps.map((s) => s.process), ...times('fault0', 4)]);
    expect(labelsOf(done, 'fault0').slice(-4)).toEqual(['gp_hmm_fault', 'gp_map', 'gp_alloc', 'gp_map']);
    expect(done.last.g.ranges[0]!.dma).toEqual([1, 0]); // page 0 is now generation 1
    expect(done.last.g.ranges[0]!.hasDma).toBe(true);
  });

  it('while the invalidation holds the seq, read_begin is not enabled (it waits)', () => {
    const m = model('xe', [{ kind: 'fault', page: 0 }, { kind: 'invalidate', start: 0, end: 1 }]);
    const run = schedule(m, [...times('fault0', 5), 'clear0', 'clear0']); // ... is_valid; inv_start, inv_lock
    expect(labelsOf(run, 'fault0').at(-1)).toBe('is_valid');
    expect(run.last.procs[0]!.pc).toBe('gp_read_begin');
    expect(run.enabled('fault0')).toEqual([]);
  });
});

describe('a blocked acquire is not enabled', () => {
  it('a fault cannot take notifier_lock(R) for its commit while the notifier holds it for write', () => {
    const m = model('amdgpu-v3', [{ kind: 'fault', page: 0 }, { kind: 'invalidate', start: 1, end: 2 }]);
    // fault0: lookup lock_svm attr_bounds unregistered_vma unregistered_insert gc_dequeue
    // find_or_insert_new is_valid gp_read_begin gp_hmm_fault gp_map gp_alloc gp_map um_lock_pd:
    // 14 steps, next is um_commit.
    const run = schedule(m, [...times('fault0', 14), 'clear0', 'clear0']);
    expect(labelsOf(run, 'fault0').at(-1)).toBe('um_lock_pd');
    expect(run.last.procs[0]!.pc).toBe('um_commit');
    expect(run.enabled('fault0')).toEqual([]);
    const after = schedule(m, [...run.steps.map((s) => s.process), 'clear0', 'clear0', 'clear0']); // event_begin event_end inv_unlock
    expect(after.enabled('fault0')).toEqual(['um_commit']);
  });
});

describe('the GC removes only unmapped ranges', () => {
  it.each(['amdgpu-v3', 'xe'] as const)('%s: on every reachable gc_remove, the range is marked unmapped', (protocol) => {
    const m = model(protocol, [{ kind: 'fault', page: 0 }, { kind: 'munmap', start: 1, end: 2 }, { kind: 'invalidate', start: 0, end: 1 }, { kind: 'gc-worker' }]);
    let removes = 0;
    const r = explore({
      ...m,
      invariants: [
        {
          kind: 'action',
          id: 'gc-removes-unmapped',
          statement: 'gc_remove takes only unmapped ranges',
          holds: (before, _after, t) => {
            if (t.step.label !== 'gc_remove') return true;
            removes++;
            const l = before.procs[t.pid]!.locals;
            return before.g.ranges.some((x) => x.start === l.range && x.unmapped);
          },
        },
      ],
    });
    expect(r.verdict).toBe('pass');
    expect(removes).toBeGreaterThan(0);
  });
});

describe('after a SET_ATTR split, a fault creates ranges inside the new attribute bounds', () => {
  it.each([
    // V3 runs invalidate_interval whenever the split flag is set, ranges or not.
    // No range yet: the loop has nothing to visit, nothing was zapped, so no TLB flush.
    ['amdgpu-v3', ['gc_flush', 'attr_validate', 'attr_set', 'lock_svm', 'ii_lock_pd', 'ii_unlock_pd', 'ii_flush', 'unlock_svm']],
    // No range yet: madvise_next finds none the new bounds cross.
    ['xe', ['madvise_flush', 'lock_vm', 'madvise_next', 'madvise_set', 'unlock_vm']],
  ] as const)('%s: the 2-page chunk no longer fits, the range is [0,1)', (protocol, setAttrLabels) => {
    const m = model(protocol, [{ kind: 'set-attr', start: 1, end: 2, value: 1 }, { kind: 'fault', page: 0 }], { attrs: [{ start: 0, end: 2, value: 0 }] });
    const run = schedule(m, ['set_attr0*', 'fault0*']);
    expect(labelsOf(run, 'set_attr0')).toEqual(setAttrLabels);
    expect(run.last.g.attrs).toEqual([
      { start: 0, end: 1, value: 0 },
      { start: 1, end: 2, value: 1 },
    ]);
    // The two processes of the scenario (xe adds its tlb_inval process, idle).
    expect(run.last.procs.slice(0, 2).map((p) => p.pc)).toEqual(['done', 'done']);
    expect(run.last.g.ranges.map((r) => [r.start, r.end])).toEqual([[0, 1]]);
    expect(run.last.g.pte).toEqual([0, -1]);
  });

  it('amdgpu-v3: a range created before the split and crossing it is removed by invalidate_interval', () => {
    const m = model('amdgpu-v3', [{ kind: 'fault', page: 0 }, { kind: 'set-attr', start: 1, end: 2, value: 1 }], { attrs: [{ start: 0, end: 2, value: 0 }] });
    const run = schedule(m, ['fault0*', 'set_attr0*']);
    expect(labelsOf(run, 'set_attr0')).toEqual([
      'gc_flush',
      'attr_validate',
      'attr_set',
      'lock_svm',
      'ii_lock_pd',
      'ii_zap',
      'ii_unmap',
      'ii_clear_mapped',
      'ii_remove',
      'ii_unlock_pd',
      'ii_flush',
      'unlock_svm',
    ]);
    expect(run.states.at(-13)!.g.ranges.map((r) => [r.start, r.end])).toEqual([[0, 2]]); // the fault made [0,2)
    expect(run.last.g.ranges).toEqual([]);
    expect(run.last.g.pte).toEqual([-1, -1]);
  });
});

describe('a notifier inserted while an invalidation runs (notifierPages: mmu_interval_notifier_insert)', () => {
  // Reclaim of page 0 starts before the notifier exists: no notifier overlaps, so the seq stays
  // even (subSeq 0) and no callback will run. The xe fault then inserts the notifier: an
  // invalidation is active and the seq even, so `invalidate_seq |= 1` (1), the notifier goes
  // into the tree at once with seq 1, and read_begin waits until the reclaim's range_end.
  const m = model('xe', [{ kind: 'fault', page: 0 }, { kind: 'invalidate', start: 0, end: 1 }], { attrs: [{ start: 0, end: 2, value: 0 }], notifierPages: 1 });
  const run = schedule(m, ['clear0', ...times('fault0', 6)]);
  it('gets the running seq and the fault waits at read_begin for the reclaim to end', () => {
    expect(labelsOf(run, 'fault0')).toEqual(['lock_vm', 'gc_dequeue', 'vma_lookup', 'fi_mn_insert', 'find_or_insert_new', 'is_valid']);
    expect(run.last.g.subSeq).toBe(1);
    expect(run.last.g.mnState[0]).toBe(0); // MN_IN_TREE
    expect(run.last.g.mniSeq[0]).toBe(1);
    expect(run.enabled('fault0')).toEqual([]);
    // The reclaim calls no callback (none overlapped at its start): mm_change, then range_end.
    const after = schedule(m, ['clear0', ...times('fault0', 6), 'clear0', 'clear0']);
    expect(labelsOf(after, 'clear0')).toEqual(['inv_start', 'mm_change', 'inv_end']);
    expect(after.last.g.subSeq).toBe(2);
    expect(after.enabled('fault0')).toEqual(['gp_read_begin']);
  });
  it('an insertion needs a notifier size that tiles the pages, and no attribute ioctl', () => {
    expect(() => model('xe', [{ kind: 'fault', page: 0 }], { notifierPages: 3 })).toThrow(/notifierPages 3/);
    expect(() => model('xe', [{ kind: 'set-attr', start: 0, end: 1, value: 1 }], { notifierPages: 1 })).toThrow(/attribute ioctl/);
    expect(() => model('xe', [{ kind: 'fault', page: 0 }], { notifierPages: 1, premapped: [[0, 2]] })).toThrow(/crosses a notifier boundary/);
  });
});
