// Where the shared steps' citations point (model/drivers/*/sources.ts has each driver's), and
// the helper that writes one. A kernel file is `path@commit` (the stored torvalds/linux version
// read; cross-checked against DOMAIN.md §0.1); a posted patch is its Message-ID.

import type { Citation } from '../explorer/index.ts';

export const GPUSVM_C = 'drivers/gpu/drm/drm_gpusvm.c@0542972950ef26670a5696e43c0ea2b7b6ac96d4';
export const PAGEMAP_C = 'drivers/gpu/drm/drm_pagemap.c@10dd1eaa80a56d3cf6d7c36b5269c8fed617f001';
export const VMA_C = 'mm/vma.c@01c373e9a5ce2273812eaf83036c5357829fb3f7';
export const MIGRATE_DEVICE_C = 'mm/migrate_device.c@022a12deda53c983755c08e073a3c028a6850a23';
/** The stored torvalds/linux mm/hmm.c and mm/mmu_notifier.c are old; these are a mirror's. */
export const HMM_C = 'damonitor/linux:mm/hmm.c@d727154679740a8798fe38efbae0e6cd55653137';
export const MMU_NOTIFIER_C = 'damonitor/linux:mm/mmu_notifier.c@dc29564804a78dabaf57d1ee6d6acbfb645707b5';

/** One citation: the lines `quote` of function `fn` at `ref`. */
export const cite = (ref: string, fn: string, quote: string): Citation => ({ ref, fn, quote });
/** The kernel test robot's mail quoting mm/memory.c do_swap_page with the hmm_range_fault livelock fix (v2). */
export const DO_SWAP_PAGE_MAIL = '<202602032021.bgMlVqDp-lkp@intel.com>';
