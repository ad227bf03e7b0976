// The amdgpu V3 SET_ATTR ioctl (DOMAIN.md §3.4, §3.5; V3 09/12, 11/12): gc_flush; validate the
// VMAs (mmap_lock(R)); head/tail split under attr_tree->lock, which is dropped; then under
// svm_lock(W) the change is applied: invalidate_interval zaps mapped ranges and removes those
// crossing the new boundary. With the PREFETCH trigger, every page of the interval is then
// mapped (find_or_insert, get_pages, update_mapping). The split and the apply are not atomic (D-3).

import type { Program } from '../../../explorer/index.ts';
import type { SvmConfig } from '../../config.ts';
import { driverLock, type Driver } from '../../driver.ts';
import { devicesOf } from '../../gpu.ts';
import { GC, MMAP, NOTIFIER, RESV, acquire, release, section } from '../../locks.ts';
import { flushTlb, overlapping, pagesOf, rangeById, rangeStarting, removeRange, tree, unmapPages, zapPtes } from '../../queries.ts';
import { EINVAL, NONE, OK, type Range, type SvmGlobals, type SvmLocals } from '../../state.ts';
import { crosses, SET_ATTRIBUTES, setAttributes, snapshotOwed } from '../../steps/set-attributes.ts';
import { prefetchSteps } from './prefetch-loop.ts';
import type { SvmStep } from '../../steps/types.ts';
import { cite } from '../../sources.ts';
import { ATTR } from './locks.ts';
import { V3_05, V3_07, V3_08, V3_09, V3_10, V3_11, V8_08 } from './sources.ts';
import { amdgpuUpdateMappingSteps } from './update-mapping.ts';
import { IS_VALID_CITES, rangeIsValid } from './is-valid.ts';

type P = Program<SvmGlobals, SvmLocals>;

/** The start of the first range of instance 0 overlapping [l.page, l.end) after `after`, or NONE. */
function nextRange(g: SvmGlobals, l: SvmLocals, after: number): number {
  const starts = overlapping(tree(g, 0), l.page, l.end)
    .map((r) => r.start)
    .filter((s) => s > after);
  return starts.length ? Math.min(...starts) : NONE;
}

/** amdgpu_svm_range_remove unmaps the DMA pages of a crossing range not (partially) unmapped already. */
const needsUnmap = (r: Range, l: SvmLocals): boolean => crosses(r, l) && !r.unmapped && !r.partialUnmap;

/** amdgpu_svm_range_map_attr_range reads the attribute range's bounds once, at its start. */
const PF_BOUNDS_CITE = cite(
  V3_07,
  'amdgpu_svm_range_map_attr_range',
  '\tunsigned long start = amdgpu_svm_attr_start_page(attr_range) << PAGE_SHIFT;\n\tunsigned long end = (amdgpu_svm_attr_last_page(attr_range) + 1) << PAGE_SHIFT;',
);

/**
 * The SET_ATTR ioctl of GPU 0's VM (instance 0: with one instance, every device's pages).
 * `decide`: the migration decision before each range is mapped (the VRAM migration series).
 */
export function amdgpuSetAttr(d: Driver, cfg: SvmConfig, prefetch: boolean, decide?: readonly SvmStep[]): P {
  const svm = driverLock(d);
  const devs = devicesOf(cfg, 0);
  const slots = devs.map((_d, slot) => slot);
  const afterApply = prefetch ? 'pf_bounds' : 'unlock_svm';
  const unqueues = cfg.attrSplitUnqueues === true;
  return {
    name: prefetch ? 'set_attr_prefetch' : 'set_attr',
    start: 'gc_flush',
    steps: [
      {
        label: 'gc_flush',
        kernelFn: 'amdgpu_svm_gc_flush (flush_work)',
        cite: [
          cite(V3_10, 'amdgpu_svm_set_attr', '\tamdgpu_svm_gc_flush(svm);\n\n\treturn amdgpu_svm_attr_set(svm->attr_tree, start, size, nattr,\n\t\t\t\t   attrs);'),
          cite(V3_11, 'amdgpu_svm_gc_flush', '\tflush_work(&svm->gc.work);'),
        ],
        note: 'waits until the GC work is neither queued nor running',
        reads: ['gcPending', 'gcRunning', 'attrOwed'],
        guard: (g) => !g.gcPending[0] && !g.gcRunning[0],
        // The ioctl starts here (ghost: what the attribute invariants compare it with).
        effect: snapshotOwed,
        next: 'attr_validate',
      },
      {
        label: 'attr_validate',
        kernelFn: 'amdgpu_svm_attr_validate_range_vma',
        cite: [cite(V3_05, 'amdgpu_svm_attr_validate_range_vma', '\tmmap_read_lock(mm);\n\twhile (start < end) {\n\t\tvma = amdgpu_svm_check_vma(mm, start);')],
        note: 'every page must be covered by a VMA, else -EINVAL',
        locks: section(MMAP, 'read'),
        reads: ['pages'],
        effect: (g, l) => void (l.ret = g.pages.slice(l.page, l.end).every((p) => p.mapped) ? OK : EINVAL),
        next: (_g, l) => (l.ret === OK ? 'attr_set' : 'done'),
      },
      {
        label: 'attr_set',
        kernelFn: 'amdgpu_svm_attr_set_range (head/tail split)',
        cite: [cite(V3_05, 'amdgpu_svm_attr_set_range', '\t\tmutex_lock(&attr_tree->lock);\n\t\tnode = interval_tree_iter_first(&attr_tree->tree, cursor, cursor);')],
        locks: section(ATTR),
        reads: SET_ATTRIBUTES.reads,
        writes: SET_ATTRIBUTES.writes,
        effect: setAttributes,
        next: 'lock_svm',
      },
      {
        label: 'lock_svm',
        kernelFn: 'amdgpu_svm_attr_apply_change: down_write(svm_lock)',
        cite: [
          cite(V3_05, 'amdgpu_svm_attr_set_range', '\t\tmutex_unlock(&attr_tree->lock);\n\n\t\tif (ret)\n\t\t\treturn ret;\n\n\t\tdown_write(&svm->svm_lock);'),
          cite(V3_09, 'amdgpu_svm_range_apply_attr_change', '\tif (!XNACK_OFF(svm) &&\n\t    (trigger & AMDGPU_SVM_ATTR_TRIGGER_RANGE_SPLIT)) {'),
        ],
        locks: [acquire(svm)],
        next: (_g, l) => (l.split ? 'ii_lock_pd' : afterApply),
      },
      // invalidate_interval (V3 08/12), range by range in address order (for each notifier, for
      // each range of [start, end)): zap if gpu_mapped; a range crossing the interval's bounds is
      // removed (amdgpu_svm_range_remove: DMA unmap, gpu_mapped = false, drm_gpusvm_range_remove),
      // any other only loses gpu_mapped. Then drm_exec_fini, and only then, if something was
      // zapped, the TLB flush. l.range is the range the loop is at (advanced, as by the _safe
      // iterator, before a crossing range is removed: l.rid); l.tries is needs_flush (the ioctl has
      // no map_fault retry count).
      {
        label: 'ii_lock_pd',
        kernelFn: 'amdgpu_svm_range_invalidate_interval: lock VM PD',
        cite: [cite(V3_08, 'amdgpu_svm_range_invalidate_interval', '\tlockdep_assert_held_write(&svm->svm_lock);\n\n\tret = amdgpu_svm_range_lock_vm_pd(svm, &exec, true);')],
        note: 'the loop starts at the first range overlapping the interval',
        locks: [acquire(RESV)],
        reads: ['ranges'],
        effect: (g, l) => {
          l.tries = 0;
          l.range = nextRange(g, l, -1);
        },
        next: (_g, l) => (l.range === NONE ? 'ii_unlock_pd' : 'ii_zap'),
      },
      {
        label: 'ii_zap',
        kernelFn: 'amdgpu_svm_range_invalidate_interval: amdgpu_vm_update_range (clear PTEs)',
        cite: [
          cite(V3_08, 'amdgpu_svm_range_invalidate_interval', '\t\t\tif (svm_range->gpu_mapped) {'),
          cite(V3_08, 'amdgpu_svm_range_invalidate_interval', '\t\t\t\tret = amdgpu_vm_update_range(svm->adev, svm->vm, false, true, true,\n\t\t\t\t\t\t\t\t\tfalse, NULL, rs, rl, 0, 0, 0, NULL, NULL, &fence);'),
          cite(V3_08, 'amdgpu_svm_range_invalidate_interval', '\t\t\t\tneeds_flush = true;'),
        ],
        note: 'if the range is gpu_mapped: its PTEs are cleared (the whole range; no notifier lock; gpu_mapped still true), needs_flush',
        reads: ['ranges', 'pages'],
        writes: ['pte', 'pteDev'],
        effect: (g, l) => {
          const r = rangeStarting(g, l.range, 0)!;
          devs.forEach((d, slot) => {
            if (!pagesOf(r, slot).mapped) return;
            zapPtes(g, r, d);
            l.tries = 1;
          });
        },
        next: 'ii_unmap',
      },
      {
        label: 'ii_unmap',
        kernelFn: 'amdgpu_svm_range_remove: drm_gpusvm_range_unmap_pages',
        cite: [
          cite(V3_08, 'amdgpu_svm_range_invalidate_interval', '\t\t\tif (crosses_boundary) {'),
          cite(V3_08, 'amdgpu_svm_range_remove', '\tif (!base->pages.flags.unmapped && !base->pages.flags.partial_unmap)\n\t\tdrm_gpusvm_range_unmap_pages(&svm->gpusvm, base, ctx);'),
        ],
        note: 'a range crossing the interval, not unmapped or partially unmapped: DMA unmap under notifier_lock(R)',
        locks: section(NOTIFIER, 'read'),
        reads: ['ranges'],
        writes: ['ranges'],
        guard: (g, l) => needsUnmap(rangeStarting(g, l.range, 0)!, l),
        effect: (g, l) => unmapPages(rangeStarting(g, l.range, 0)!),
        next: 'ii_clear_mapped',
      },
      {
        label: 'ii_skip_unmap',
        at: 'ii_unmap',
        kernelFn: 'amdgpu_svm_range_invalidate_interval: crosses_boundary / unmapped test',
        cite: [cite(V3_08, 'amdgpu_svm_range_invalidate_interval', '\t\t\t} else {\n\t\t\t\trange_invalidate_gpu_mapping(svm_range);\n\t\t\t}')],
        note: 'the range does not cross the interval, or is already (partially) unmapped: no DMA unmap',
        reads: ['ranges'],
        guard: (g, l) => !needsUnmap(rangeStarting(g, l.range, 0)!, l),
        next: 'ii_clear_mapped',
      },
      {
        label: 'ii_clear_mapped',
        kernelFn: 'range_invalidate_gpu_mapping (WRITE_ONCE(gpu_mapped, false))',
        cite: [cite(V3_08, 'amdgpu_svm_range_remove', '\trange_invalidate_gpu_mapping(range);\n\tdrm_gpusvm_range_remove(&svm->gpusvm, base);')],
        note: 'gpu_mapped = false with no notifier lock; a range crossing the interval is then removed, the loop goes on with the next range',
        reads: ['ranges'],
        writes: ['ranges'],
        effect: (g, l) => {
          const r = rangeStarting(g, l.range, 0)!;
          devs.forEach((_d, slot) => (pagesOf(r, slot).mapped = false));
          if (crosses(r, l)) l.rid = r.id;
          // drm_gpusvm_for_each_range_safe: the next range was taken before the body ran.
          l.range = nextRange(g, l, l.range);
        },
        next: (_g, l) => (l.rid !== NONE ? 'ii_remove' : l.range === NONE ? 'ii_unlock_pd' : 'ii_zap'),
      },
      {
        label: 'ii_remove',
        kernelFn: unqueues ? 'amdgpu_svm_range_remove: drm_gpusvm_range_remove; amdgpu_svm_range_unqueue' : 'amdgpu_svm_range_remove: drm_gpusvm_range_remove',
        cite: [
          cite(V3_08, 'amdgpu_svm_range_remove', '\tdrm_gpusvm_range_remove(&svm->gpusvm, base);'),
          unqueues
            ? cite(V8_08, 'amdgpu_svm_range_invalidate_interval', '\t\t\t\tamdgpu_svm_range_remove(svm, svm_range, &ctx);\n\n\t\t\t\tamdgpu_svm_range_unqueue(svm, svm_range);')
            : cite(V3_08, 'amdgpu_svm_range_invalidate_interval', '\t\t\tif (crosses_boundary) {\n\t\t\t\t/* remove the ranges crosses boundary to let GPU fault create new ranges\n\t\t\t\t * bounded by the updated attr_range boundaries.\n\t\t\t\t */\n\t\t\t\tamdgpu_svm_range_remove(svm, svm_range, &ctx);'),
        ],
        note: unqueues
          ? 'the crossing range is unmapped and dropped from the tree under notifier_lock(R) (the PD reservation still held), then taken off the GC list under work_lock'
          : 'the crossing range is unmapped and dropped from the tree under notifier_lock(R) (the PD reservation still held); if the notifier queued it, it stays on the GC list',
        locks: unqueues ? [...section(NOTIFIER, 'read'), ...section(GC)] : section(NOTIFIER, 'read'),
        reads: ['ranges'],
        writes: ['ranges', 'gcList', 'orphans'],
        effect: (g, l) => {
          const r = rangeById(g, l.rid)!;
          unmapPages(r);
          removeRange(g, r.id, unqueues);
          l.rid = NONE;
        },
        next: (_g, l) => (l.range === NONE ? 'ii_unlock_pd' : 'ii_zap'),
      },
      {
        label: 'ii_unlock_pd',
        kernelFn: 'amdgpu_svm_range_invalidate_interval: drm_exec_fini',
        cite: [cite(V3_08, 'amdgpu_svm_range_invalidate_interval', '\tdrm_exec_fini(&exec);\n\n\tif (needs_flush)')],
        note: 'the PD reservation is released before the TLB flush',
        locks: [release(RESV)],
        next: 'ii_flush',
      },
      {
        label: 'ii_flush',
        kernelFn: 'amdgpu_svm_range_invalidate_interval: svm->flush_tlb (if needs_flush)',
        cite: [cite(V3_08, 'amdgpu_svm_range_invalidate_interval', '\tif (needs_flush)\n\t\tsvm->flush_tlb(svm);')],
        note: 'only if a range was zapped; svm_lock(W) alone is held',
        reads: ['pages', 'pte', 'pteDev'],
        writes: ['tlb', 'tlbDev'],
        effect: (g, l) => {
          if (l.tries) devs.forEach((d) => flushTlb(g, d));
          l.tries = 0;
        },
        next: afterApply,
      },
      ...(prefetch
        ? prefetchSteps(
            cfg,
            {
              bounds: { kernelFn: 'amdgpu_svm_range_map_attr_range: attribute bounds', locks: section(ATTR) },
              ...(decide ? { decide } : {}),
              commit: (x) => amdgpuUpdateMappingSteps(x),
              commitStart: 'um_lock_pd',
              devmemPossible: d.devmemPossible(cfg),
              isValid: {
                kernelFn: 'amdgpu_svm_range_map_attr_range: amdgpu_svm_range_is_valid',
                cite: [
                  cite(V3_07, 'amdgpu_svm_range_map_attr_range', '\t\tif (amdgpu_svm_range_is_valid(svm, range,\n\t\t\t\t\t\t\tattrs, range_pte_flags)) {\n\t\t\taddr = next_addr;\n\t\t\tcontinue;\n\t\t}'),
                  ...IS_VALID_CITES,
                  // Every failure ends the loop: the rest of the interval is not prefetched.
                  cite(V3_07, 'amdgpu_svm_range_map_attr_range', '\t\tret = amdgpu_svm_range_get_pages(svm, &range->base,\n\t\t\t\t\t\t &map_ctx);\n\t\tif (ret) {'),
                ],
                note: 'a range already mapped with valid pages (read under notifier_lock(R)) is skipped; any later failure returns, abandoning the rest of the interval',
                locks: section(NOTIFIER, 'read'),
                reads: ['ranges'],
                test: (g, l) => {
                  const r = rangeStarting(g, l.range, 0);
                  return r !== undefined && rangeIsValid(r, slots);
                },
              },
            },
            'unlock_svm',
          ).map((st) => (st.label === 'pf_bounds' ? { ...st, cite: [...(st.cite ?? []), PF_BOUNDS_CITE] } : st))
        : []),
      {
        label: 'unlock_svm',
        kernelFn: 'up_write(svm_lock)',
        cite: [cite(V3_05, 'amdgpu_svm_attr_set_range', '\t\tret = amdgpu_svm_attr_apply_change(svm, &change);\n\t\tup_write(&svm->svm_lock);')],
        locks: [release(svm)],
        next: 'done',
      },
    ],
  };
}
