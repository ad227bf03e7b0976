// Where the amdgpu RFC V3 steps' citations point: the posted patches, by Message-ID (Honglei
// Huang, "[RFC V3 NN/12]", 2026-04-20). Patch NN/12 is Message-ID ...-(NN+1)-...

/** V3 04/12: attribute tree helpers (amdgpu_svm_attr_get_bounds_locked, insert_locked). */
export const V3_04 = '<20260420131307.1816671-5-honglei1.huang@amd.com>';
/** V3 05/12: attribute set / clear (amdgpu_svm_attr_set_range, amdgpu_svm_attr_clear_pages). */
export const V3_05 = '<20260420131307.1816671-6-honglei1.huang@amd.com>';
/** V3 07/12: range GPU mapping core (is_valid, update_mapping, map_attr_range). */
export const V3_07 = '<20260420131307.1816671-8-honglei1.huang@amd.com>';
/** V3 08/12: notifier event_begin/end, gc_enqueue, range_remove, invalidate_interval. */
export const V3_08 = '<20260420131307.1816671-9-honglei1.huang@amd.com>';
/** V3 09/12: apply_attr_change, dequeue, checkpoint_ts, amdgpu_svm_range_invalidate. */
export const V3_09 = '<20260420131307.1816671-10-honglei1.huang@amd.com>';
/** V3 10/12: init, amdgpu_svm_set_attr (gc_flush), close, fini. */
export const V3_10 = '<20260420131307.1816671-11-honglei1.huang@amd.com>';
/** V3 11/12: garbage collector, ioctl, amdgpu_svm_fault.c (handle_fault, map_fault). */
export const V3_11 = '<20260420131307.1816671-12-honglei1.huang@amd.com>';
/** V3 12/12: build integration; amdgpu_vm_fini calls amdgpu_svm_close + amdgpu_svm_fini first. */
export const V3_12 = '<20260420131307.1816671-13-honglei1.huang@amd.com>';

/**
 * v8 08/18 (Ray Huang's posting of the series, "[PATCH v8 08/18] drm/amdgpu: implement SVM range
 * notifier and GC helpers", 2026-06-12): the revision that adds amdgpu_svm_range_unqueue, cited
 * only where a parameter takes its behaviour (attrSplitUnqueues).
 */
export const V8_08 = '<20260612090928.29682-9-ray.huang@amd.com>';
