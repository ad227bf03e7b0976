// xe_svm, the driver amdgpu follows: vm->lock (outermost), attributes in the gpuvm VMA tree,
// tile_present set under the notifier lock in the bind pre-commit, driver_migrate_lock
// (XE-SERIALIZE) and the xe_svm_bo_evict hook for device memory.

import type { Driver } from '../../driver.ts';
import { devices, namesVram } from '../../config.ts';
import { attrHole } from '../../queries.ts';
import type { AttrRange } from '../../state.ts';
import { xeFault } from './fault.ts';
import { xeGcLoop } from './gc.ts';
import { xeTeardown } from './teardown.ts';
import { DRIVER_MIGRATE } from './locks.ts';
import { xeSetAttr } from './madvise.ts';
import { xeInvalidateBegin } from './notifier.ts';
import { xePrefetchVram } from './prefetch-vram.ts';
import { xeTlbInval } from './tlb-inval.ts';
import { cite } from '../../sources.ts';
import { XE_CONSUMES, XE_SVM_C } from './sources.ts';

export const xe: Driver = {
  name: 'xe',
  description: 'xe_svm (vm->lock, tile_present set under the notifier lock in the bind pre-commit)',
  lock: { name: 'vm_lock', description: 'vm->lock (outermost)' },
  gcLockDescription: 'vm->svm.garbage_collector.lock',
  resvDescription: 'xe_vm_resv (xe_vm_lock)',
  ownLocks: (devices) => (devices > 0 ? [{ name: DRIVER_MIGRATE, kind: 'rwsem', description: 'xe driver_migrate_lock (static, module-wide)' }] : []),
  devmemPossible: (cfg) => devices(cfg) > 0,
  gcWork: 'xe_svm_garbage_collector_work_func',
  attrOnUnmap: 'reset',
  vramEviction: 'evict-to-ram',
  // The default (0) is DRM_XE_PREFERRED_LOC_DEFAULT_DEVICE: the faulting device's VRAM.
  prefersVram: (value, dev) => namesVram(value, dev) || value === 0,
  // The CPU-address-mirror VMA covers the whole modeled VA; holes get default attributes.
  initialAttrs: (cfg, given) => {
    let attrs: AttrRange[] = [...given];
    for (let p = 0; p < cfg.pages; p++) {
      if (attrs.some((a) => a.start <= p && p < a.end)) continue;
      const [s, e] = attrHole(attrs, p, cfg.pages);
      attrs = [...attrs, { start: s, end: e, value: 0 }].sort((a, b) => a.start - b.start);
    }
    return attrs;
  },
  invalidateBegin: xeInvalidateBegin,
  pagemap: {
    create: 'xe_drm_pagemap_populate_mm: xe_bo_create_locked + drm_pagemap_devmem_init',
    unlock: 'xe_bo_unlock + xe_bo_put; mmap_read_unlock + mmput',
  },
  // xe_bo_create_locked's reference is populate_mm's own; xe_bo_get gives the allocation its
  // reference (xe_svm_devmem_release puts it), which drm_pagemap_migrate_to_devmem consumes.
  populateHoldsBo: true,
  pagemapCite: {
    create: [
      cite(XE_SVM_C, 'xe_drm_pagemap_populate_mm', '\tbo = xe_bo_create_locked(vr->xe, NULL, NULL, end - start,'),
      cite(XE_SVM_C, 'xe_drm_pagemap_populate_mm', '\txe_bo_get(bo);'),
    ],
    unlock: [
      cite(XE_CONSUMES, 'xe_drm_pagemap_populate_mm', '\t\t/* Consumes the devmem allocation ref. */\n\t\terr = drm_pagemap_migrate_to_devmem(&bo->devmem_allocation, mm,'),
      cite(XE_SVM_C, 'xe_drm_pagemap_populate_mm', '\txe_bo_unlock(bo);\n\txe_bo_put(bo);'),
      cite(XE_SVM_C, 'xe_svm_devmem_release', '\txe_bo_put_async(bo);'),
    ],
  },
  evictHook: 'xe_svm_bo_evict',
  boResvSpan: 'migration',
  copyAfterClear: true,
  programs: {
    fault: xeFault,
    setAttr: xeSetAttr,
    gcLoop: xeGcLoop,
    prefetchVram: xePrefetchVram,
    teardown: xeTeardown,
    tlbInval: xeTlbInval,
  },
};
