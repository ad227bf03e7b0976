// Wait for the unbind's fence before the range goes (the fix for finding F18 in docs/model.md).
// In __xe_svm_garbage_collector, which the GC and madvise's xe_svm_unmap_address_range share:
//
//	fence = xe_vm_range_unbind(vm, range);
//	xe_vm_unlock(vm);
//	if (IS_ERR(fence))
//		return PTR_ERR(fence);
//	dma_fence_wait(fence, false);	/* new: the PTE clear and its TLB invalidation */
//	dma_fence_put(fence);
//
//	drm_gpusvm_range_remove(&vm->svm.gpusvm, &range->base);
//
// so drm_gpusvm_range_remove DMA-unmaps the pages only once no TLB entry translates them.

import type { SvmGlobals } from '../model/state.ts';
import { defineProposal } from './api.ts';

const unbindDone = (g: SvmGlobals): boolean => g.tlbInval.every((m) => m === 0);
const waits = (program: string, label: string) => ({ program, label, replace: { reads: ['tlbInval'], guard: unbindDone } });

export default defineProposal({
  name: 'xe-gc-waits-for-unbind',
  title: "xe: __xe_svm_garbage_collector waits for xe_vm_range_unbind's fence before drm_gpusvm_range_remove",
  base: 'xe',
  scenarios: ['munmap-gc-remap', 'prefetch-vs-invalidate', 'fault-vs-set-attr', 'unregistered-fault-vs-set-attr', 'fault-vs-munmap'],
  patches: [
    waits('gc_worker', 'gc_remove'),
    waits('gpu_fault', 'gc_remove'),
    waits('madvise', 'madvise_remove'),
    waits('madvise_prefetch', 'madvise_remove'),
  ],
});
