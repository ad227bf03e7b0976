// amdgpu SVM on drm_gpusvm, RFC V3 (2026-04-20, V3-0): svm->svm_lock, an attribute tree under
// attr_tree->lock, gpu_mapped published after the commit. V3 has no device memory
// (`devmem_possible = false; /* TODO: add migration */` in amdgpu_svm_range_map_fault), so a
// configuration with VRAM is refused here: amdgpu-v3-vram composes V3 with the migration series.

import type { Driver } from '../../driver.ts';
import { namesVram } from '../../config.ts';
import { amdgpuFault } from './fault.ts';
import { amdgpuGcLoop } from './gc.ts';
import { ATTR } from './locks.ts';
import { amdgpuInvalidateBegin } from './notifier.ts';
import { amdgpuSetAttr } from './set-attr.ts';
import { amdgpuTeardown } from './teardown.ts';
import { cite } from '../../sources.ts';
import { V3_09 } from './sources.ts';
import { CLOSED } from '../../state.ts';

export const amdgpuV3: Driver = {
  name: 'amdgpu-v3',
  description: 'amdgpu SVM on drm_gpusvm, RFC V3 (svm_lock, attribute tree, gpu_mapped published after the commit; no device memory)',
  refuses: (cfg) =>
    cfg.processes.some((p) => p.kind === 'migrate' || p.kind === 'evict')
      ? 'RFC V3 has no device memory (devmem_possible = false: TODO in amdgpu_svm_range_map_fault), so nothing migrates to VRAM or is evicted from it; use protocol amdgpu-v3-vram'
      : undefined,
  // `devmem_possible = false; /* TODO: add migration */` (V3 11/12 amdgpu_svm_range_map_fault).
  devmemPossible: () => false,
  lock: { name: 'svm_lock', description: 'svm->svm_lock' },
  gcLockDescription: 'svm->work_lock',
  resvDescription: 'VM page-directory reservation (drm_exec)',
  ownLocks: () => [{ name: ATTR, kind: 'mutex', description: 'attr_tree->lock' }],
  gcWork: 'amdgpu_svm_garbage_collector_work',
  attrOnUnmap: 'clear',
  vramEviction: 'move-unnotified',
  // No preferred_loc (0) means system memory.
  prefersVram: namesVram,
  initialAttrs: (_cfg, attrs) => [...attrs],
  invalidateBegin: amdgpuInvalidateBegin,
  // Before anything, DMA unmap included (finding F11).
  callbackReturnsEarly: {
    test: (g, inst) => g.life[inst]! >= CLOSED,
    reads: ['life'],
    cite: [cite(V3_09, 'amdgpu_svm_range_invalidate', '\tif (mmu_range->event == MMU_NOTIFY_RELEASE)\n\t\treturn;\n\tif (atomic_read(&svm->exiting))\n\t\treturn;')],
  },
  pagemap: {
    create: 'amdgpu populate_mm: amdgpu_bo_create + amdgpu_bo_reserve + drm_pagemap_devmem_init',
    unlock: 'amdgpu_bo_unreserve + amdgpu_bo_unref; mmap_read_unlock + mmput',
  },
  populateHoldsBo: false,
  // The hook the migration series adds in v4 (3/6); v3 has none (unhookedMove).
  evictHook: 'amdgpu_bo_move -> drm_pagemap_evict_to_ram',
  unhookedMove: 'ttm_bo_evict: amdgpu_bo_move of the SVM BO to GTT (not pinned, no eviction hook)',
  boResvSpan: 'populate-pfn',
  copyAfterClear: false,
  programs: {
    fault: amdgpuFault,
    setAttr: (d, cfg, prefetch) => amdgpuSetAttr(d, cfg, prefetch),
    gcLoop: amdgpuGcLoop,
    teardown: amdgpuTeardown,
  },
};
