// "drm/gpusvm: Fix MM reference leak in drm_gpusvm_range_evict"
// (<20260714170025.3487974-1-matthew.brost@intel.com>, DOMAIN.md §5 bug 2): the -ENOMEM return
// puts the mm reference it took,
//
//	pfns = kvmalloc_array(npages, sizeof(*pfns), GFP_KERNEL);
//	if (!pfns) {
//		mmput(mm);		/* new */
//		return -ENOMEM;
//	}
//
// written as a change to the `*_start` step of every drm_gpusvm_range_evict xe runs in
// range-evict-enomem (the fault's migration retry, madvise's eviction, the prefetch's
// xe_svm_range_migrate_to_smem).

import { ENOMEM, OK, type SvmGlobals, type SvmLocals } from '../model/state.ts';
import type { StepPatch } from '../explorer/index.ts';
import { defineProposal } from './api.ts';

const putsOnEnomem = (program: string, label: string): StepPatch<SvmGlobals, SvmLocals> => ({
  program,
  label,
  replace: {
    effect: (g, l, c) => {
      g.mmUsers++;
      l.ret = c.choice === 1 ? ENOMEM : OK;
      if (l.ret === ENOMEM) g.mmUsers--;
    },
  },
});

export default defineProposal({
  name: 'gpusvm-range-evict-mmput',
  title: 'drm/gpusvm: drm_gpusvm_range_evict puts the mm reference when kvmalloc_array fails',
  base: 'xe',
  scenarios: ['range-evict-enomem'],
  patches: [putsOnEnomem('gpu_fault', 're_start'), putsOnEnomem('madvise_prefetch', 're_start'), putsOnEnomem('madvise_prefetch', 'me_start'), putsOnEnomem('madvise_prefetch', 'ps_start')],
});
