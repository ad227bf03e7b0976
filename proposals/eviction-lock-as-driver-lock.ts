// DOMAIN.md R-3 (Christian König, v8 02/18): use the VM's eviction_lock as the driver SVM lock,
// held only around GPU mapping, with range lifetimes left to reference counting. So svm_lock is
// no longer taken on the fault, GC and SET_ATTR paths; eviction_lock is held from the PD lock to
// drm_exec_fini in update_mapping; and the notifier's zap, amdgpu_vm_update_range, takes it
// (per the lock trace Honglei Huang posted in reply).

import { acquire, release, RESV } from '../model/locks.ts';
import { defineProposal } from './api.ts';

const EVICTION = 'eviction_lock';
const noDriverLock = (program: string, label: string) => ({ program, label, replace: { locks: [] } });

export default defineProposal({
  name: 'eviction-lock-as-driver-lock',
  title: "amdgpu: vm->eviction_lock as the driver SVM lock, held only during GPU mapping (König's R-3)",
  base: 'amdgpu-v3',
  scenarios: ['fault-vs-invalidate'],
  addLocks: [{ name: EVICTION, kind: 'mutex', description: 'vm->eviction_lock' }],
  patches: [
    noDriverLock('gpu_fault', 'lock_svm'),
    noDriverLock('gpu_fault', 'unlock_svm'),
    { program: 'gpu_fault', label: 'um_lock_pd', replace: { locks: [acquire(RESV), acquire(EVICTION)] } },
    { program: 'gpu_fault', label: 'um_unlock_pd', replace: { locks: [release(EVICTION), release(RESV)] } },
    { program: 'gpu_fault', label: 'um_unlock_pd_again', replace: { locks: [release(EVICTION), release(RESV)] } },
    {
      program: 'invalidate',
      label: 'event_begin',
      replace: { kernelFn: 'event_begin: zap PTEs via amdgpu_vm_update_range (eviction_lock)', locks: [acquire(EVICTION), release(EVICTION)] },
    },
  ],
});
