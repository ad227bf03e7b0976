// xe's garbage collector loop (xe_svm_garbage_collector): dequeue under the GC spinlock, reading
// the range's bounds; xe_vm_range_unbind under the VM resv (PTEs zapped, TLB invalidated);
// drm_gpusvm_range_remove; reset the attributes of [range start, range end) unless the VMA there
// already has the defaults (xe_svm_range_set_default_attr, policy 'reset').

import type { SvmConfig } from '../../config.ts';
import { attrPolicy, type Driver } from '../../driver.ts';
import { section, vmResv } from '../../locks.ts';
import { attrValue, clearAttrs, flushTlb, pagesOf, rangeById, rangeStarting, resetAttrs, zapPtes } from '../../queries.ts';
import { gcDequeueStep, gcRemoveStep } from '../../steps/gc.ts';
import type { SvmStep } from '../../steps/types.ts';
import { cite } from '../../sources.ts';
import { XE_SVM_C } from './sources.ts';

export function xeGcLoop(d: Driver, cfg: SvmConfig, exit: string, inst: number, devs: readonly number[]): SvmStep[] {
  const policy = attrPolicy(cfg, d);
  const dequeue = gcDequeueStep('xe_svm_garbage_collector (list_del under the GC lock)', inst, exit, 'gc_unbind');
  const steps: SvmStep[] = [
    {
      ...dequeue,
      note: 'pop the first queued range and read its bounds [range_start, range_end); an empty list ends the loop',
      cite: [cite(XE_SVM_C, 'xe_svm_garbage_collector', '\t\trange_start = xe_svm_range_start(range);\n\t\trange_end = xe_svm_range_end(range);\n\n\t\tlist_del(&range->garbage_collector_link);')],
      // xe has no pending interval: the GC works on the whole range, read before list_del.
      effect: (g, l, ctx) => {
        dequeue.effect!(g, l, ctx);
        const r = rangeById(g, l.rid);
        if (r) {
          l.lo = r.start;
          l.hi = r.end;
        }
      },
    },
    gcRemoveStep(inst, policy !== 'keep' ? 'gc_reset_attrs' : 'gc_dequeue'),
    {
      label: 'gc_unbind',
      kernelFn: 'xe_vm_lock + xe_vm_range_unbind + xe_vm_unlock',
      note: 'tear down the GPU PTEs of the range, with the TLB invalidation',
      cite: [cite(XE_SVM_C, '__xe_svm_garbage_collector', '\txe_vm_lock(vm, false);\n\tfence = xe_vm_range_unbind(vm, range);\n\txe_vm_unlock(vm);')],
      locks: devs.flatMap((dev) => section(vmResv(dev))),
      reads: ['pages'],
      writes: ['pte', 'tlb', 'ranges', 'pteDev', 'tlbDev'],
      effect: (g, l) => {
        const r = rangeStarting(g, l.range, inst)!;
        devs.forEach((dev, slot) => {
          zapPtes(g, r, dev);
          flushTlb(g, dev);
          pagesOf(r, slot).mapped = false;
        });
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
      reads: ['attrs'],
      writes: ['attrs'],
      effect: (g, l) => {
        if (policy === 'clear') return clearAttrs(g.attrs, l.lo, l.hi);
        // The whole range lies in the VMA found at range_start (ranges never cross a VMA bound).
        if (attrValue(g, l.lo) === 0) return;
        resetAttrs(g.attrs, l.lo, l.hi);
      },
      next: 'gc_dequeue',
    });
  }
  return steps;
}
