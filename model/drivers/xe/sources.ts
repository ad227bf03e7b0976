// Where the xe steps' citations point. A kernel file is `path@commit` (the torvalds/linux version
// read); `owner/repo:path@commit` is a mirror's file; a posted patch is its Message-ID.

/** xe_svm.c, xe_gt_pagefault.c and xe_vm.c at the snapshot DOMAIN.md calls XE-C. */
export const XE_SVM_C = 'drivers/gpu/drm/xe/xe_svm.c@0131514f97890c4699a4d7ca14b720dafefdbc71';
export const XE_GT_PAGEFAULT_C = 'drivers/gpu/drm/xe/xe_gt_pagefault.c@0131514f97890c4699a4d7ca14b720dafefdbc71';
export const XE_VM_C = 'drivers/gpu/drm/xe/xe_vm.c@0131514f97890c4699a4d7ca14b720dafefdbc71';
/** The only stored xe_vm_madvise.c; a little older than XE-C (same order of operations). */
export const XE_VM_MADVISE_C = 'drivers/gpu/drm/xe/xe_vm_madvise.c@002f817d61ce2cfb0be850c3a6036adfbb4fd5e9';
/** The stored torvalds/linux xe_pt.c versions predate SVM; this is drm.tip's. */
/**
 * "drm/xe/pt: unify xe_pt_svm_pre_commit with userptr" (v5 8/8): the pre-commit of a VM_BIND
 * prefetch op, before (removed lines) and after the change alike: a collected range whose pages
 * are no longer valid fails the whole op with -ENODATA. XE_PT_C predates the SVM prefetch.
 */
export const XE_PT_PREFETCH_PRE_COMMIT = '<20250818152152.67815-18-matthew.auld@intel.com>';
export const XE_PT_C = 'intel-lgci-fdo-gitlab-mirror/drm.tip:drivers/gpu/drm/xe/xe_pt.c@0ab8687b57df8f33ae03aaa209792770d3d3f4be';
/**
 * "drm/xe/svm: Serialize migration to device if racing" (v6 24/24, XE-SERIALIZE): the
 * driver_migrate_lock. Not merged into any stored xe_svm.c (XE-C's xe_svm_alloc_vram is a single
 * drm_pagemap_populate_mm call, with no retry and no lock); the model follows the series.
 */
export const XE_SERIALIZE = '<20251219113320.183860-25-thomas.hellstrom@linux.intel.com>';

/**
 * "drm/pagemap, drm/xe: Support destination migration over interconnect" (v4 21/22): from here on
 * drm_pagemap_migrate_to_devmem consumes the devmem allocation's reference on every path, and
 * xe_drm_pagemap_populate_mm no longer calls xe_svm_devmem_release on error. XE-C still has that
 * call; PAGEMAP_C consumes, so the model follows this patch (XE-C with PAGEMAP_C would release
 * twice: the `populate-releases-on-error` mutant).
 */
export const XE_CONSUMES = '<20251211165909.219710-22-thomas.hellstrom@linux.intel.com>';
