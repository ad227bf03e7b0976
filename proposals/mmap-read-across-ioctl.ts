// DOMAIN.md R-5 (Matthew Brost on V1): holding mmap_read across the ioctl path to keep the
// notifier away, instead of retry loops. Here SET_ATTR keeps mmap_lock(R) from its VMA check to
// the end, around svm_lock and invalidate_interval (and drops it on the -EINVAL path). Brost:
// "holding locks to avoid races was rejected by Sima".

import { MMAP, release } from '../model/locks.ts';
import { OK } from '../model/state.ts';
import { defineProposal } from './api.ts';

export default defineProposal({
  name: 'mmap-read-across-ioctl',
  title: 'amdgpu: SET_ATTR holds mmap_read from the VMA check to the end, instead of relying on retries (R-5)',
  base: 'amdgpu-v3',
  scenarios: ['fault-vs-set-attr', 'munmap-gc-remap'],
  patches: [
    {
      program: 'set_attr',
      insert: { label: 'attr_invalid', kernelFn: 'mmap_read_unlock (-EINVAL)', locks: [release(MMAP, 'read')], next: 'done' },
      after: 'attr_validate',
    },
    {
      program: 'set_attr',
      label: 'attr_validate',
      replace: {
        locks: [{ op: 'acquire', lock: MMAP, mode: 'read' }],
        next: (_g, l) => (l.ret === OK ? 'attr_set' : 'attr_invalid'),
      },
    },
    { program: 'set_attr', label: 'unlock_svm', replace: { locks: [release('svm_lock'), release(MMAP, 'read')] } },
  ],
});
