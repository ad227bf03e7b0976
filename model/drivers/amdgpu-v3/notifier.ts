// amdgpu V3's gpusvm->ops->invalidate, phase 1 (V3 08/12): amdgpu_svm_range_invalidate captures
// the stale-fault checkpoint on UNMAP, then event_begin zaps the PTEs of every range that is not
// unmapped and is gpu_mapped, clears gpu_mapped, and flushes the TLB. A range whose gpu_mapped is
// not published yet is skipped (finding F1).

import type { CallbackContext } from '../../driver.ts';
import { tree, zapMapped } from '../../queries.ts';
import type { SvmStep } from '../../steps/types.ts';
import { joined } from '../../steps/types.ts';
import { cite } from '../../sources.ts';
import { V3_07, V3_08, V3_09 } from './sources.ts';

export function amdgpuInvalidateBegin(c: CallbackContext): SvmStep {
  const unmap = c.event === 'unmap';
  return {
    label: c.label,
    kernelFn: unmap
      ? 'amdgpu_svm_range_invalidate: capture checkpoint_ts (if a range overlaps), event_begin (zap PTEs, flush_tlb)'
      : 'amdgpu_svm_range_invalidate: event_begin (zap PTEs, flush_tlb)',
    cite: [
      cite(V3_09, 'amdgpu_svm_range_invalidate', '\tfirst = drm_gpusvm_range_find(notifier, adj_start, adj_end);\n\tif (!first)\n\t\treturn;'),
      ...(unmap ? [cite(V3_09, 'amdgpu_svm_range_invalidate', '\tif (mmu_range->event == MMU_NOTIFY_UNMAP)\n\t\tamdgpu_svm_capture_checkpoint_ts(svm);')] : []),
      cite(V3_09, 'amdgpu_svm_range_invalidate', '\tdrm_gpusvm_for_each_range(r, notifier, adj_start, adj_end)\n\t\tneeds_flush |= amdgpu_svm_range_notifier_event_begin(svm, r,\n\t\t\t\t\t\t\t\t     mmu_range);'),
      cite(V3_08, 'amdgpu_svm_range_notifier_event_begin', '\tif (range->pages.flags.unmapped || !svm_range->gpu_mapped)\n\t\treturn false;'),
      cite(V3_08, 'amdgpu_svm_range_notifier_event_begin', '\tamdgpu_svm_range_zap_ptes(svm, svm_range, mmu_range);\n\trange_invalidate_gpu_mapping(svm_range);'),
      cite(V3_07, 'amdgpu_svm_range_zap_ptes', '\tunsigned long start_page = max(drm_gpusvm_range_start(base),\n\t\t\t\t       mmu_range->start) >> PAGE_SHIFT;\n\tunsigned long last_page = (min(drm_gpusvm_range_end(base),\n\t\t\t\t       mmu_range->end) >> PAGE_SHIFT) - 1;'),
      cite(V3_09, 'amdgpu_svm_range_invalidate', '\tif (!needs_flush)\n\t\tgoto range_notifier_event_end;\n\n\tsvm->flush_tlb(svm);'),
    ],
    note: 'ranges not unmapped and gpu_mapped: zap their PTEs, gpu_mapped = false; flush the TLB' + (c.ownerSkip ? '; skipped for a MIGRATE event of its own owner' : ''),
    reads: joined(['ranges', 'pages'], c.skipReads),
    writes: unmap ? ['checkpoint', 'pte', 'tlb', 'ranges', 'pteDev', 'tlbDev'] : ['pte', 'tlb', 'ranges', 'pteDev', 'tlbDev'],
    effect: (g, l) => {
      if (c.skipped(g, l)) return;
      const found = c.within(tree(g, c.inst), l);
      // `first = drm_gpusvm_range_find(...); if (!first) return;` comes before the capture: any
      // range counts, unmapped ones too. amdgpu_svm_capture_checkpoint_ts writes only when the IH
      // ring is not empty (`if (ih->rptr != checkpoint_wptr)`); the model takes it as not empty
      // (a fault still to be handled is in the ring), so an overlapping UNMAP always captures.
      if (unmap && found.length > 0) g.checkpoint = true;
      const live = found.filter((r) => !r.unmapped);
      // amdgpu_svm_range_zap_ptes clears only the range's part inside the interval
      // (`max(range start, mmu_range->start)` to `min(range end, mmu_range->end)`), while
      // gpu_mapped goes false for the whole range and phase 2 DMA-unmaps all of it (F15).
      zapMapped(g, live, c.devs, (pg) => void (pg.mapped = false), [l.is, l.ie]);
    },
    next: c.next,
  };
}
