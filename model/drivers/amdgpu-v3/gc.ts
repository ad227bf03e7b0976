// amdgpu V3's garbage collector loop (V3 11/12 amdgpu_svm_garbage_collector): dequeue under
// work_lock; clear the attributes of the unmapped interval (policy 'clear'; V5+ 'keep' skips it);
// drm_gpusvm_range_remove. No PTE zap: it relies on the notifier's phase 1.

import type { SvmConfig } from '../../config.ts';
import { attrPolicy, type Driver } from '../../driver.ts';
import { section } from '../../locks.ts';
import { clearAttrs, payAttrDebt } from '../../queries.ts';
import { gcDequeueStep, gcNotifierSteps, gcRemoveStep } from '../../steps/gc.ts';
import type { SvmStep } from '../../steps/types.ts';
import { cite } from '../../sources.ts';
import { ATTR } from './locks.ts';
import { V3_09, V3_11 } from './sources.ts';

export function amdgpuGcLoop(d: Driver, cfg: SvmConfig, exit: string, inst: number): SvmStep[] {
  const clear = attrPolicy(cfg, d) === 'clear';
  const dequeue = gcDequeueStep('amdgpu_svm_range_dequeue_locked', inst, exit, clear ? 'gc_clear_attrs' : 'gc_remove');
  const remove = gcRemoveStep(inst, 'gc_dequeue', cfg);
  const steps: SvmStep[] = [
    {
      ...dequeue,
      cite: [
        ...(dequeue.cite ?? []),
        cite(V3_11, 'amdgpu_svm_garbage_collector', '\tspin_lock(&svm->work_lock);\n\twhile (amdgpu_svm_range_dequeue_locked(svm, &svm->gc.list, &op_ctx)) {\n\t\tspin_unlock(&svm->work_lock);'),
        cite(V3_09, 'amdgpu_svm_range_dequeue_locked', '\tlist_del_init(&range->work_node);\n\trange->gc_queued = false;'),
      ],
    },
    {
      ...remove,
      cite: [...(remove.cite ?? []), cite(V3_11, 'amdgpu_svm_garbage_collector', '\t\t\tdrm_gpusvm_range_remove(&svm->gpusvm,\n\t\t\t\t\t\t&op_ctx.range->base);')],
    },
    ...gcNotifierSteps(cfg, inst, 'gc_dequeue'),
  ];
  if (clear) {
    steps.push({
      label: 'gc_clear_attrs',
      kernelFn: 'amdgpu_svm_attr_clear_pages',
      cite: [cite(V3_11, 'amdgpu_svm_garbage_collector', '\t\tif (UNMAP_WORK(op_ctx.pending_ops)) {\n\t\t\tret = amdgpu_svm_attr_clear_pages(\n\t\t\t\tsvm->attr_tree, op_ctx.start_page, op_ctx.last_page);')],
      note: 'V3: the attributes of the unmapped interval are removed',
      locks: section(ATTR),
      reads: ['pages', 'attrSetAfterUnmap'],
      writes: ['attrs', 'attrOwed', 'attrSetVma'],
      effect: (g, l) => {
        clearAttrs(g.attrs, l.is, l.ie);
        payAttrDebt(g, l.is, l.ie);
      },
      next: 'gc_remove',
    });
  }
  return steps;
}
