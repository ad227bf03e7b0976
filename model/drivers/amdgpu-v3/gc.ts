// amdgpu V3's garbage collector loop (V3 11/12 amdgpu_svm_garbage_collector): dequeue under
// work_lock; clear the attributes of the unmapped interval (policy 'clear'; V5+ 'keep' skips it);
// drm_gpusvm_range_remove. No PTE zap: it relies on the notifier's phase 1.

import type { SvmConfig } from '../../config.ts';
import { attrPolicy, type Driver } from '../../driver.ts';
import { section } from '../../locks.ts';
import { clearAttrs } from '../../queries.ts';
import { gcDequeueStep, gcRemoveStep } from '../../steps/gc.ts';
import type { SvmStep } from '../../steps/types.ts';
import { ATTR } from './locks.ts';

export function amdgpuGcLoop(d: Driver, cfg: SvmConfig, exit: string, inst: number): SvmStep[] {
  const clear = attrPolicy(cfg, d) === 'clear';
  const steps = [gcDequeueStep('amdgpu_svm_range_dequeue_locked', inst, exit, clear ? 'gc_clear_attrs' : 'gc_remove'), gcRemoveStep(inst, 'gc_dequeue')];
  if (clear) {
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
  return steps;
}
