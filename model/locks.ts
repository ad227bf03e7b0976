// The locks of DOMAIN.md §2.1 that the shared model needs, and shorthands for declaring them on
// steps. A driver's own locks (amdgpu attr_tree->lock, xe driver_migrate_lock) are in its module.

import type { LockDecl, LockMode, LockOp } from '../explorer/index.ts';
import { driverLock, type Driver } from './driver.ts';
import { suffix } from './gpu.ts';

export const MMAP = 'mmap_lock';
export const NOTIFIER = 'notifier_lock';
/** amdgpu svm->work_lock / xe garbage_collector.lock: the GC list. */
export const GC = 'gc_lock';
/**
 * lockdep's __mmu_notifier_invalidate_range_start_map, a pseudo-lock as fs_reclaim is: an
 * invalidation holds it while it calls the notifiers; mmu_interval_read_begin and
 * mmu_interval_notifier_remove take and drop it where they may sleep on an invalidation
 * (Step.lockMaps). Not in the lock table: it only adds lock-order edges.
 */
export const INV = 'invalidate_range_start_map';
/** The VM's page-directory reservation: amdgpu drm_exec on the PD, xe xe_vm_lock. */
export const RESV = 'vm_resv';

/** The notifier lock and the GC list lock of a drm_gpusvm instance; the VM resv of a GPU. */
export const notifierLock = (inst: number): string => NOTIFIER + suffix(inst);
export const gcLock = (inst: number): string => GC + suffix(inst);
export const vmResv = (dev: number): string => RESV + suffix(dev);

/** The dma-resv of the VRAM buffer a migration to `dev` creates (one buffer per device here). */
export function boResv(dev: number): string {
  return 'bo_resv' + suffix(dev);
}

/** Where the shared locks of instance 0 sit in every model's lock table (model/topology.ts). */
export const SLOT = { mmap: 0, notifier: 1, driver: 2 } as const;

/** The model's locks, in lock-table order; invariants find a lock's slot by name (model/topology.ts). */
export function svmLocks(driver: Driver, devices = 0, instances = 1): LockDecl[] {
  const locks: LockDecl[] = [
    { name: MMAP, kind: 'rwsem', description: 'mm->mmap_lock' },
    { name: NOTIFIER, kind: 'rwsem', description: 'gpusvm->notifier_lock' },
    { name: driverLock(driver), kind: 'rwsem', description: driver.lock.description },
    { name: GC, kind: 'spinlock', description: driver.gcLockDescription },
    { name: RESV, kind: 'ww_mutex', description: driver.resvDescription },
  ];
  // Device memory, then a second GPU's instance and VM.
  for (let d = 0; d < devices; d++) locks.push({ name: boResv(d), kind: 'ww_mutex', description: `dma-resv of the VRAM buffer of device ${d}` });
  for (let i = 1; i < instances; i++) {
    locks.push({ name: notifierLock(i), kind: 'rwsem', description: `gpusvm->notifier_lock of device ${i}'s instance` });
    locks.push({ name: driverLock(driver, i), kind: 'rwsem', description: `the driver SVM lock of device ${i}'s VM` });
    locks.push({ name: gcLock(i), kind: 'spinlock', description: `the GC list lock of device ${i}'s instance` });
  }
  for (let d = 1; d < devices; d++) locks.push({ name: vmResv(d), kind: 'ww_mutex', description: `the page-table reservation of device ${d}'s VM` });
  return [...locks, ...driver.ownLocks(devices)];
}

export const acquire = (lock: string, mode: LockMode = 'write'): LockOp => ({ op: 'acquire', lock, mode });
export const release = (lock: string, mode: LockMode = 'write'): LockOp => ({ op: 'release', lock, mode });

/**
 * A whole critical section in one step: acquire, the effect, release. Used only where every
 * access in the section is to state that lock protects, so no other process can observe the
 * inside of the section anyway (Lipton's reduction; docs/model.md lists each use).
 */
export const section = (lock: string, mode: LockMode = 'write'): LockOp[] => [acquire(lock, mode), release(lock, mode)];
