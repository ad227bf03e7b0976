// The xe madvise ioctl (DOMAIN.md §3.4), in the code's order: xe_svm_flush (the GC work flushed,
// without vm->lock); then under vm->lock(W): the VMA split removes the ranges the new bounds cross
// (xe_svm_unmap_address_range: unbind under the VM resv, remove, drop from the GC list), then under
// notifier_lock(R) the attributes are set and the PTEs of ranges in the interval zapped (TLB
// invalidation waited for). A prefetch is then the VM_BIND prefetch ioctl (vm-bind-prefetch.ts).

import type { Program } from '../../../explorer/index.ts';
import type { SvmConfig } from '../../config.ts';
import { driverLock, type Driver } from '../../driver.ts';
import { devicesOf } from '../../gpu.ts';
import { NOTIFIER, RESV, acquire, gcLock, release, section } from '../../locks.ts';
import { overlapping, pagesOf, rangeInterval, rangeStarting, removeRange, tree, unmapPages, zapMapped } from '../../queries.ts';
import { rangeEvictSteps } from '../../steps/range-evict.ts';
import { NONE, type SvmGlobals, type SvmLocals } from '../../state.ts';
import { crosses, SET_ATTRIBUTES, setAttributes, snapshotOwed } from '../../steps/set-attributes.ts';
import { cite } from '../../sources.ts';
import { xeRangeUnbind } from './gc.ts';
import { vmBindPrefetchSteps } from './vm-bind-prefetch.ts';
import { XE_PT_C, XE_SVM_C, XE_VM_C, XE_VM_MADVISE_C } from './sources.ts';

type P = Program<SvmGlobals, SvmLocals>;

export function xeSetAttr(d: Driver, cfg: SvmConfig, prefetch: boolean): P {
  const vm = driverLock(d);
  const devs = devicesOf(cfg, 0);
  const devmem = d.devmemPossible(cfg);
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
        next: 'madvise_next',
      },
      {
        label: 'madvise_next',
        kernelFn: 'xe_vm_alloc_madvise_vma -> xe_svm_unmap_address_range: the next range the new bounds cross',
        note: 'none left: set the attributes; one in VRAM is evicted to RAM first (drm_gpusvm_range_evict), then unbound and removed',
        cite: [
          cite(XE_VM_MADVISE_C, 'xe_vm_madvise_ioctl', '\terr = xe_vm_alloc_madvise_vma(vm, args->start, args->range);'),
          cite(XE_VM_C, 'vm_bind_ioctl_ops_parse', '\t\t\t\tif (vops->flags & XE_VMA_OPS_FLAG_MADVISE)\n\t\t\t\t\txe_svm_unmap_address_range(vm, start, end);'),
          cite(XE_SVM_C, 'xe_svm_unmap_address_range', '\t\t\tif (start > drm_gpusvm_range_start(range) ||\n\t\t\t    end < drm_gpusvm_range_end(range)) {\n\t\t\t\tif (IS_DGFX(vm->xe) && xe_svm_range_in_vram(to_xe_range(range)))\n\t\t\t\t\tdrm_gpusvm_range_evict(&vm->svm.gpusvm, range);'),
        ],
        reads: ['ranges'],
        effect: (g, l) => {
          const r = overlapping(tree(g, 0), l.page, l.end).find((x) => crosses(x, l));
          l.range = r ? r.start : NONE;
        },
        // xe_svm_range_in_vram: has_devmem_pages, read without the notifier lock.
        next: (g, l) => (l.range === NONE ? 'madvise_set' : devmem && pagesOf(rangeStarting(g, l.range)!, 0).hasDevmem ? 'me_start' : 'madvise_unbind'),
      },
      ...(devmem ? rangeEvictSteps(cfg, d, rangeInterval(0), 'madvise_unbind', 'me_') : []),
      {
        label: 'madvise_unbind',
        kernelFn: 'xe_svm_unmap_address_range -> __xe_svm_garbage_collector: xe_vm_range_unbind',
        note: 'nothing bound: nothing to do; else clear the PTEs (tile_present cleared under notifier_lock(R)) and queue the TLB invalidation, not waited for',
        cite: [
          cite(XE_SVM_C, 'xe_svm_unmap_address_range', '\t\t\t\tdrm_gpusvm_range_get(range);\n\t\t\t\t__xe_svm_garbage_collector(vm, to_xe_range(range));'),
          cite(XE_SVM_C, '__xe_svm_garbage_collector', '\tif (IS_ERR(fence))\n\t\treturn PTR_ERR(fence);\n\tdma_fence_put(fence);\n\n\tdrm_gpusvm_range_remove(&vm->svm.gpusvm, &range->base);'),
          cite(XE_VM_C, 'xe_vm_range_unbind', '\tif (!range->tile_present)\n\t\treturn dma_fence_get_stub();'),
          cite(XE_PT_C, 'unbind_range_prepare', '\t++pt_update_ops->current_op;\n\tpt_update_ops->needs_svm_lock = true;\n\tpt_update_ops->needs_invalidation = true;'),
          cite(XE_PT_C, 'op_commit', '\t\telse if (op->subop == XE_VMA_SUBOP_UNMAP_RANGE)\n\t\t\top->unmap_range.range->tile_present &= ~BIT(tile->id);'),
        ],
        // The same __xe_svm_garbage_collector as gc_unbind: tile_present cleared under
        // notifier_lock(R) inside the VM resv; the TLB invalidation is queued and not waited for
        // (dma_fence_put) before madvise_remove.
        locks: [acquire(RESV), ...section(NOTIFIER, 'read'), release(RESV)],
        reads: ['ranges', 'pages', 'tlbInval'],
        writes: ['pte', 'ranges', 'pteDev', 'tlbInval'],
        effect: (g, l) => xeRangeUnbind(g, rangeStarting(g, l.range)!, devs),
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
          const r = rangeStarting(g, l.range)!;
          unmapPages(r);
          removeRange(g, r.id);
          l.range = NONE;
        },
        next: 'madvise_next',
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
        next: 'unlock_vm',
      },
      {
        label: 'unlock_vm',
        kernelFn: 'up_write(vm->lock)',
        cite: [cite(XE_VM_MADVISE_C, 'xe_vm_madvise_ioctl', 'unlock_vm:\n\tup_write(&vm->lock);\nput_vm:\n\txe_vm_put(vm);')],
        locks: [release(vm)],
        // A prefetch is a second ioctl, VM_BIND with DRM_XE_CONSULT_MEM_ADVISE_PREF_LOC.
        next: prefetch ? 'vb_flush' : 'done',
      },
      ...(prefetch ? vmBindPrefetchSteps(d, cfg, 'done') : []),
    ],
  };
}
