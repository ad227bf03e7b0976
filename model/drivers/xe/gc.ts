// xe's garbage collector loop (xe_svm_garbage_collector): dequeue under the GC spinlock, reading
// the range's bounds; xe_vm_range_unbind under the VM resv (PTEs zapped, TLB invalidated);
// drm_gpusvm_range_remove; reset the attributes of [range start, range end) unless the VMA there
// already has the defaults (xe_svm_range_set_default_attr, policy 'reset').

import type { Draft } from 'immer';
import type { SvmConfig } from '../../config.ts';
import { attrPolicy, type Driver } from '../../driver.ts';
import { acquire, notifierLock, release, section, vmResv } from '../../locks.ts';
import { attrValue, clearAttrs, payAttrDebt, pagesOf, queuedRange, queueTlbInval, resetAttrs, zapPtes } from '../../queries.ts';
import { gcDequeueStep, gcNotifierSteps, gcRemoveStep } from '../../steps/gc.ts';
import type { SvmStep } from '../../steps/types.ts';
import { LIVE, NONE, type Range, type SvmGlobals } from '../../state.ts';
import { cite } from '../../sources.ts';
import { XE_PT_C, XE_SVM_C, XE_VM_C } from './sources.ts';

/**
 * xe_vm_range_unbind of range `r` (slot order of `devs`): on each device with tile_present the
 * PTEs are cleared and tile_present dropped; the TLB invalidation is queued, not waited for.
 */
export function xeRangeUnbind(g: Draft<SvmGlobals>, r: Draft<Range>, devs: readonly number[]): void {
  devs.forEach((dev, slot) => {
    const pg = pagesOf(r, slot);
    if (!pg.mapped) return;
    zapPtes(g, r, dev);
    queueTlbInval(g, r, dev);
    pg.mapped = false;
  });
}

export function xeGcLoop(d: Driver, cfg: SvmConfig, exit: string, inst: number, devs: readonly number[]): SvmStep[] {
  const policy = attrPolicy(cfg, d);
  const dequeue = gcDequeueStep('xe_svm_garbage_collector (list_del under the GC lock)', inst, exit, 'gc_unbind');
  const steps: SvmStep[] = [
    {
      ...dequeue,
      note: 'pop the first queued range and read its bounds [range_start, range_end); an empty list ends the loop',
      cite: [
        cite(XE_SVM_C, 'xe_svm_garbage_collector', '\tif (xe_vm_is_closed_or_banned(vm))\n\t\treturn -ENOENT;'),
        cite(XE_SVM_C, 'xe_svm_garbage_collector', '\t\trange_start = xe_svm_range_start(range);\n\t\trange_end = xe_svm_range_end(range);\n\n\t\tlist_del(&range->garbage_collector_link);'),
      ],
      // A closed VM: -ENOENT before the list is looked at (read under vm->lock(W), which the
      // close writes under). xe has no pending interval: the GC works on the whole range, read
      // before list_del.
      reads: [...(dequeue.reads ?? []), 'life'],
      effect: (g, l, ctx) => {
        if (g.life[inst] !== LIVE) {
          l.range = NONE;
          l.rid = NONE;
          return;
        }
        dequeue.effect!(g, l, ctx);
        const r = queuedRange(g, l.rid);
        if (r) {
          l.is = r.start;
          l.ie = r.end;
        }
      },
    },
    gcRemoveStep(inst, policy !== 'keep' ? 'gc_reset_attrs' : 'gc_dequeue', cfg),
    ...gcNotifierSteps(cfg, inst, policy !== 'keep' ? 'gc_reset_attrs' : 'gc_dequeue'),
    {
      label: 'gc_unbind',
      kernelFn: 'xe_vm_lock + xe_vm_range_unbind + xe_vm_unlock',
      note: 'nothing bound: nothing to do; else tear down the GPU PTEs of the range with the TLB invalidation, tile_present cleared under notifier_lock(R)',
      cite: [
        cite(XE_SVM_C, '__xe_svm_garbage_collector', '\txe_vm_lock(vm, false);\n\tfence = xe_vm_range_unbind(vm, range);\n\txe_vm_unlock(vm);'),
        cite(XE_VM_C, 'xe_vm_range_unbind', '\tif (!range->tile_present)\n\t\treturn dma_fence_get_stub();'),
        cite(XE_PT_C, 'unbind_range_prepare', '\t++pt_update_ops->current_op;\n\tpt_update_ops->needs_svm_lock = true;\n\tpt_update_ops->needs_invalidation = true;'),
        cite(XE_PT_C, 'op_commit', '\t\telse if (op->subop == XE_VMA_SUBOP_UNMAP_RANGE)\n\t\t\top->unmap_range.range->tile_present &= ~BIT(tile->id);'),
        cite(XE_PT_C, 'xe_pt_update_ops_run', '\t\tinvalidation_fence_init(tile->primary_gt, ifence, fence,\n\t\t\t\t\tpt_update_ops->start,\n\t\t\t\t\tpt_update_ops->last, vm->usm.asid);'),
        cite(XE_SVM_C, '__xe_svm_garbage_collector', '\tif (IS_ERR(fence))\n\t\treturn PTR_ERR(fence);\n\tdma_fence_put(fence);\n\n\tdrm_gpusvm_range_remove(&vm->svm.gpusvm, &range->base);'),
      ],
      // The PT update's pre-commit takes notifier_lock(R) under the VM resv; op_commit clears
      // tile_present before xe_pt_update_ops_run drops it. The PTE clear is taken as done in the
      // step (the CPU path; a job would only widen the window); the TLB invalidation is an
      // invalidation_fence chained behind it, which the GC drops without waiting (dma_fence_put):
      // queued, completed by the tlb_inval process.
      locks: devs.flatMap((dev) => [acquire(vmResv(dev)), ...section(notifierLock(inst), 'read'), release(vmResv(dev))]),
      reads: ['pages', 'tlbInval'],
      writes: ['pte', 'ranges', 'orphans', 'pteDev', 'tlbInval'],
      effect: (g, l) => {
        // The dequeued range itself (the list's pointer), in the tree or not.
        xeRangeUnbind(g, queuedRange(g, l.rid)!, devs);
      },
      next: 'gc_remove',
    },
  ];
  if (policy !== 'keep') {
    steps.push({
      label: 'gc_reset_attrs',
      kernelFn: 'xe_svm_range_set_default_attr',
      note: "the VMA at range_start already has the defaults: nothing; else [range_start, range_end) gets them (in place, or split off) (vm->lock held)",
      cite: [
        cite(XE_SVM_C, 'xe_svm_garbage_collector', '\t\terr = xe_svm_range_set_default_attr(vm, range_start, range_end);'),
        cite(XE_SVM_C, 'xe_svm_range_set_default_attr', '\tvma = xe_vm_find_vma_by_addr(vm, range_start);\n\tif (!vma)\n\t\treturn -EINVAL;\n\n\tif (xe_vma_has_default_mem_attrs(vma))\n\t\treturn 0;'),
        cite(XE_SVM_C, 'xe_svm_range_set_default_attr', '\t\terr = xe_vm_alloc_cpu_addr_mirror_vma(vm, range_start, range_end - range_start);'),
      ],
      reads: ['attrs', 'pages', 'attrSetAfterUnmap'],
      writes: ['attrs', 'attrOwed', 'attrSetVma'],
      effect: (g, l) => {
        payAttrDebt(g, l.is, l.ie);
        if (policy === 'clear') return clearAttrs(g.attrs, l.is, l.ie);
        // The whole range lies in the VMA found at range_start (ranges never cross a VMA bound).
        if (attrValue(g, l.is) === 0) return;
        resetAttrs(g.attrs, l.is, l.ie);
      },
      next: 'gc_dequeue',
    });
  }
  return steps;
}
