// Prefetch to VRAM of one device (DOMAIN.md §3.5, §3.6), each driver's way:
//   amdgpu (VRAM migration series): the SET_ATTR prefetch force-trigger under svm_lock(W) runs the
//     migration decision layer (the range is not already in that device's VRAM) and
//     drm_pagemap_populate_mm. No driver_migrate_lock: "Single GPU only" (MIG-V3-0).
//   xe: a VM_BIND prefetch op under vm->lock(W): xe_svm_alloc_vram with driver_migrate_lock.
// Each GPU's VM has its own driver lock; the mapping afterwards is left to GPU faults.

import type { Program } from '../../explorer/index.ts';
import type { Protocol, SvmConfig } from '../config.ts';
import { gpuOf } from '../gpu.ts';
import { acquire, driverLock, release } from '../locks.ts';
import { inVram } from '../devmem.ts';
import { OK, type SvmGlobals, type SvmLocals } from '../state.ts';
import { allocVramSteps } from '../steps/alloc-vram.ts';
import { migrateToDevmemSteps } from '../steps/migrate-to-devmem.ts';
import { perDevice } from '../steps/per-device.ts';

const interval = (_g: SvmGlobals, l: SvmLocals): readonly [number, number] => [l.page, l.end];

export function prefetchVram(cfg: SvmConfig, protocol: Protocol): Program<SvmGlobals, SvmLocals> {
  const xe = protocol === 'xe';
  // The driver lock of the GPU's instance (with one instance, the GPUs share it).
  const lock = (d: number): string => driverLock(protocol, gpuOf(cfg, d).inst);
  return {
    name: 'prefetch_vram',
    start: 'pv_lock',
    steps: [
      ...perDevice(cfg, 'pv_lock', (d) => ({
        kernelFn: xe ? 'xe_vm_bind prefetch op: down_write(vm->lock)' : 'amdgpu_svm_attr_set (prefetch trigger): down_write(svm_lock)',
        locks: [acquire(lock(d))],
        next: 'pv_decide',
      })),
      {
        label: 'pv_decide',
        kernelFn: xe ? 'xe_svm_range_needs_migrate_to_vram' : 'amdgpu_svm_range_migrate: migration decision layer',
        note: 'migrate unless the interval is already in this device\'s VRAM',
        reads: ['pages', 'devmem'],
        effect: (_g, l) => void (l.ret = OK),
        next: (g, l) => (inVram(g, l.dev, l.page, l.end) ? 'pv_unlock' : xe ? 'av_lock_read' : 'mg_mmap_lock'),
      },
      ...(xe
        ? allocVramSteps(cfg, interval, { ok: { to: () => 'pv_unlock' }, fail: { to: () => 'pv_unlock' } })
        : migrateToDevmemSteps(cfg, { prefix: 'mg_', target: interval, protocol }, { ok: { to: () => 'pv_unlock' }, busy: { to: () => 'pv_unlock' }, fail: { to: () => 'pv_unlock' } })),
      ...perDevice(cfg, 'pv_unlock', (d) => ({
        kernelFn: xe ? 'up_write(vm->lock)' : 'up_write(svm_lock)',
        locks: [release(lock(d))],
        next: 'done',
      })),
    ],
  };
}
