// The garbage collector's loop (DOMAIN.md §3.3), run by the GC work item and at the start of
// every fault, with the driver lock held for write.
//   amdgpu V3: dequeue under work_lock; clear the attributes of the unmapped interval (policy
//              'clear'; V5+ 'keep' skips it); drm_gpusvm_range_remove. No PTE zap: it relies on
//              the notifier's phase 1.
//   xe:        dequeue under the GC spinlock; xe_vm_range_unbind under the VM resv;
//              drm_gpusvm_range_remove; reset the VMA's attributes (policy 'reset').

import type { AttrOnUnmap, Protocol } from '../config.ts';
import { ATTR, gcLock, notifierLock, section, vmResv } from '../locks.ts';
import { clearAttrs, flushTlb, pagesOf, rangeById, rangeStarting, removeRange, resetAttrs, unmapPages, zapPtes } from '../queries.ts';
import { NONE } from '../state.ts';
import type { SvmStep } from './types.ts';

/** The GC loop of instance `inst`, whose ranges hold the pages of GPUs `devs` (slot order). */
export function gcLoopSteps(protocol: Protocol, policy: AttrOnUnmap, exit: string, inst = 0, devs: readonly number[] = [0]): SvmStep[] {
  const GC = gcLock(inst);
  const NOTIFIER = notifierLock(inst);
  const afterDequeue = protocol === 'xe' ? 'gc_unbind' : policy === 'clear' ? 'gc_clear_attrs' : 'gc_remove';
  const afterRemove = protocol === 'xe' && policy !== 'keep' ? 'gc_reset_attrs' : 'gc_dequeue';
  const steps: SvmStep[] = [
    {
      label: 'gc_dequeue',
      kernelFn: protocol === 'xe' ? 'xe_svm_garbage_collector (list_del under the GC lock)' : 'amdgpu_svm_range_dequeue_locked',
      note: 'pop the first queued range and its pending interval; an empty list ends the loop',
      locks: section(GC),
      reads: ['gcList'],
      writes: ['gcList', 'ranges'],
      effect: (g, l) => {
        const k = g.gcList.findIndex((id) => rangeById(g, id)?.inst === inst);
        if (k < 0) {
          l.range = NONE;
          l.rid = NONE;
          return;
        }
        const r = rangeById(g, g.gcList.splice(k, 1)[0]!)!;
        l.range = r.start;
        l.rid = r.id;
        l.lo = r.pendingStart;
        l.hi = r.pendingEnd;
        r.pendingStart = NONE;
        r.pendingEnd = NONE;
      },
      next: (_g, l) => (l.range === NONE ? exit : afterDequeue),
    },
    {
      label: 'gc_remove',
      kernelFn: 'drm_gpusvm_range_remove',
      note: 'unmap the DMA pages and drop the range from the tree, under notifier_lock(R)',
      locks: section(NOTIFIER, 'read'),
      writes: ['ranges', 'gcList'],
      effect: (g, l) => {
        const r = rangeStarting(g, l.range, inst);
        if (r) {
          unmapPages(r);
          removeRange(g, r.id);
        }
        l.rid = NONE;
      },
      next: afterRemove,
    },
  ];
  if (protocol === 'amdgpu-v3' && policy === 'clear') {
    steps.push({
      label: 'gc_clear_attrs',
      kernelFn: 'amdgpu_svm_attr_clear_pages',
      note: 'V3: the attributes of the unmapped interval are removed',
      locks: section(ATTR),
      writes: ['attrs'],
      effect: (g, l) => clearAttrs(g.attrs, l.lo, l.hi),
      next: 'gc_remove',
    });
  }
  if (protocol === 'xe') {
    steps.push({
      label: 'gc_unbind',
      kernelFn: 'xe_vm_lock + xe_vm_range_unbind + xe_vm_unlock',
      note: 'tear down the GPU PTEs of the range, with the TLB invalidation',
      locks: devs.flatMap((d) => section(vmResv(d))),
      reads: ['pages'],
      writes: ['pte', 'tlb', 'ranges', 'pteDev', 'tlbDev'],
      effect: (g, l) => {
        const r = rangeStarting(g, l.range, inst)!;
        devs.forEach((d, slot) => {
          zapPtes(g, r, d);
          flushTlb(g, d);
          pagesOf(r, slot).mapped = false;
        });
      },
      next: 'gc_remove',
    });
    if (policy !== 'keep') {
      steps.push({
        label: 'gc_reset_attrs',
        kernelFn: 'xe_svm_range_set_default_attr',
        note: "reset the VMA's attributes of the unmapped interval to the defaults (vm->lock held)",
        writes: ['attrs'],
        effect: (g, l) => (policy === 'clear' ? clearAttrs(g.attrs, l.lo, l.hi) : resetAttrs(g.attrs, l.lo, l.hi)),
        next: 'gc_dequeue',
      });
    }
  }
  return steps;
}
