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

const interval = (_g: SvmGlobals, l: SvmLocals): readonly [number, number] => [l.page, l.end];

/** The SET_ATTR prefetch force-trigger to one device's VRAM, under that GPU's svm_lock(W). */
export function amdgpuPrefetchVram(d: Driver, cfg: SvmConfig): Program<SvmGlobals, SvmLocals> {
  const lock = (dev: number): string => driverLock(d, gpuOf(cfg, dev).inst);
  const out = { to: () => 'pv_unlock' };
  return {
    name: 'prefetch_vram',
    start: 'pv_lock',
    steps: [
      ...perDevice(cfg, 'pv_lock', (dev) => ({ kernelFn: 'amdgpu_svm_attr_set (prefetch trigger): down_write(svm_lock)', locks: [acquire(lock(dev))], next: 'pv_decide' })),
      {
        label: 'pv_decide',
        kernelFn: 'amdgpu_svm_range_migrate: migration decision layer',
        note: "migrate unless the interval is already in this device's VRAM",
        reads: ['pages', 'devmem'],
        effect: (_g, l) => void (l.ret = OK),
        next: (g, l) => (inVram(g, l.dev, l.page, l.end) ? 'pv_unlock' : 'mg_mmap_lock'),
      },
      ...migrateToDevmemSteps(cfg, { prefix: 'mg_', target: interval, driver: d }, { ok: out, busy: out, fail: out }),
      ...perDevice(cfg, 'pv_unlock', (dev) => ({ kernelFn: 'up_write(svm_lock)', locks: [release(lock(dev))], next: 'done' })),
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
      kernelFn: 'amdgpu_svm_range_migrate: migration decision layer (prefetch_loc / preferred_loc)',
      note: "the attributes name this device's VRAM, the range may use device memory and is not there yet: migrate",
      locks: section(ATTR),
      reads: ['attrs', 'ranges', 'pages', 'devmem'],
      effect: (_g, l) => void (l.dev = 0),
      next: (g, l) => (wantsVram(g, rangeStarting(g, l.range)!, d, attrValue(g, l.range), 0) ? 'mg_mmap_lock' : 'gp_read_begin'),
    },
    ...migrateToDevmemSteps(cfg, { prefix: 'mg_', target: rangeInterval(0), driver: d, devs: [0] }, { ok: on, busy: on, fail: on }),
  ];
}
