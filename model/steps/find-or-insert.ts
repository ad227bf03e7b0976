// drm_gpusvm_range_find_or_insert (DOMAIN.md §1.2), under the driver lock held for write. Two
// steps at one location, one per outcome, so that the notifier lock is taken only when a range
// is inserted: an existing range containing the page wins whatever its bounds; otherwise a new
// range of the largest chunk inside VMA, notifier and the caller's bounds [l.lo, l.hi) is
// inserted under notifier_lock(R), mmap_lock(R) held around both.

import { devices, type SvmConfig } from '../config.ts';
import { devicesOf, GPU0, type Gpu } from '../gpu.ts';
import { MMAP, acquire, notifierLock, release } from '../locks.ts';
import { chunkFor, insertRange, newRange, rangeAt, vmaAt } from '../queries.ts';
import { EINVAL, ENOENT, OK, type SvmGlobals, type SvmLocals } from '../state.ts';
import { cite, GPUSVM_C } from '../sources.ts';
import { joined, type Exit, type SvmStep } from './types.ts';

export interface FindOrInsertExits {
  /** l.range is the range containing l.page. */
  readonly found: Exit;
  /** -ENOENT (no VMA) or -EINVAL (no chunk fits). */
  readonly none: Exit;
}

/** find_or_insert on `gpu`'s instance: its tree, its notifier lock; a new range has a pages set per device. */
export function findOrInsertSteps(cfg: SvmConfig, x: FindOrInsertExits, gpu: Gpu = GPU0, devmemPossible = devices(cfg) > 0): SvmStep[] {
  const NOTIFIER = notifierLock(gpu.inst);
  const creates = (g: SvmGlobals, l: SvmLocals): boolean => vmaAt(g, l.page) !== undefined && rangeAt(g, l.page, gpu.inst) === undefined;
  const slots = devicesOf(cfg, gpu.inst).length;
  return [
    {
      label: 'find_or_insert',
      kernelFn: 'drm_gpusvm_range_find_or_insert (vma_lookup, range_find)',
      note: 'no VMA: -ENOENT; an existing range containing the page is returned as it is',
      cite: [
        cite(GPUSVM_C, 'drm_gpusvm_range_find_or_insert', '\tvas = vma_lookup(mm, fault_addr);\n\tif (!vas) {\n\t\terr = -ENOENT;\n\t\tgoto err_notifier_remove;'),
        cite(GPUSVM_C, 'drm_gpusvm_range_find_or_insert', '\trange = drm_gpusvm_range_find(notifier, fault_addr, fault_addr + 1);\n\tif (range)\n\t\tgoto out_mmunlock;'),
      ],
      locks: [acquire(MMAP, 'read'), release(MMAP, 'read')],
      reads: joined(['pages', 'ranges'], x.found.reads, x.none.reads),
      writes: joined(undefined, x.found.writes, x.none.writes),
      guard: (g, l) => !creates(g, l),
      effect: (g, l) => {
        const r = rangeAt(g, l.page, gpu.inst);
        if (!vmaAt(g, l.page) || !r) {
          l.ret = ENOENT;
          x.none.effect?.(l, g);
          return;
        }
        l.ret = OK;
        l.range = r.start;
        l.rid = r.id;
        x.found.effect?.(l, g);
      },
      next: (_g, l) => (l.ret === OK ? x.found.to(l) : x.none.to(l)),
    },
    {
      label: 'find_or_insert_new',
      at: 'find_or_insert',
      kernelFn: 'drm_gpusvm_range_find_or_insert (chunk_size, range_insert)',
      note: 'largest chunk inside VMA, notifier and [lo, hi) overlapping no range; inserted under notifier_lock(R)',
      cite: [
        cite(
          GPUSVM_C,
          'drm_gpusvm_range_chunk_size',
          '\t\tif (start >= vas->vm_start && end <= vas->vm_end &&\n\t\t    start >= drm_gpusvm_notifier_start(notifier) &&\n\t\t    end <= drm_gpusvm_notifier_end(notifier) &&\n\t\t    start >= gpuva_start && end <= gpuva_end)',
        ),
        cite(GPUSVM_C, 'drm_gpusvm_range_insert', '\tdrm_gpusvm_notifier_lock(notifier->gpusvm);\n\tinterval_tree_insert(&range->itree, &notifier->root);'),
      ],
      locks: [acquire(MMAP, 'read'), acquire(NOTIFIER, 'read'), release(NOTIFIER, 'read'), release(MMAP, 'read')],
      reads: joined(['pages', 'ranges'], x.found.reads, x.none.reads),
      writes: joined(['ranges', 'nextRangeId'], x.found.writes, x.none.writes),
      guard: creates,
      effect: (g, l) => {
        const chunk = chunkFor(g, cfg, l.page, l.lo, l.hi, gpu.inst);
        if (!chunk) {
          l.ret = EINVAL;
          x.none.effect?.(l, g);
          return;
        }
        // migrate_devmem = devmem_possible && vma_is_anonymous (every modeled VMA is anonymous).
        insertRange(g, newRange(chunk[0], chunk[1], g.nextRangeId, devmemPossible, gpu.inst, slots));
        l.rid = g.nextRangeId++;
        l.ret = OK;
        l.range = chunk[0];
        x.found.effect?.(l, g);
      },
      next: (_g, l) => (l.ret === OK ? x.found.to(l) : x.none.to(l)),
    },
  ];
}
