// The xe madvise ioctl (DOMAIN.md §3.4): the whole change under vm->lock(W): split the VMAs and
// set the attributes, zap the PTEs of ranges in the interval, remove the ranges the new
// boundaries cross (xe_svm_unmap_address_range). Prefetch is a VM_BIND prefetch op under
// vm->lock, with xe_svm_alloc_vram before each range is mapped when there is device memory.

import type { Program } from '../../../explorer/index.ts';
import type { SvmConfig } from '../../config.ts';
import { wantsVram } from '../../devmem.ts';
import { driverLock, type Driver } from '../../driver.ts';
import { devicesOf } from '../../gpu.ts';
import { NOTIFIER, RESV, acquire, release, section } from '../../locks.ts';
import { attrValue, flushTlb, overlapping, pagesOf, rangeInterval, rangeStarting, removeRange, tree, unmapPages, zapMapped, zapPtes } from '../../queries.ts';
import type { SvmGlobals, SvmLocals } from '../../state.ts';
import { crosses, prefetchSteps, SET_ATTRIBUTES, setAttributes } from '../../steps/prefetch.ts';
import { goto, type SvmStep } from '../../steps/types.ts';
import { cite } from '../../sources.ts';
import { allocVramSteps } from './alloc-vram.ts';
import { xeBindSteps } from './bind.ts';
import { XE_SVM_C, XE_VM_C, XE_VM_MADVISE_C } from './sources.ts';

type P = Program<SvmGlobals, SvmLocals>;

export function xeSetAttr(d: Driver, cfg: SvmConfig, prefetch: boolean): P {
  const vm = driverLock(d);
  const devs = devicesOf(cfg, 0);
  return {
    name: prefetch ? 'madvise_prefetch' : 'madvise',
    start: 'lock_vm',
    steps: [
      {
        label: 'lock_vm',
        kernelFn: 'xe_vm_madvise_ioctl: down_write(vm->lock)',
        cite: [cite(XE_VM_MADVISE_C, 'xe_vm_madvise_ioctl', '\terr = down_write_killable(&vm->lock);\n\tif (err)\n\t\tgoto put_vm;')],
        locks: [acquire(vm)],
        next: 'madvise_set',
      },
      {
        label: 'madvise_set',
        kernelFn: 'xe_vm_madvise (split the VMAs, set the attributes)',
        cite: [cite(XE_VM_MADVISE_C, 'xe_vm_madvise_ioctl', '\tattr_type = array_index_nospec(args->type, ARRAY_SIZE(madvise_funcs));\n\tmadvise_funcs[attr_type](xe, vm, madvise_range.vmas, madvise_range.num_vmas, args);')],
        reads: SET_ATTRIBUTES.reads,
        writes: SET_ATTRIBUTES.writes,
        effect: setAttributes,
        next: 'madvise_zap',
      },
      {
        label: 'madvise_zap',
        kernelFn: 'xe_svm_ranges_zap_ptes_in_range',
        note: 'under notifier_lock(R): zap the PTEs of present ranges in the interval, tile_invalidated = true',
        cite: [cite(XE_VM_MADVISE_C, 'xe_zap_ptes_in_madvise_range', '\t\tif (xe_vma_is_cpu_addr_mirror(vma)) {\n\t\t\ttile_mask |= xe_svm_ranges_zap_ptes_in_range(vm,\n\t\t\t\t\t\t\t\t      xe_vma_start(vma),\n\t\t\t\t\t\t\t\t      xe_vma_end(vma));')],
        locks: section(NOTIFIER, 'read'),
        reads: ['pages'],
        writes: ['pte', 'tlb', 'ranges', 'pteDev', 'tlbDev'],
        effect: (g, l) => {
          zapMapped(g, overlapping(tree(g, 0), l.page, l.end), devs, (pg) => void (pg.invalidated = true));
        },
        next: 'madvise_unbind',
      },
      {
        label: 'madvise_unbind',
        kernelFn: 'xe_svm_unmap_address_range: xe_vm_range_unbind of ranges the new bounds cross',
        cite: [cite(XE_SVM_C, 'xe_svm_unmap_address_range', '\t\t\t\tdrm_gpusvm_range_get(range);\n\t\t\t\t__xe_svm_garbage_collector(vm, to_xe_range(range));')],
        locks: section(RESV),
        reads: ['pages'],
        writes: ['pte', 'tlb', 'ranges', 'pteDev', 'tlbDev'],
        effect: (g, l) => {
          for (const r of overlapping(tree(g, 0), l.page, l.end)) {
            if (!crosses(r, l)) continue;
            devs.forEach((d, slot) => {
              zapPtes(g, r, d);
              pagesOf(r, slot).mapped = false;
            });
          }
          devs.forEach((d) => flushTlb(g, d));
        },
        next: 'madvise_remove',
      },
      {
        label: 'madvise_remove',
        kernelFn: 'xe_svm_unmap_address_range: drm_gpusvm_range_remove',
        cite: [cite(XE_SVM_C, 'xe_svm_unmap_address_range', '\t\t\t\tif (!list_empty(&to_xe_range(range)->garbage_collector_link)) {\n\t\t\t\t\tspin_lock(&vm->svm.garbage_collector.lock);\n\t\t\t\t\tlist_del(&to_xe_range(range)->garbage_collector_link);')],
        locks: section(NOTIFIER, 'read'),
        writes: ['ranges', 'gcList'],
        effect: (g, l) => {
          for (const r of overlapping(tree(g, 0), l.page, l.end)) {
            if (!crosses(r, l)) continue;
            unmapPages(r);
            removeRange(g, r.id);
          }
        },
        next: prefetch ? 'pf_bounds' : 'unlock_vm',
      },
      ...(prefetch
        ? withPfBoundsCite(prefetchSteps(
            cfg,
            { bounds: { kernelFn: 'xe_vm_bind prefetch: VMA bounds' }, decide: xePrefetchDecision(d, cfg), commit: (x) => xeBindSteps(x), commitStart: 'bind_lock_vm', devmemPossible: d.devmemPossible(cfg) },
            'unlock_vm',
          ))
        : []),
      {
        label: 'unlock_vm',
        kernelFn: 'up_write(vm->lock)',
        cite: [cite(XE_VM_MADVISE_C, 'xe_vm_madvise_ioctl', 'unlock_vm:\n\tup_write(&vm->lock);\nput_vm:\n\txe_vm_put(vm);')],
        locks: [release(vm)],
        next: 'done',
      },
    ],
  };
}

/** The shared pf_bounds takes only a kernelFn and locks from a driver: its xe citation is added here. */
function withPfBoundsCite(steps: SvmStep[]): SvmStep[] {
  const c = [cite(XE_VM_C, 'vm_bind_ioctl_ops_create', 'alloc_next_range:\n\t\t\tsvm_range = xe_svm_range_find_or_insert(vm, addr, vma, &ctx);')];
  return steps.map((s) => (s.label === 'pf_bounds' ? { ...s, cite: c } : s));
}

/** xe VM_BIND prefetch to a VRAM region: xe_svm_alloc_vram before the range is mapped; a failure is not fatal. */
function xePrefetchDecision(d: Driver, cfg: SvmConfig): SvmStep[] {
  return [
    {
      label: 'pf_decide',
      kernelFn: 'xe_svm_range_needs_migrate_to_vram (prefetch region)',
      note: "the attributes name this device's VRAM, the range may use device memory and is not there yet: migrate",
      cite: [cite(XE_VM_C, 'prefetch_ranges', '\t\tif (xe_svm_range_needs_migrate_to_vram(svm_range, vma, !!tile)) {\n\t\t\terr = xe_svm_alloc_vram(tile, svm_range, &ctx);')],
      reads: ['attrs', 'ranges', 'pages', 'devmem'],
      effect: (_g, l) => void (l.dev = 0),
      next: (g, l) => (wantsVram(g, rangeStarting(g, l.range)!, d, attrValue(g, l.range), 0) ? 'av_lock_read' : 'gp_read_begin'),
    },
    ...allocVramSteps(d, cfg, rangeInterval(0), { ok: goto('gp_read_begin'), fail: goto('gp_read_begin') }, [0]),
  ];
}
