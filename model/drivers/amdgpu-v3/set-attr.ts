// The amdgpu V3 SET_ATTR ioctl (DOMAIN.md §3.4, §3.5; V3 09/12, 11/12): gc_flush; validate the
// VMAs (mmap_lock(R)); head/tail split under attr_tree->lock, which is dropped; then under
// svm_lock(W) the change is applied: invalidate_interval zaps mapped ranges and removes those
// crossing the new boundary. With the PREFETCH trigger, every page of the interval is then
// mapped (find_or_insert, get_pages, update_mapping). The split and the apply are not atomic (D-3).

import type { Program } from '../../../explorer/index.ts';
import type { SvmConfig } from '../../config.ts';
import { driverLock, type Driver } from '../../driver.ts';
import { devicesOf } from '../../gpu.ts';
import { MMAP, NOTIFIER, RESV, acquire, release, section } from '../../locks.ts';
import { flushTlb, overlapping, pagesOf, removeRange, tree, unmapPages, zapPtes } from '../../queries.ts';
import { EINVAL, OK, type SvmGlobals, type SvmLocals } from '../../state.ts';
import { crosses, prefetchSteps, SET_ATTRIBUTES, setAttributes } from '../../steps/prefetch.ts';
import type { SvmStep } from '../../steps/types.ts';
import { cite } from '../../sources.ts';
import { ATTR } from './locks.ts';
import { V3_05, V3_07, V3_08, V3_09, V3_10, V3_11 } from './sources.ts';
import { amdgpuUpdateMappingSteps } from './update-mapping.ts';

type P = Program<SvmGlobals, SvmLocals>;

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
  const afterApply = prefetch ? 'pf_bounds' : 'unlock_svm';
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
        reads: ['gcPending', 'gcRunning'],
        guard: (g) => !g.gcPending[0] && !g.gcRunning[0],
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
      {
        label: 'ii_lock_pd',
        kernelFn: 'amdgpu_svm_range_invalidate_interval: lock VM PD',
        cite: [cite(V3_08, 'amdgpu_svm_range_invalidate_interval', '\tlockdep_assert_held_write(&svm->svm_lock);\n\n\tret = amdgpu_svm_range_lock_vm_pd(svm, &exec, true);')],
        locks: [acquire(RESV)],
        next: 'ii_zap',
      },
      {
        label: 'ii_zap',
        kernelFn: 'amdgpu_svm_range_invalidate_interval: amdgpu_vm_update_range (clear PTEs)',
        cite: [
          cite(V3_08, 'amdgpu_svm_range_invalidate_interval', '\t\t\tif (svm_range->gpu_mapped) {'),
          cite(V3_08, 'amdgpu_svm_range_invalidate_interval', '\t\t\t\tret = amdgpu_vm_update_range(svm->adev, svm->vm, false, true, true,\n\t\t\t\t\t\t\t\t\tfalse, NULL, rs, rl, 0, 0, 0, NULL, NULL, &fence);'),
        ],
        note: 'the PTEs of every gpu_mapped range overlapping the interval are cleared (no notifier lock)',
        reads: ['ranges', 'pages'],
        writes: ['pte', 'pteDev'],
        effect: (g, l) => {
          for (const r of overlapping(tree(g, 0), l.page, l.end)) devs.forEach((d, slot) => pagesOf(r, slot).mapped && zapPtes(g, r, d));
        },
        next: 'ii_remove',
      },
      {
        label: 'ii_remove',
        kernelFn: 'amdgpu_svm_range_remove (boundary-crossing ranges) / gpu_mapped = false',
        cite: [
          cite(V3_08, 'amdgpu_svm_range_invalidate_interval', '\t\t\tif (crosses_boundary) {'),
          cite(V3_08, 'amdgpu_svm_range_invalidate_interval', '\t\t\t\tamdgpu_svm_range_remove(svm, svm_range, &ctx);\n\t\t\t} else {\n\t\t\t\trange_invalidate_gpu_mapping(svm_range);\n\t\t\t}'),
          cite(V3_08, 'amdgpu_svm_range_remove', '\tif (!base->pages.flags.unmapped && !base->pages.flags.partial_unmap)\n\t\tdrm_gpusvm_range_unmap_pages(&svm->gpusvm, base, ctx);\n\n\trange_invalidate_gpu_mapping(range);\n\tdrm_gpusvm_range_remove(&svm->gpusvm, base);'),
        ],
        note: 'ranges crossing the interval bounds are unmapped and removed; the others only lose gpu_mapped',
        locks: section(NOTIFIER, 'read'),
        writes: ['ranges', 'gcList'],
        effect: (g, l) => {
          for (const r of overlapping(tree(g, 0), l.page, l.end)) {
            devs.forEach((_d, slot) => (pagesOf(r, slot).mapped = false));
            if (!crosses(r, l)) continue;
            unmapPages(r);
            removeRange(g, r.id);
          }
        },
        next: 'ii_unlock_pd',
      },
      {
        label: 'ii_unlock_pd',
        kernelFn: 'flush_tlb + drm_exec_fini',
        cite: [cite(V3_08, 'amdgpu_svm_range_invalidate_interval', '\tdrm_exec_fini(&exec);\n\n\tif (needs_flush)\n\t\tsvm->flush_tlb(svm);')],
        locks: [release(RESV)],
        reads: ['pages', 'pte', 'pteDev'],
        writes: ['tlb', 'tlbDev'],
        effect: (g) => devs.forEach((d) => flushTlb(g, d)),
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
