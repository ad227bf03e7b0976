// The xe madvise ioctl (DOMAIN.md §3.4), in the code's order: xe_svm_flush (the GC work flushed,
// without vm->lock); then under vm->lock(W): the VMA split removes the ranges the new bounds cross
// (xe_svm_unmap_address_range: unbind under the VM resv, remove, drop from the GC list), then under
// notifier_lock(R) the attributes are set and the PTEs of ranges in the interval zapped (TLB
// invalidation waited for). Prefetch is a VM_BIND prefetch op under vm->lock, with
// xe_svm_alloc_vram before each range is mapped when there is device memory.

import type { Program } from '../../../explorer/index.ts';
import type { SvmConfig } from '../../config.ts';
import { wantsVram } from '../../devmem.ts';
import { driverLock, type Driver } from '../../driver.ts';
import { devicesOf } from '../../gpu.ts';
import { NOTIFIER, RESV, acquire, gcLock, release, section } from '../../locks.ts';
import { attrValue, flushTlb, overlapping, pagesOf, rangeInterval, rangeStarting, removeRange, tree, unmapPages, zapMapped, zapPtes } from '../../queries.ts';
import type { SvmGlobals, SvmLocals } from '../../state.ts';
import { crosses, prefetchSteps, SET_ATTRIBUTES, setAttributes, snapshotOwed } from '../../steps/prefetch.ts';
import { goto, type SvmStep } from '../../steps/types.ts';
import { cite } from '../../sources.ts';
import { allocVramSteps } from './alloc-vram.ts';
import { xeBindSteps } from './bind.ts';
import { XE_PT_C, XE_SVM_C, XE_VM_C, XE_VM_MADVISE_C } from './sources.ts';

type P = Program<SvmGlobals, SvmLocals>;

export function xeSetAttr(d: Driver, cfg: SvmConfig, prefetch: boolean): P {
  const vm = driverLock(d);
  const devs = devicesOf(cfg, 0);
  return {
    name: prefetch ? 'madvise_prefetch' : 'madvise',
    start: 'madvise_flush',
    steps: [
      {
        label: 'madvise_flush',
        kernelFn: 'xe_svm_flush (flush_work of the GC work)',
        note: 'waits until the GC work is neither queued nor running; vm->lock is not held',
        cite: [
          cite(XE_VM_MADVISE_C, 'xe_vm_madvise_ioctl', '\txe_svm_flush(vm);\n\n\terr = down_write_killable(&vm->lock);'),
          cite(XE_SVM_C, 'xe_svm_flush', '\tif (xe_vm_in_fault_mode(vm))\n\t\tflush_work(&vm->svm.garbage_collector.work);'),
        ],
        reads: ['gcPending', 'gcRunning', 'attrOwed'],
        guard: (g) => !g.gcPending[0] && !g.gcRunning[0],
        // The ioctl starts here (ghost: what the attribute invariants compare it with).
        effect: snapshotOwed,
        next: 'lock_vm',
      },
      {
        label: 'lock_vm',
        kernelFn: 'xe_vm_madvise_ioctl: down_write(vm->lock)',
        cite: [cite(XE_VM_MADVISE_C, 'xe_vm_madvise_ioctl', '\terr = down_write_killable(&vm->lock);\n\tif (err)\n\t\tgoto put_vm;')],
        locks: [acquire(vm)],
        next: 'madvise_unbind',
      },
      {
        label: 'madvise_unbind',
        kernelFn: 'xe_vm_alloc_madvise_vma -> xe_svm_unmap_address_range: xe_vm_range_unbind of ranges the new bounds cross',
        note: 'before any attribute changes, while the VMAs are split at the new bounds',
        cite: [
          cite(XE_VM_MADVISE_C, 'xe_vm_madvise_ioctl', '\terr = xe_vm_alloc_madvise_vma(vm, args->start, args->range);'),
          cite(XE_VM_C, 'vm_bind_ioctl_ops_parse', '\t\t\t\tif (vops->flags & XE_VMA_OPS_FLAG_MADVISE)\n\t\t\t\t\txe_svm_unmap_address_range(vm, start, end);'),
          cite(XE_SVM_C, 'xe_svm_unmap_address_range', '\t\t\t\tdrm_gpusvm_range_get(range);\n\t\t\t\t__xe_svm_garbage_collector(vm, to_xe_range(range));'),
        cite(XE_VM_C, 'xe_vm_range_unbind', '\tif (!range->tile_present)\n\t\treturn dma_fence_get_stub();'),
        cite(XE_PT_C, 'unbind_range_prepare', '\t++pt_update_ops->current_op;\n\tpt_update_ops->needs_svm_lock = true;\n\tpt_update_ops->needs_invalidation = true;'),
        cite(XE_PT_C, 'op_commit', '\t\telse if (op->subop == XE_VMA_SUBOP_UNMAP_RANGE)\n\t\t\top->unmap_range.range->tile_present &= ~BIT(tile->id);'),
        ],
        // The same __xe_svm_garbage_collector as gc_unbind: tile_present cleared under
        // notifier_lock(R) inside the VM resv; a range with nothing bound is skipped.
        locks: [acquire(RESV), ...section(NOTIFIER, 'read'), release(RESV)],
        reads: ['pages'],
        writes: ['pte', 'tlb', 'ranges', 'pteDev', 'tlbDev'],
        effect: (g, l) => {
          const zapped = new Set<number>();
          for (const r of overlapping(tree(g, 0), l.page, l.end)) {
            if (!crosses(r, l)) continue;
            devs.forEach((d, slot) => {
              const pg = pagesOf(r, slot);
              if (!pg.mapped) return;
              zapPtes(g, r, d);
              pg.mapped = false;
              zapped.add(d);
            });
          }
          zapped.forEach((d) => flushTlb(g, d));
        },
        next: 'madvise_remove',
      },
      {
        label: 'madvise_remove',
        kernelFn: 'xe_svm_unmap_address_range: drm_gpusvm_range_remove, list_del from the GC list',
        cite: [
          cite(XE_SVM_C, '__xe_svm_garbage_collector', '\tdrm_gpusvm_range_remove(&vm->svm.gpusvm, &range->base);'),
          cite(XE_SVM_C, 'xe_svm_unmap_address_range', '\t\t\t\tif (!list_empty(&to_xe_range(range)->garbage_collector_link)) {\n\t\t\t\t\tspin_lock(&vm->svm.garbage_collector.lock);\n\t\t\t\t\tlist_del(&to_xe_range(range)->garbage_collector_link);'),
        ],
        locks: [...section(NOTIFIER, 'read'), ...section(gcLock(0))],
        writes: ['ranges', 'gcList'],
        effect: (g, l) => {
          for (const r of overlapping(tree(g, 0), l.page, l.end)) {
            if (!crosses(r, l)) continue;
            unmapPages(r);
            removeRange(g, r.id);
          }
        },
        next: 'madvise_set',
      },
      {
        // One step: vm->lock(W) and notifier_lock(R) are held across both, which exclude faults,
        // the GC and notifier callbacks; the step touches only attrs (vm->lock) and the PTEs and
        // tile_invalidated (notifier lock).
        label: 'madvise_set',
        kernelFn: 'madvise_funcs[] + xe_vm_invalidate_madvise_range, under notifier_lock(R)',
        note: 'set the attributes; zap the PTEs of present ranges in the interval, tile_invalidated = true; TLB invalidation waited for',
        cite: [
          cite(XE_VM_MADVISE_C, 'xe_vm_madvise_ioctl', '\tif (madvise_range.has_svm_vmas) {\n\t\terr = down_read_interruptible(&vm->svm.gpusvm.notifier_lock);'),
          cite(XE_VM_MADVISE_C, 'xe_vm_madvise_ioctl', '\tattr_type = array_index_nospec(args->type, ARRAY_SIZE(madvise_funcs));\n\tmadvise_funcs[attr_type](xe, vm, madvise_range.vmas, madvise_range.num_vmas, args);\n\n\terr = xe_vm_invalidate_madvise_range(vm, args->start, args->start + args->range);'),
          cite(XE_VM_MADVISE_C, 'xe_zap_ptes_in_madvise_range', '\t\tif (xe_vma_is_cpu_addr_mirror(vma)) {\n\t\t\ttile_mask |= xe_svm_ranges_zap_ptes_in_range(vm,\n\t\t\t\t\t\t\t\t      xe_vma_start(vma),\n\t\t\t\t\t\t\t\t      xe_vma_end(vma));'),
          cite(XE_VM_MADVISE_C, 'xe_vm_madvise_ioctl', '\tif (madvise_range.has_svm_vmas)\n\t\txe_svm_notifier_unlock(vm);'),
        ],
        locks: section(NOTIFIER, 'read'),
        reads: [...SET_ATTRIBUTES.reads, 'ranges'],
        writes: [...SET_ATTRIBUTES.writes, 'pte', 'tlb', 'ranges', 'pteDev', 'tlbDev'],
        effect: (g, l) => {
          setAttributes(g, l);
          zapMapped(g, overlapping(tree(g, 0), l.page, l.end), devs, (pg) => void (pg.invalidated = true));
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
