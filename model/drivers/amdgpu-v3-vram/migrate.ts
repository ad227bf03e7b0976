// The device-memory parts of amdgpu's VRAM migration series v3 (MIG-V3-0 .. 5/5), as the
// amdgpu-v3-vram composition runs them on top of RFC V3:
//   prefetch to VRAM: the SET_ATTR prefetch force-trigger under svm_lock(W) runs the migration
//     decision layer and drm_pagemap_populate_mm. No driver_migrate_lock: "Single GPU only".
//   SET_ATTR with PREFETCH: the decision layer before each range of the interval is mapped.
//   eviction: the VRAM buffer is an ordinary, unpinned BO with no eviction hook (Driver.unhookedMove).

import type { Program } from '../../../explorer/index.ts';
import type { SvmConfig } from '../../config.ts';
import { inVram, wantsVram } from '../../devmem.ts';
import { driverLock, type Driver } from '../../driver.ts';
import { gpuOf } from '../../gpu.ts';
import { acquire, release, section } from '../../locks.ts';
import { attrValue, rangeInterval, rangeStarting } from '../../queries.ts';
import { OK, type SvmGlobals, type SvmLocals } from '../../state.ts';
import { migrateToDevmemSteps } from '../../steps/migrate-to-devmem.ts';
import { perDevice } from '../../steps/per-device.ts';
import { goto, type SvmStep } from '../../steps/types.ts';
import { ATTR } from '../amdgpu-v3/locks.ts';
import { MIGRATE_RANGE, NEEDS_MIGRATE, PER_RANGE_MIGRATION, POPULATE_MM_CALL, RANGE_IN_VRAM, SET_RANGE_LOCK, SET_RANGE_UNLOCK } from './sources.ts';

const interval = (_g: SvmGlobals, l: SvmLocals): readonly [number, number] => [l.page, l.end];

/**
 * The SET_ATTR prefetch force-trigger to one device's VRAM, under that GPU's svm_lock(W). No
 * amdgpu code path is this program: a prefetch is SET_ATTR with PREFETCH_LOC, which migrates
 * per drm_gpusvm range and maps it (set_attr_prefetch, `pf_decide`); `prefetch_vram` keeps the
 * `migrate` process kind runnable under amdgpu-v3-vram, standing for that migration without the
 * ioctl around it (docs/model.md).
 */
export function amdgpuPrefetchVram(d: Driver, cfg: SvmConfig): Program<SvmGlobals, SvmLocals> {
  const lock = (dev: number): string => driverLock(d, gpuOf(cfg, dev).inst);
  const out = { to: () => 'pv_unlock' };
  return {
    name: 'prefetch_vram',
    start: 'pv_lock',
    steps: [
      ...perDevice(cfg, 'pv_lock', (dev) => ({ kernelFn: 'amdgpu_svm_attr_set_range (PREFETCH_LOC): down_write(svm_lock)', cite: [SET_RANGE_LOCK], locks: [acquire(lock(dev))], next: 'pv_decide' })),
      {
        label: 'pv_decide',
        kernelFn: 'amdgpu_svm_range_migrate_range -> amdgpu_svm_range_migrate_to_vram (drm_pagemap_populate_mm, timeslice 0)',
        note: "migrate unless the interval is already in this device's VRAM (the series decides per drm_gpusvm range from its flags)",
        cite: [MIGRATE_RANGE, POPULATE_MM_CALL],
        reads: ['pages', 'devmem'],
        effect: (_g, l) => void (l.ret = OK),
        next: (g, l) => (inVram(g, l.dev, l.page, l.end) ? 'pv_unlock' : 'mg_mmap_lock'),
      },
      ...migrateToDevmemSteps(cfg, { prefix: 'mg_', target: interval, driver: d }, { ok: out, busy: out, fail: out }),
      ...perDevice(cfg, 'pv_unlock', (dev) => ({ kernelFn: 'amdgpu_svm_attr_set_range: up_write(svm_lock)', cite: [SET_RANGE_UNLOCK], locks: [release(lock(dev))], next: 'done' })),
    ],
  };
}

/**
 * SET_ATTR with PREFETCH (MIG-V3-0 patches 3 and 5): the decision layer reads the range's
 * attributes; a prefetch location in this device's VRAM migrates it (drm_pagemap_populate_mm).
 * A failed migration is not fatal: the range is mapped from wherever its pages are.
 */
export function amdgpuPrefetchDecision(d: Driver, cfg: SvmConfig): SvmStep[] {
  const on = goto('gp_read_begin');
  return [
    {
      label: 'pf_decide',
      kernelFn: 'amdgpu_svm_range_map: amdgpu_svm_range_migrate_range (range_needs_migrate_to_vram)',
      cite: [PER_RANGE_MIGRATION, NEEDS_MIGRATE, RANGE_IN_VRAM, POPULATE_MM_CALL],
      note: "the attributes name this device's VRAM, the range may use device memory and is not there yet: migrate",
      locks: section(ATTR),
      reads: ['attrs', 'ranges', 'pages', 'devmem'],
      effect: (_g, l) => void (l.dev = 0),
      next: (g, l) => (wantsVram(g, rangeStarting(g, l.range)!, d, attrValue(g, l.range), 0) ? 'mg_mmap_lock' : 'gp_read_begin'),
    },
    ...migrateToDevmemSteps(cfg, { prefix: 'mg_', target: rangeInterval(0), driver: d, devs: [0] }, { ok: on, busy: on, fail: on }),
  ];
}
