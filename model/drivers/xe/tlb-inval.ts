// The GPU's TLB invalidation an unbind queued and did not wait for (xe: the invalidation_fence
// xe_pt_update_ops_run chains behind the page-table update; __xe_svm_garbage_collector drops the
// fence it returns). Until it completes, the TLB keeps translating the range's pages to what the
// PTEs pointed to. Idle between invalidations, which is not a deadlock.

import type { Program } from '../../../explorer/index.ts';
import { completeTlbInval } from '../../queries.ts';
import type { SvmGlobals, SvmLocals } from '../../state.ts';
import { cite } from '../../sources.ts';
import { XE_PT_C } from './sources.ts';

export function xeTlbInval(): Program<SvmGlobals, SvmLocals> {
  const pending = (g: SvmGlobals): number[] => g.tlbInval.flatMap((m, dev) => (m ? [dev] : []));
  return {
    name: 'tlb_inval',
    start: 'tlb_idle',
    endLabels: ['tlb_idle'],
    steps: [
      {
        label: 'tlb_inval_done',
        at: 'tlb_idle',
        kernelFn: 'the queued TLB invalidation completes (GuC); its invalidation_fence signals',
        cite: [cite(XE_PT_C, 'xe_pt_update_ops_run', '\t/* tlb invalidation must be done before signaling rebind */\n\tif (ifence) {')],
        reads: ['tlbInval', 'pte', 'pteDev', 'pages'],
        writes: ['tlbInval', 'tlb', 'tlbDev'],
        guard: (g) => pending(g).length > 0,
        choices: pending,
        effect: (g, _l, c) => completeTlbInval(g, c.choice),
        next: 'tlb_idle',
      },
    ],
  };
}
