// amdgpu RFC V3 with the VRAM migration series v3 (MIG-V3-0, 2026-04-27) on top: a composition
// of two code bases. RFC V3 cannot map device pages, and the migration series was posted against
// its own base; this protocol runs V3's fault path, notifier, GC and SET_ATTR with the series'
// prefetch to VRAM, migration decision layer and unpinned VRAM buffer. Its findings hold for the
// composition, not for either posted series alone (docs/model.md).

import { devices, type SvmConfig } from '../../config.ts';
import type { Driver } from '../../driver.ts';
import { amdgpuV3 } from '../amdgpu-v3/index.ts';
import { amdgpuSetAttr } from '../amdgpu-v3/set-attr.ts';
import { amdgpuPrefetchDecision, amdgpuPrefetchVram } from './migrate.ts';
import { BO_CREATE, BO_UNRESERVE, DEVMEM_INIT, EVICT_HOOK, NO_EVICT_HOOK, PFN_CURSOR, PFN_RESERVE, PFN_UNRESERVE, POPULATE_MM_RETURN } from './sources.ts';

export const amdgpuV3Vram: Driver = {
  ...amdgpuV3,
  name: 'amdgpu-v3-vram',
  description: 'amdgpu RFC V3 composed with the VRAM migration series v3 (two code bases: V3 cannot map device pages; the series patches its own base)',
  refuses: (cfg) => (migrates(cfg) ? undefined : 'nothing here migrates to VRAM, so the composition runs RFC V3 alone: use protocol amdgpu-v3'),
  devmemPossible: (cfg) => devices(cfg) > 0,
  // MIG v3 2/5: amdgpu_svm_populate_mm -> amdgpu_svm_bo_alloc, then drm_pagemap_migrate_to_devmem.
  pagemap: {
    create: 'amdgpu_svm_populate_mm: amdgpu_svm_bo_alloc (amdgpu_bo_create VRAM_CLEARED, amdgpu_bo_unreserve, drm_pagemap_devmem_init with no pre_migrate_fence)',
    unlock: 'amdgpu_svm_populate_mm returns; drm_pagemap_populate_mm: mmap_read_unlock + mmput',
  },
  // The hook is MIG v4 3/6 (vramEviction 'evict-to-ram'); MIG v3 has none (the default, 'move-unnotified').
  evictHook: 'amdgpu_bo_move -> amdgpu_svm_bo_evict -> drm_pagemap_evict_to_ram (MIG v4 3/6)',
  unhookedMove: 'ttm_bo_evict: amdgpu_bo_move of the SVM BO to GTT (MIG v3: not pinned, no eviction hook)',
  pagemapCite: {
    create: [BO_CREATE, BO_UNRESERVE, DEVMEM_INIT],
    unlock: [POPULATE_MM_RETURN],
    evictHook: [EVICT_HOOK],
    unhookedMove: [NO_EVICT_HOOK],
    populatePfn: [PFN_RESERVE, PFN_CURSOR, PFN_UNRESERVE],
  },
  // MIG v3 2/5: the reservation is held only inside amdgpu_svm_populate_devmem_pfn.
  boResvSpan: 'populate-pfn',
  // MIG v3 2/5: no pre_migrate_fence, and the copy is submitted with no resv to sync to.
  copyAfterClear: false,
  programs: {
    ...amdgpuV3.programs,
    setAttr: (d, cfg, prefetch) => amdgpuSetAttr(d, cfg, prefetch, amdgpuPrefetchDecision(d, cfg)),
    prefetchVram: amdgpuPrefetchVram,
  },
};

/** Some process uses the migration series: a prefetch to VRAM, an eviction, or SET_ATTR's prefetch with VRAM. */
function migrates(cfg: SvmConfig): boolean {
  return devices(cfg) > 0 && cfg.processes.some((p) => p.kind === 'migrate' || p.kind === 'evict' || (p.kind === 'set-attr' && p.prefetch === true));
}
