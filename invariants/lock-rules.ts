// Lock-context rules of DOMAIN.md §2.2, checked on every edge of the lock-order graph (with
// `svmcheck lockorder`). Cycles, including those through fs_reclaim, are reported beside them.

import { FS_RECLAIM, type LockRule } from '../explorer/index.ts';
import { MMAP, NOTIFIER } from '../model/locks.ts';

const DRIVER_LOCKS = new Set(['svm_lock', 'vm_lock']);

export const SVM_LOCK_RULES: readonly LockRule[] = [
  {
    id: 'R1',
    statement: 'the MMU notifier callback (notifier_lock held for write) takes neither the driver SVM lock nor mmap_lock',
    breaks: (e) => e.from.lock === NOTIFIER && e.from.mode === 'write' && (DRIVER_LOCKS.has(e.to.lock) || e.to.lock === MMAP),
  },
  {
    id: 'R2',
    statement: 'nothing that may allocate memory (enter reclaim, and so the notifier) runs under notifier_lock',
    breaks: (e) => e.from.lock === NOTIFIER && e.to.lock === FS_RECLAIM,
  },
  {
    id: 'R3',
    statement: 'the driver SVM lock is outermost: it is never taken while another lock is held',
    breaks: (e) => DRIVER_LOCKS.has(e.to.lock) && e.from.lock !== FS_RECLAIM,
  },
];
