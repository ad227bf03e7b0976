// The locks of DOMAIN.md §2.1 that the model needs, and shorthands for declaring them on steps.

import type { LockDecl, LockMode, LockOp } from '../explorer/index.ts';
import type { Protocol } from './config.ts';
import { suffix } from './gpu.ts';

export const MMAP = 'mmap_lock';
export const NOTIFIER = 'notifier_lock';
/** amdgpu attr_tree->lock (xe keeps attributes in the gpuvm VMA tree under vm->lock). */
export const ATTR = 'attr_lock';
/** amdgpu svm->work_lock / xe garbage_collector.lock: the GC list. */
export const GC = 'gc_lock';
/** The VM's page-directory reservation: amdgpu drm_exec on the PD, xe xe_vm_lock. */
export const RESV = 'vm_resv';

/**
 * The driver SVM lock: amdgpu svm->svm_lock, xe vm->lock. Both rwsems taken for write. One per
 * VM, so a second GPU (its own VM, its own gpusvm) has its own: `svm_lock1` / `vm_lock1`.
 */
export function driverLock(protocol: Protocol, inst = 0): string {
  return (protocol === 'xe' ? 'vm_lock' : 'svm_lock') + suffix(inst);
}

/** The notifier lock and the GC list lock of a drm_gpusvm instance; the VM resv of a GPU. */
export const notifierLock = (inst: number): string => NOTIFIER + suffix(inst);
export const gcLock = (inst: number): string => GC + suffix(inst);
export const vmResv = (dev: number): string => RESV + suffix(dev);

/** The dma-resv of the VRAM buffer a migration to `dev` creates (one buffer per device here). */
export function boResv(dev: number): string {
  return 'bo_resv' + suffix(dev);
}

/** xe's module-wide rwsem serialising device migrations that race (XE-SERIALIZE). */
export const DRIVER_MIGRATE = 'driver_migrate_lock';

/** The model's locks, in lock-table order; invariants find a lock's slot by name (model/topology.ts). */
export function svmLocks(protocol: Protocol, devices = 0, instances = 1): LockDecl[] {
  const locks: LockDecl[] = [
    { name: MMAP, kind: 'rwsem', description: 'mm->mmap_lock' },
    { name: NOTIFIER, kind: 'rwsem', description: 'gpusvm->notifier_lock' },
    { name: driverLock(protocol), kind: 'rwsem', description: protocol === 'xe' ? 'vm->lock (outermost)' : 'svm->svm_lock' },
    { name: GC, kind: 'spinlock', description: protocol === 'xe' ? 'vm->svm.garbage_collector.lock' : 'svm->work_lock' },
    { name: RESV, kind: 'ww_mutex', description: protocol === 'xe' ? 'xe_vm_resv (xe_vm_lock)' : 'VM page-directory reservation (drm_exec)' },
  ];
  if (protocol === 'amdgpu-v3') locks.push({ name: ATTR, kind: 'mutex', description: 'attr_tree->lock' });
  // Device memory, then a second GPU's instance and VM.
  for (let d = 0; d < devices; d++) locks.push({ name: boResv(d), kind: 'ww_mutex', description: `dma-resv of the VRAM buffer of device ${d}` });
  for (let i = 1; i < instances; i++) {
    locks.push({ name: notifierLock(i), kind: 'rwsem', description: `gpusvm->notifier_lock of device ${i}'s instance` });
    locks.push({ name: driverLock(protocol, i), kind: 'rwsem', description: `the driver SVM lock of device ${i}'s VM` });
    locks.push({ name: gcLock(i), kind: 'spinlock', description: `the GC list lock of device ${i}'s instance` });
  }
  for (let d = 1; d < devices; d++) locks.push({ name: vmResv(d), kind: 'ww_mutex', description: `the page-table reservation of device ${d}'s VM` });
  if (protocol === 'xe' && devices > 0) locks.push({ name: DRIVER_MIGRATE, kind: 'rwsem', description: 'xe driver_migrate_lock (static, module-wide)' });
  return locks;
}

export const acquire = (lock: string, mode: LockMode = 'write'): LockOp => ({ op: 'acquire', lock, mode });
export const release = (lock: string, mode: LockMode = 'write'): LockOp => ({ op: 'release', lock, mode });

/**
 * A whole critical section in one step: acquire, the effect, release. Used only where every
 * access in the section is to state that lock protects, so no other process can observe the
 * inside of the section anyway (Lipton's reduction; docs/model.md lists each use).
 */
export const section = (lock: string, mode: LockMode = 'write'): LockOp[] => [acquire(lock, mode), release(lock, mode)];
