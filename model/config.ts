// What a scenario chooses: sizes, version parameters, and which processes run. Nothing deeper in
// the model hard-codes a bound. Where a parameter's default differs by driver, the driver's module
// gives it (model/driver.ts).

/**
 * What happens to the attributes of VA that was unmapped, when the GC removes its ranges
 * (DOMAIN.md §4 item 10): V3 clears them, V5+ keeps them, xe resets them to the defaults.
 */
export type AttrOnUnmap = 'clear' | 'keep' | 'reset';

export type ProcessSpec =
  | { readonly kind: 'fault'; readonly page: number; readonly dev?: number }
  | { readonly kind: 'munmap'; readonly start: number; readonly end: number }
  | { readonly kind: 'invalidate'; readonly start: number; readonly end: number }
  | { readonly kind: 'remap'; readonly start: number; readonly end: number }
  | { readonly kind: 'gc-worker'; readonly dev?: number }
  | { readonly kind: 'gpu-write'; readonly page: number; readonly value: number; readonly dev?: number }
  | { readonly kind: 'set-attr'; readonly start: number; readonly end: number; readonly value: number; readonly prefetch?: boolean }
  /** Prefetch to VRAM of `dev`: xe VM_BIND prefetch op / amdgpu SET_ATTR prefetch_loc force trigger. */
  | { readonly kind: 'migrate'; readonly start: number; readonly end: number; readonly dev: number }
  /** A CPU thread storing `value` to `page` (a device-private page makes it fault). */
  | { readonly kind: 'cpu-fault'; readonly page: number; readonly value: number }
  /** The memory manager evicting (moving) a VRAM buffer of `dev` that backs device pages. */
  | { readonly kind: 'evict'; readonly dev: number }
  /** Closing GPU `dev`'s VM (its file descriptor's last close): the driver's teardown and drm_gpusvm_fini. */
  | { readonly kind: 'teardown'; readonly dev?: number };

/** DOMAIN.md §1.4, seed 004: the CPU faults on DEVICE_PRIVATE pages, and maps DEVICE_COHERENT ones. */
export type MemoryType = 'private' | 'coherent';

/** DOMAIN.md §6: device-to-device migration through RAM (the stored drm_pagemap.c FIXME) or direct. */
export type VramToVram = 'bounce' | 'direct';

/** DOMAIN.md §6: one drm_gpusvm instance per GPU (xe style), or one shared, with per-device pages. */
export type Instances = 'per-device' | 'shared';

/** DOMAIN.md §3.8: what the memory manager does to a VRAM buffer device pages use (see SvmConfig). */
export type VramEviction = 'evict-to-ram' | 'move-unnotified';

/** When a migration holds its VRAM buffer's reservation (see SvmConfig.boResvSpan). */
export type BoResvSpan = 'migration' | 'populate-pfn' | 'none';

export interface SvmConfig {
  /** VA pages modeled. */
  readonly pages: number;
  /** drm_gpusvm chunk sizes in pages, descending, last 1 (2 pages stand for SZ_2M, 1 for SZ_4K). */
  readonly chunkSizes: readonly number[];
  /** amdgpu map_fault retry_count (3 in V3): attempts in all, `--retry_count > 0` (so 2 retries). */
  readonly mapRetries: number;
  /** amdgpu default attribute granularity in pages (unregistered addresses). */
  readonly granularity: number;
  /** Attribute policy on GC of unmapped VA; by default the driver's own (V3 clear, xe reset). */
  readonly attrOnUnmap?: AttrOnUnmap;
  /** CPU VMAs at the start, as [start, end) page intervals. */
  readonly vmas: readonly (readonly [number, number])[];
  /** Attribute ranges at the start (amdgpu: registered by SET_ATTR; xe: mirror VMAs). */
  readonly attrs: readonly { readonly start: number; readonly end: number; readonly value: number }[];
  /** Ranges already faulted in and mapped on the GPU at the start, as [start, end). */
  readonly premapped: readonly (readonly [number, number])[];
  readonly processes: readonly ProcessSpec[];
  /** GPUs with VRAM (devmem_possible); 0: system memory only, no migration. */
  readonly devices?: number;
  /** How device memory is registered with core mm. Default 'private'. */
  readonly memoryType?: MemoryType;
  /** VRAM-to-VRAM migration. Default 'bounce'. */
  readonly vramToVram?: VramToVram;
  /**
   * The driver's notifier skips MMU_NOTIFY_MIGRATE events whose owner is its own pagemap owner
   * (Documentation/mm/hmm.rst allows it; not found in drm_gpusvm, xe or amdgpu). Default false.
   */
  readonly migrateOwnerSkip?: boolean;
  /** xe migrate_try_count for a fault that is not devmem_only (1 in xe_svm.c). */
  readonly migrateTries?: number;
  /**
   * What the memory manager does to a VRAM buffer that device pages use: `evict-to-ram` (xe:
   * xe_svm_bo_evict -> drm_pagemap_evict_to_ram first) or `move-unnotified` (amdgpu migration v3:
   * the buffer is not pinned and has no eviction hook, so TTM moves it to GTT "without warning":
   * Felix Kuehling's review of MIG v3 2/5, acknowledged). Default: the driver's.
   */
  readonly vramEviction?: VramEviction;
  /** Extra tries of drm_pagemap_evict_to_ram until every device page is freed (2). */
  readonly evictRetries?: number;
  /**
   * migrate_vma_pages may fail to migrate a collected page ("Raced while finalizing migration",
   * -EBUSY): explored as a choice when set. Nothing in the model pins pages, so off by default.
   */
  readonly finalizeRaces?: boolean;
  /**
   * Allocations may fail (-ENOMEM) where the model lets them: so far drm_gpusvm_range_evict's
   * kvmalloc_array of its pfns. Explored as a choice when set; off by default, since every other
   * allocation in the model succeeds.
   */
  readonly allocFailures?: boolean;
  /**
   * How do_swap_page hands a device-private page to migrate_to_ram: 'trylock' (the default:
   * 1afaeb8293c9 "mm/migrate: Trylock device page in do_swap_page", with the livelock fix's wait
   * for the unlock) or 'get-page' (before it: every faulting thread takes a page reference and
   * calls migrate_to_ram; the migration locks the page itself).
   */
  readonly doSwapPage?: 'trylock' | 'get-page';
  /**
   * With two GPUs: one drm_gpusvm instance per device (xe style, the default) or one instance
   * with per-device pages (DOMAIN.md §6).
   */
  readonly instances?: Instances;
  /** Content of each page at the start (ghost `written` starts equal). Default zeros. */
  readonly initialData?: readonly number[];
  /**
   * Where a migration to VRAM holds its buffer's reservation: `migration` (xe:
   * xe_drm_pagemap_populate_mm creates the BO locked and unlocks it after
   * drm_pagemap_migrate_to_devmem), `populate-pfn` (amdgpu MIG v3 2/5: amdgpu_bo_create returns
   * it unreserved, and only amdgpu_svm_populate_devmem_pfn reserves it, around reading the
   * placement into PFNs), `none` (MIG v4 2/6 as posted: populate_devmem_pfn only asserts
   * `dma_resv_assert_held`, nothing reserves it). Default: the driver's (Driver.boResvSpan).
   */
  readonly boResvSpan?: BoResvSpan;
  /**
   * drm_gpusvm notifier_size, in pages. Set: notifiers are inserted on demand by
   * drm_gpusvm_range_find_or_insert (mmu_interval_notifier_insert) and removed with their last
   * range (drm_gpusvm_range_remove -> mmu_interval_notifier_remove, which waits for invalidations
   * in flight). Unset (the default): one notifier per instance covers the modeled VA for the
   * whole run, what a real 512 MiB notifier is when ranges outside the model keep it alive.
   */
  readonly notifierPages?: number;
  /**
   * amdgpu: SET_ATTR's invalidate_interval takes a range it removes (one crossing the new
   * bounds) off the GC list too: v8 08/18 calls `amdgpu_svm_range_unqueue` after
   * `amdgpu_svm_range_remove`. Unset (the default, RFC V3 08/12): it does not, and a range the
   * notifier queued stays on the list, to be removed a second time by the GC (finding F16).
   */
  readonly attrSplitUnqueues?: boolean;
}

export const devices = (cfg: SvmConfig): number => cfg.devices ?? 0;
/** A VM is torn down in this configuration: the steps that test for it exist only then. */
export const tearsDown = (cfg: SvmConfig): boolean => cfg.processes.some((p) => p.kind === 'teardown');
export const memoryType = (cfg: SvmConfig): MemoryType => cfg.memoryType ?? 'private';

/** An attribute value naming system memory as the preferred location (no device). */
export const SYSTEM_LOC = 9;

/**
 * What an attribute value says of the preferred location (DOMAIN.md §1.3; values are abstract):
 * `dev + 1` is that device's VRAM; SYSTEM_LOC is system memory. What the default (0) means is
 * the driver's (Driver.prefersVram).
 */
export const namesVram = (value: number, dev: number): boolean => value === dev + 1;
