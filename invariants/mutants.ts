// Broken variants: for each invariant, a small patch on a protocol that follows the sources,
// which the checker must catch. An invariant no broken design can violate checks nothing.

import { patchModel, type Model, type StepPatch } from '../explorer/index.ts';
import { svmModel } from '../model/build.ts';
import type { Protocol, SvmConfig } from '../model/config.ts';
import { chunkFor, insertRange, newRange, overlapping, vmaAt } from '../model/queries.ts';
import { OK, type SvmGlobals, type SvmLocals } from '../model/state.ts';

export interface Mutant {
  readonly name: string;
  /** The invariant it must violate. */
  readonly invariant: string;
  readonly description: string;
  readonly protocol: Protocol;
  readonly config: SvmConfig;
  readonly patches: readonly StepPatch<SvmGlobals, SvmLocals>[];
}

const base = { pages: 2, chunkSizes: [2, 1], mapRetries: 3, granularity: 2, vmas: [[0, 2]], attrs: [], premapped: [] } as const;

export const MUTANTS: readonly Mutant[] = [
  {
    name: 'xe-no-zap-in-notifier',
    invariant: 'no-stale-pte',
    description: 'xe_svm_invalidate phase 1 forgets to zap the PTEs (only marks tile_invalidated)',
    protocol: 'xe',
    config: { ...base, processes: [{ kind: 'fault', page: 0 }, { kind: 'invalidate', start: 0, end: 1 }] },
    patches: [
      {
        program: 'invalidate',
        label: 'event_begin',
        replace: {
          effect: (g, l) => {
            for (const r of overlapping(g.ranges, l.page, l.end)) if (!r.unmapped && r.mapped) r.invalidated = true;
          },
        },
      },
    ],
  },
  {
    name: 'xe-no-dma-unmap-in-notifier',
    invariant: 'no-dma-of-freed-page',
    description: 'phase 2 skips drm_gpusvm_range_unmap_pages (bug 7: DMA unmap must happen in the notifier)',
    protocol: 'xe',
    config: { ...base, premapped: [[0, 2]], processes: [{ kind: 'invalidate', start: 0, end: 1 }] },
    patches: [{ program: 'invalidate', label: 'event_end', replace: { effect: () => {} } }],
  },
  {
    name: 'xe-chunk-ignores-ranges',
    invariant: 'ranges-disjoint',
    description: 'drm_gpusvm_range_chunk_size without the overlap check: the 2-page chunk lands on an existing range',
    protocol: 'xe',
    config: { ...base, premapped: [[1, 2]], processes: [{ kind: 'fault', page: 0 }] },
    patches: [
      {
        program: 'gpu_fault',
        label: 'find_or_insert_new',
        replace: {
          effect: (g, l) => {
            const vma = vmaAt(g, l.page)!;
            const chunk = chunkFor({ ...g, ranges: [] }, { ...base, processes: [] }, l.page, Math.max(l.lo, vma[0]), Math.min(l.hi, vma[1]))!;
            insertRange(g, newRange(chunk[0], chunk[1]));
            l.ret = OK;
            l.range = chunk[0];
          },
        },
      },
    ],
  },
];

export function mutantModel(m: Mutant): Model<SvmGlobals, SvmLocals> {
  return patchModel(svmModel(m.name, m.config, m.protocol), m.patches, `mutant ${m.name}`);
}
