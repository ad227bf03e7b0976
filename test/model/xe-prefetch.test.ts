// xe's VM_BIND prefetch (model/drivers/xe/vm-bind-prefetch.ts): a second ioctl after madvise that
// collects the ranges xe_svm_range_validate does not find valid, gets their pages, and binds them
// all in one page-table update, or none if any range's pages were invalidated meanwhile.

import { describe, expect, it } from 'vitest';
import { svmModel } from '../../model/build.ts';
import { pagesOf, rangeStarting } from '../../model/queries.ts';
import { SVM_SCENARIOS } from '../../model/scenarios/configs.ts';
import { NONE, type SvmGlobals } from '../../model/state.ts';
import { terminalStates } from './reachable.ts';
import { schedule } from './schedule.ts';

const scenario = (name: string) => SVM_SCENARIOS.find((s) => s.name === name)!.config;
/** The range starting at `start` is bound on GPU 0 and not invalidated (tile_present & ~tile_invalidated). */
const bound = (g: SvmGlobals, start: number): boolean => {
  const r = rangeStarting(g, start);
  return r !== undefined && pagesOf(r, 0).mapped && !pagesOf(r, 0).invalidated;
};

describe('xe VM_BIND prefetch', () => {
  it('binds the collected ranges all or none: an invalidation of one before the bind leaves the other unbound too', () => {
    // madvise [0, 2) removes [1, 3) (it crosses 2) and zaps [0, 1); the prefetch collects [0, 1)
    // and a new [1, 2) while reclaim invalidates page 1.
    const ends = terminalStates(svmModel('t', scenario('prefetch-vs-invalidate'), 'xe')).map((s) => `${bound(s.g, 0)},${bound(s.g, 1)}`);
    const outcomes = [...new Set(ends)].sort();
    // Both bound; [1, 2) invalidated after the bind; neither (the pre-commit's -ENODATA). Never
    // [1, 2) bound without [0, 1), and never [0, 1) alone from a bind that skipped [1, 2).
    expect(outcomes).toEqual(['false,false', 'true,false', 'true,true']);
  });

  it('a prefetch to system memory of a range in VRAM evicts it first (xe_svm_range_migrate_to_smem), then binds it again', () => {
    // The fault migrates [0, 2) to VRAM and binds it (its attributes prefer VRAM); madvise sets
    // system memory (9) and zaps it; the VM_BIND prefetch collects it and, with no tile, evicts it.
    const m = svmModel('t', scenario('prefetch-vram-range-to-ram'), 'xe');
    const ends = terminalStates(m);
    expect(ends.length).toBeGreaterThan(0);
    for (const s of ends) {
      expect(s.g.pages.map((p) => p.dev)).toEqual([NONE, NONE]);
      expect(bound(s.g, 0)).toBe(true);
    }
  });

  it('skips a range a GPU fault bound between madvise and the prefetch ioctl: no get_pages, nothing to bind', () => {
    const cfg = {
      pages: 2,
      chunkSizes: [2, 1],
      mapRetries: 3,
      granularity: 2,
      vmas: [[0, 2]],
      attrs: [{ start: 0, end: 2, value: 0 }],
      premapped: [],
      processes: [
        { kind: 'set-attr', start: 0, end: 2, value: 1, prefetch: true },
        { kind: 'fault', page: 0 },
      ],
    } as const;
    const madvise = Array<string>(5).fill('set_attr0');
    const run = schedule(svmModel('t', cfg, 'xe'), [...madvise, 'fault0*', 'set_attr0*']);
    const prefetch = run.steps.filter((s) => s.process === 'set_attr0').map((s) => s.label);
    expect(prefetch.slice(0, 5)).toEqual(['madvise_flush', 'lock_vm', 'madvise_next', 'madvise_set', 'unlock_vm']);
    expect(prefetch.slice(5)).toEqual(['vb_flush', 'vb_lock_vm', 'vb_bounds', 'find_or_insert', 'vb_validate', 'vb_prefetch_ranges', 'vb_unlock_vm']);
    expect(run.last.procs[0]!.pc).toBe('done');
    expect(bound(run.last.g, 0)).toBe(true);
  });
});
