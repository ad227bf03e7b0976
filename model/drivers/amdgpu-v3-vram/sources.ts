// Where amdgpu-v3-vram's citations point: the VRAM migration series v3 (MIG-V3, posted against
// the RFC/POC SVM core, composed here with RFC V3), RFC V3's SET_ATTR, the migration series v4's
// eviction hook (the `vramEviction: 'evict-to-ram'` variant) and the review that found v3 has none.

import { cite } from '../../sources.ts';

/** [PATCH v3 2/5] drm/amdgpu: implement drm_pagemap SDMA migration callbacks. */
export const MIG_V3_2 = '<20260427100522.7014-3-Junhua.Shen@amd.com>';
/** [PATCH v3 3/5] the migration decision layer (amdgpu_svm_range_migrate.c). */
export const MIG_V3_3 = '<20260427100522.7014-4-Junhua.Shen@amd.com>';
/** [PATCH v3 5/5] the decision layer wired into the map path. */
export const MIG_V3_5 = '<20260427100522.7014-6-Junhua.Shen@amd.com>';
/** [PATCH v4 3/6] the TTM eviction hook (amdgpu_bo_move -> amdgpu_svm_bo_evict). */
export const MIG_V4_3 = '<20260513095734.69598-4-Junhua.Shen@amd.com>';
/** Junhua Shen's reply to Felix Kuehling's review of v3 2/5: no protection against TTM eviction. */
export const MIG_V3_2_REPLY = '<20260428073909.psdnu3xex6gqmx4j@junhua-PC>';
/** RFC V3 05/12 drm/amdgpu: implement SVM attribute set, get, and clear. */
export const V3_05 = '<20260420131307.1816671-6-honglei1.huang@amd.com>';

export const SET_RANGE_LOCK = cite(V3_05, 'amdgpu_svm_attr_set_range', '\t\tdown_write(&svm->svm_lock);\n\t\tret = amdgpu_svm_attr_apply_change(svm, &change);');
export const SET_RANGE_UNLOCK = cite(V3_05, 'amdgpu_svm_attr_set_range', '\t\tup_write(&svm->svm_lock);');
export const MIGRATE_RANGE = cite(MIG_V3_3, 'amdgpu_svm_range_migrate_range', '\tif (range_needs_migrate_to_vram(range, migrate_mode))\n\t\treturn amdgpu_svm_range_migrate_to_vram(svm, range);');
export const NEEDS_MIGRATE = cite(MIG_V3_3, 'range_needs_migrate_to_vram', '\tif (!range->pages.flags.migrate_devmem)\n\t\treturn false;');
export const RANGE_IN_VRAM = cite(MIG_V3_3, 'range_in_vram', '\treturn flags.has_devmem_pages;');
export const PER_RANGE_MIGRATION = cite(MIG_V3_5, 'amdgpu_svm_range_map', '\t\tif (migrate_mode != AMDGPU_SVM_MIGRATE_NONE)\n\t\t\tamdgpu_svm_range_migrate_range(svm, range, migrate_mode);');
export const POPULATE_MM_CALL = cite(MIG_V3_3, 'amdgpu_svm_range_migrate_to_vram', '\tret = drm_pagemap_populate_mm(dpagemap, start, end,\n\t\t\t\t      svm->gpusvm.mm, 0);');
export const BO_CREATE = cite(MIG_V3_2, 'amdgpu_svm_bo_alloc', '\tret = amdgpu_bo_create(adev, &bp, &bo);');
/** The second unreserve: amdgpu_bo_create already returned the BO unreserved (bp.resv is NULL). */
export const BO_UNRESERVE = cite(MIG_V3_2, 'amdgpu_svm_bo_alloc', '\tamdgpu_bo_unreserve(bo);\n\tsvm_bo->bo = bo;');
export const DEVMEM_INIT = cite(MIG_V3_2, 'amdgpu_svm_bo_alloc', '\t\t\t\tdpagemap, size, NULL);');
export const POPULATE_MM_RETURN = cite(MIG_V3_2, 'amdgpu_svm_populate_mm', '\tret = drm_pagemap_migrate_to_devmem(&svm_bo->devmem,\n\t\t\t\t\t     mm, start, end,\n\t\t\t\t\t     &mdetails);');
export const PFN_RESERVE = cite(MIG_V3_2, 'amdgpu_svm_populate_devmem_pfn', '\tret = amdgpu_bo_reserve(bo, false);');
export const PFN_CURSOR = cite(MIG_V3_2, 'amdgpu_svm_populate_devmem_pfn', '\tamdgpu_res_first(bo->tbo.resource, 0, npages << PAGE_SHIFT, &cursor);');
export const PFN_UNRESERVE = cite(MIG_V3_2, 'amdgpu_svm_populate_devmem_pfn', '\tamdgpu_bo_unreserve(bo);');
export const COPY_NO_RESV = cite(MIG_V3_2, 'amdgpu_svm_copy_memory_gart', '\t\tr = amdgpu_copy_buffer(adev, entity, gart_s, gart_d,\n\t\t\t\t       size * PAGE_SIZE,\n\t\t\t\t       NULL, &next, true, 0);');
export const EVICT_HOOK = cite(MIG_V4_3, 'amdgpu_bo_move', '\t\tr = amdgpu_svm_bo_evict(abo);\n\t\tif (!r)\n\t\t\tttm_bo_move_null(bo, new_mem);\n\t\treturn r;');
export const NO_EVICT_HOOK = cite(MIG_V3_2_REPLY, 'amdgpu_svm_populate_devmem_pfn (review)', 'You\'re right — the BO is not pinned and the current version lacks\nprotection against TTM eviction, so there is no guarantee that the\nBO stays in VRAM while zone_device pages are in use.');
