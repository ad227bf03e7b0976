// xe xe_vm_range_rebind (DOMAIN.md §2.3): under the VM resv, the pre-commit takes
// notifier_lock(R), checks pages valid, writes the PTEs and sets tile_present (clearing
// tile_invalidated) before the notifier lock is dropped at the end of xe_pt_update_ops_run.

import type { Draft } from 'immer';
import { GPU0, type Gpu } from '../../gpu.ts';
import { acquire, notifierLock, release, section, vmResv } from '../../locks.ts';
import { pagesOf, pagesValid, rangeStarting, writePtes } from '../../queries.ts';
import { EAGAIN, OK, type Range, type SvmGlobals } from '../../state.ts';
import { exitStep, type MapExits, type SvmStep } from '../../steps/types.ts';
import { cite } from '../../sources.ts';
import { XE_PT_C, XE_SVM_C } from './sources.ts';

/** The commit of a bind: the PTEs written, range_present_and_invalidated_tile (under notifier_lock(R)). */
export function xeRangeBound(g: Draft<SvmGlobals>, r: Range, gpu: Gpu = GPU0): void {
  writePtes(g, r, gpu);
  const pg = pagesOf(rangeStarting(g, r.start, gpu.inst)!, gpu.slot);
  pg.mapped = true;
  pg.invalidated = false;
}

export function xeBindSteps(x: MapExits, gpu: Gpu = GPU0): SvmStep[] {
  const RESV = vmResv(gpu.dev);
  const NOTIFIER = notifierLock(gpu.inst);
  return [
    {
      label: 'bind_lock_vm',
      kernelFn: 'xe_vm_lock',
      cite: [cite(XE_SVM_C, '__xe_svm_handle_pagefault', 'retry_bind:\n\txe_vm_lock(vm, false);\n\tfence = xe_vm_range_rebind(vm, vma, range, BIT(tile->id));')],
      locks: [acquire(RESV)],
      next: 'bind_commit',
    },
    {
      label: 'bind_commit',
      kernelFn: 'xe_vm_range_rebind: xe_pt_svm_pre_commit + xe_pt_update_ops_run',
      note: 'under notifier_lock(R): -EAGAIN unless pages valid; write PTEs, tile_present set, tile_invalidated cleared',
      cite: [
        cite(XE_PT_C, 'xe_pt_svm_pre_commit', '\txe_svm_notifier_lock(vm);'),
        cite(XE_PT_C, 'xe_pt_svm_pre_commit', '\t\tif (!xe_svm_range_pages_valid(range)) {\n\t\t\txe_svm_range_debug(range, "PRE-COMMIT - RETRY");\n\t\t\txe_svm_notifier_unlock(vm);\n\t\t\treturn -EAGAIN;'),
        cite(XE_PT_C, 'range_present_and_invalidated_tile', '\trange->tile_present |= BIT(tile_id);\n\trange->tile_invalidated &= ~BIT(tile_id);'),
        cite(XE_PT_C, 'xe_pt_update_ops_run', '\tif (pt_update_ops->needs_svm_lock)\n\t\txe_svm_notifier_unlock(vm);'),
      ],
      locks: section(NOTIFIER, 'read'),
      reads: ['ranges', 'pages'],
      writes: ['pte', 'tlb', 'ranges', 'pteDev', 'tlbDev'],
      effect: (g, l) => {
        const r = rangeStarting(g, l.range, gpu.inst)!;
        const pg = pagesOf(r, gpu.slot);
        if (!pagesValid(pg)) {
          l.ret = EAGAIN;
          return;
        }
        xeRangeBound(g, r, gpu);
        l.ret = OK;
      },
      next: (_g, l) => (l.ret === OK ? 'bind_unlock_vm' : 'bind_unlock_vm_again'),
    },
    exitStep(
      {
        label: 'bind_unlock_vm',
        kernelFn: 'xe_vm_unlock + dma_fence_wait',
        cite: [cite(XE_SVM_C, '__xe_svm_handle_pagefault', '\txe_vm_unlock(vm);\n\n\tdma_fence_wait(fence, false);\n\tdma_fence_put(fence);')],
        locks: [release(RESV)],
      },
      x.ok,
    ),
    exitStep(
      {
        label: 'bind_unlock_vm_again',
        kernelFn: 'xe_vm_unlock (-EAGAIN)',
        cite: [cite(XE_SVM_C, '__xe_svm_handle_pagefault', '\tif (IS_ERR(fence)) {\n\t\txe_vm_unlock(vm);\n\t\terr = PTR_ERR(fence);\n\t\tif (err == -EAGAIN) {')],
        locks: [release(RESV)],
      },
      x.again,
    ),
  ];
}
