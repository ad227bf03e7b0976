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
import { ATTR } from './locks.ts';
import { amdgpuUpdateMappingSteps } from './update-mapping.ts';

type P = Program<SvmGlobals, SvmLocals>;

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
        note: 'waits until the GC work is neither queued nor running',
        reads: ['gcPending', 'gcRunning'],
        guard: (g) => !g.gcPending[0] && !g.gcRunning[0],
        next: 'attr_validate',
      },
      {
        label: 'attr_validate',
        kernelFn: 'amdgpu_svm_attr_validate_range_vma',
        note: 'every page must be covered by a VMA, else -EINVAL',
        locks: section(MMAP, 'read'),
        reads: ['pages'],
        effect: (g, l) => void (l.ret = g.pages.slice(l.page, l.end).every((p) => p.mapped) ? OK : EINVAL),
        next: (_g, l) => (l.ret === OK ? 'attr_set' : 'done'),
      },
      {
        label: 'attr_set',
        kernelFn: 'amdgpu_svm_attr_set_range (head/tail split)',
        locks: section(ATTR),
        reads: SET_ATTRIBUTES.reads,
        writes: SET_ATTRIBUTES.writes,
        effect: setAttributes,
        next: 'lock_svm',
      },
      {
        label: 'lock_svm',
        kernelFn: 'amdgpu_svm_attr_apply_change: down_write(svm_lock)',
        locks: [acquire(svm)],
        next: (_g, l) => (l.split ? 'ii_lock_pd' : afterApply),
      },
      { label: 'ii_lock_pd', kernelFn: 'amdgpu_svm_range_invalidate_interval: lock VM PD', locks: [acquire(RESV)], next: 'ii_zap' },
      {
        label: 'ii_zap',
        kernelFn: 'amdgpu_svm_range_invalidate_interval: amdgpu_vm_update_range (clear PTEs)',
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
          )
        : []),
      { label: 'unlock_svm', kernelFn: 'up_write(svm_lock)', locks: [release(svm)], next: 'done' },
    ],
  };
}
