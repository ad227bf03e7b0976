// amdgpu V3's gpusvm->ops->invalidate, phase 1 (V3 08/12): amdgpu_svm_range_invalidate captures
// the stale-fault checkpoint on UNMAP, then event_begin zaps the PTEs of every range that is not
// unmapped and is gpu_mapped, clears gpu_mapped, and flushes the TLB. A range whose gpu_mapped is
// not published yet is skipped (finding F1).

import type { CallbackContext } from '../../driver.ts';
import { overlapping, tree, zapMapped } from '../../queries.ts';
import type { SvmStep } from '../../steps/types.ts';
import { joined } from '../../steps/types.ts';

export function amdgpuInvalidateBegin(c: CallbackContext): SvmStep {
  const unmap = c.event === 'unmap';
  return {
    label: c.label,
    kernelFn: unmap
      ? 'amdgpu_svm_range_invalidate: capture checkpoint_ts, event_begin (zap PTEs, flush_tlb)'
      : 'amdgpu_svm_range_invalidate: event_begin (zap PTEs, flush_tlb)',
    note: 'ranges not unmapped and gpu_mapped: zap their PTEs, gpu_mapped = false; flush the TLB' + (c.ownerSkip ? '; skipped for a MIGRATE event of its own owner' : ''),
    reads: joined(['ranges', 'pages'], c.skipReads),
    writes: unmap ? ['checkpoint', 'pte', 'tlb', 'ranges', 'pteDev', 'tlbDev'] : ['pte', 'tlb', 'ranges', 'pteDev', 'tlbDev'],
    effect: (g, l) => {
      if (c.skipped(g, l)) return;
      if (unmap) g.checkpoint = true;
      const live = overlapping(tree(g, c.inst), l.is, l.ie).filter((r) => !r.unmapped);
      zapMapped(g, live, c.devs, (pg) => void (pg.mapped = false));
    },
    next: c.next,
  };
}
