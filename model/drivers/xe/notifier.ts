// xe's gpusvm->ops->invalidate, phase 1 (xe_svm_invalidate): the PTEs of every range that is not
// unmapped and has tile_present are zapped (xe_pt_zap_ptes_range), tile_invalidated is set, and
// the TLB invalidation is waited for before the callback goes on. Before phase 1 it waits for the
// VM resv's fences (dma_resv_wait_timeout), which include an unbind's queued TLB invalidation.

import type { CallbackContext } from '../../driver.ts';
import { tree, zapMapped } from '../../queries.ts';
import { joined, type SvmStep } from '../../steps/types.ts';
import { cite } from '../../sources.ts';
import { LIVE } from '../../state.ts';
import { XE_SVM_C } from './sources.ts';

export function xeInvalidateBegin(c: CallbackContext): SvmStep {
  return {
    label: c.label,
    kernelFn: 'xe_svm_invalidate: phase 1 (xe_pt_zap_ptes_range, TLB invalidation)',
    cite: [
      cite(XE_SVM_C, 'xe_svm_range_notifier_event_begin', '\t/* Skip if already unmapped or if no binding exist */\n\tif (range->base.pages.flags.unmapped || !range->tile_present)\n\t\treturn 0;'),
      cite(XE_SVM_C, 'xe_svm_range_notifier_event_begin', '\t\tif (xe_pt_zap_ptes_range(tile, vm, range)) {'),
      cite(XE_SVM_C, 'xe_svm_invalidate', '\terr = xe_vm_range_tilemask_tlb_inval(vm, adj_start, adj_end, tile_mask);'),
      cite(XE_SVM_C, 'xe_svm_invalidate', '\tif (xe_vm_is_closed(vm))\n\t\tgoto range_notifier_event_end;'),
      cite(XE_SVM_C, 'xe_svm_invalidate', '\terr = dma_resv_wait_timeout(xe_vm_resv(vm),\n\t\t\t\t    DMA_RESV_USAGE_BOOKKEEP,\n\t\t\t\t    false, MAX_SCHEDULE_TIMEOUT);'),
    ],
    note: 'ranges not unmapped with tile_present: zap, tile_invalidated = true; TLB invalidation' + (c.ownerSkip ? '; skipped for a MIGRATE event of its own owner' : ''),
    reads: joined(['ranges', 'pages', 'life', 'tlbInval'], c.skipReads),
    writes: ['pte', 'tlb', 'ranges', 'pteDev', 'tlbDev'],
    // With a range in the interval and the VM open, the callback first waits for the VM resv's
    // fences, an unbind's queued TLB invalidation among them.
    guard: (g, l) => c.skipped(g, l) || g.life[c.inst] !== LIVE || c.within(tree(g, c.inst), l).length === 0 || c.devs.every((d) => g.tlbInval[d] === 0),
    effect: (g, l) => {
      // A closed VM: "PTs may be getting destroyed so not safe to touch these but PT should be
      // invalidated at this point in time" (xe_vm_close cleared them); phase 2 still DMA-unmaps.
      if (c.skipped(g, l) || g.life[c.inst] !== LIVE) return;
      const live = c.within(tree(g, c.inst), l).filter((r) => !r.unmapped);
      zapMapped(g, live, c.devs, (pg) => void (pg.invalidated = true));
    },
    next: c.next,
  };
}
