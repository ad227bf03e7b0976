// Publish amdgpu's gpu_mapped together with the PTE write, under the notifier lock, as xe does
// with tile_present (the fix for finding F1 in docs/model.md). In amdgpu_svm_range_update_mapping:
// WRITE_ONCE(range->gpu_mapped, true) moves from after drm_gpusvm_notifier_unlock() into the
// locked section, right after amdgpu_svm_range_update_gpu_range() succeeded. The same patch on the
// VRAM composition is gpu-mapped-under-notifier-lock-vram.ts (it closes F5 for the fault path).

import { pagesValid, rangeStarting, writePtes } from '../model/queries.ts';
import { EAGAIN, OK } from '../model/state.ts';
import { defineProposal, type Proposal } from './api.ts';

/** The patch, shared with the VRAM composition's proposal. */
export const publishUnderLock: Proposal['patches'] = [
    {
      program: 'gpu_fault',
      label: 'um_commit',
      replace: {
        kernelFn: 'amdgpu_svm_range_update_mapping: notifier_lock, pages_valid, update_range, gpu_mapped = true',
        effect: (g, l) => {
          const r = rangeStarting(g, l.range)!;
          if (!pagesValid(r) || r.unmapped || r.partialUnmap) {
            r.mapped = false;
            l.ret = EAGAIN;
            return;
          }
          writePtes(g, r);
          r.mapped = true;
          l.ret = OK;
        },
      },
    },
    { program: 'gpu_fault', label: 'um_publish', replace: { kernelFn: 'amdgpu_vm_update_pdes', effect: () => {} } },
];

export default defineProposal({
  name: 'gpu-mapped-under-notifier-lock',
  title: 'amdgpu: set gpu_mapped in the notifier-locked commit, with the PTE write, as xe sets tile_present',
  base: 'amdgpu-v3',
  scenarios: ['fault-vs-invalidate', 'two-faults', 'fault-vs-munmap', 'munmap-gc-remap'],
  patches: publishUnderLock,
});
