// What a driver supplies to the shared model, as a driver supplies ops to drm_gpusvm and
// drm_pagemap: its locks, its programs (fault handler, attribute ioctl, GC loop, prefetch), its
// notifier callback's first phase, and its policies. The shared steps (drm_gpusvm, drm_pagemap,
// core mm) take a Driver and never test which one it is; each driver is a module under
// model/drivers/, and adding a driver or a revision is adding a module there.

import type { Citation, LockDecl, Program } from '../explorer/index.ts';
import type { AttrOnUnmap, BoResvSpan, SvmConfig, VramEviction } from './config.ts';
import type { Gpu } from './gpu.ts';
import type { AttrRange, Range, SvmGlobals, SvmLocals } from './state.ts';
import type { SvmStep } from './steps/types.ts';

type P = Program<SvmGlobals, SvmLocals>;

/** The MMU notifier event: MMU_NOTIFY_UNMAP, MMU_NOTIFY_CLEAR, or MMU_NOTIFY_MIGRATE. */
export type InvalidationEvent = 'unmap' | 'clear' | 'migrate';

/** What the driver's invalidate callback is called with (drm_gpusvm_notifier_invalidate). */
export interface CallbackContext {
  readonly cfg: SvmConfig;
  readonly event: InvalidationEvent;
  /** The drm_gpusvm instance whose notifier fired, and the GPUs it serves (slot order). */
  readonly inst: number;
  readonly devs: readonly number[];
  /** The step's label, and where it goes next (the shared phase 2). */
  readonly label: string;
  readonly next: string;
  /** The callback skips MIGRATE events of its own owner (migrateOwnerSkip); `skipped` tests it, reading `skipReads`. */
  readonly ownerSkip: boolean;
  readonly skipped: (g: SvmGlobals, l: SvmLocals) => boolean;
  readonly skipReads: readonly string[] | undefined;
  /** The ranges of `ranges` the callback acts on: those overlapping [l.is, l.ie) within its notifier. */
  readonly within: <R extends Range>(ranges: readonly R[], l: SvmLocals) => R[];
}

/**
 * The steps a driver's own programs and sub-flows are made of. Each is called with the driver
 * being built (`d`), so that a driver composed from another's parts (amdgpu-v3-vram) passes
 * itself on to the shared steps.
 */
export interface DriverPrograms {
  /** The GPU page-fault handler of `gpu`. */
  readonly fault: (d: Driver, cfg: SvmConfig, gpu: Gpu) => P;
  /** The attribute ioctl on GPU 0's VM (amdgpu SET_ATTR, xe madvise), with or without prefetch. */
  readonly setAttr: (d: Driver, cfg: SvmConfig, prefetch: boolean) => P;
  /** The GC loop of instance `inst` (GPUs `devs`), ending at `exit`; the driver lock is held for write. */
  readonly gcLoop: (d: Driver, cfg: SvmConfig, exit: string, inst: number, devs: readonly number[]) => SvmStep[];
  /** Prefetch of an interval to a device's VRAM; absent: the driver cannot migrate. */
  readonly prefetchVram?: (d: Driver, cfg: SvmConfig) => P;
  /** Closing the VM of instance `inst` and finalizing its drm_gpusvm (DOMAIN.md §3.10). */
  readonly teardown: (d: Driver, cfg: SvmConfig, inst: number) => P;
  /**
   * The completion of TLB invalidations the driver's unbinds queue without waiting (queueTlbInval);
   * absent: every TLB invalidation the driver issues is waited for.
   */
  readonly tlbInval?: () => P;
}

export interface Driver {
  readonly name: string;
  /** One line for `svmcheck list protocols`. */
  readonly description: string;
  /** Why this driver's code cannot run a configuration (e.g. device memory it does not have); undefined if it can. */
  readonly refuses?: (cfg: SvmConfig) => string | undefined;
  /** The driver SVM lock (an rwsem taken for write): its name for instance 0, and the kernel's. */
  readonly lock: { readonly name: string; readonly description: string };
  /** What the shared GC list lock and VM reservation are in this driver. */
  readonly gcLockDescription: string;
  readonly resvDescription: string;
  /** The driver's own locks, after the shared ones. */
  readonly ownLocks: (devices: number) => readonly LockDecl[];
  /** The GC work function (the work item `gc_worker` stands for). */
  readonly gcWork: string;
  /** ctx.devmem_possible of its calls into drm_gpusvm: ranges get flags.migrate_devmem (anonymous VMAs). */
  readonly devmemPossible: (cfg: SvmConfig) => boolean;
  /** Defaults of the parameters where the drivers differ. */
  readonly attrOnUnmap: AttrOnUnmap;
  readonly vramEviction: VramEviction;
  /** An attribute value's preferred location is `dev`'s VRAM (what the default means differs). */
  readonly prefersVram: (value: number, dev: number) => boolean;
  /** The attribute tree at the start, from the configuration's (xe: the mirror VMA covers all VA). */
  readonly initialAttrs: (cfg: SvmConfig, attrs: readonly AttrRange[]) => AttrRange[];
  /** Phase 1 of gpusvm->ops->invalidate: the driver zaps what it mapped. */
  readonly invalidateBegin: (ctx: CallbackContext) => SvmStep;
  /**
   * The callback returns at its start, doing neither phase (amdgpu V3: `svm->exiting`), tested
   * once when phase 1 runs; absent: it always runs.
   */
  readonly callbackReturnsEarly?: {
    readonly test: (g: SvmGlobals, inst: number) => boolean;
    readonly reads: readonly string[];
    readonly cite: readonly Citation[];
  };
  /** drm_pagemap_devmem_ops as the driver names them: populate_mm's buffer creation, and its release. */
  readonly pagemap: { readonly create: string; readonly unlock: string };
  /**
   * populate_mm keeps a reference of its own on the VRAM buffer across
   * drm_pagemap_migrate_to_devmem, which consumes the allocation's reference "even if it
   * returns with an error" (xe: xe_bo_get, then xe_bo_unlock + xe_bo_put after the call).
   * false: the buffer's one reference is the allocation's (amdgpu MIG v3), and populate_mm
   * must not touch the buffer once the call returned.
   */
  readonly populateHoldsBo: boolean;
  /** What TTM's eviction of a buffer device pages use runs: the driver's hook (xe_svm_bo_evict). */
  readonly evictHook: string;
  /** What TTM does to such a buffer when the driver has no hook (`vramEviction: 'move-unnotified'`). */
  readonly unhookedMove?: string;
  readonly programs: DriverPrograms;
  // Added in wave 2 (vram): citations of the driver strings above, read by the shared steps that
  // show them (mg_bo_create, mg_unlock, ev_pick); absent: the step cites only its shared lines.
  /** Where `pagemap.create`, `pagemap.unlock`, `evictHook` and `unhookedMove` come from. */
  readonly pagemapCite?: {
    readonly create?: readonly Citation[];
    readonly unlock?: readonly Citation[];
    readonly evictHook?: readonly Citation[];
    readonly unhookedMove?: readonly Citation[];
    /** populate_devmem_pfn's reservation section (`boResvSpan: 'populate-pfn'`). */
    readonly populatePfn?: readonly Citation[];
  };
  // Added in wave 2 (vram): where populate_mm holds the VRAM buffer's reservation (the default
  // of SvmConfig.boResvSpan): xe 'migration', amdgpu 'populate-pfn'.
  readonly boResvSpan: BoResvSpan;
  // Added in wave 2 (vram): the copy to VRAM waits for the fresh buffer's clear. xe true (the
  // clear's fence is the pre_migrate_fence the copy job depends on); amdgpu false (MIG v3 2/5:
  // drm_pagemap_devmem_init(..., NULL) and amdgpu_copy_buffer(..., NULL resv, ...) on move_entity,
  // while amdgpu_bo_create's clear only lands in the BO's resv).
  readonly copyAfterClear: boolean;
}

/** The driver SVM lock of instance `inst` (one VM, one drm_gpusvm, one lock): `svm_lock1`, `vm_lock1`. */
export function driverLock(driver: Driver, inst = 0): string {
  return driver.lock.name + (inst === 0 ? '' : String(inst));
}

/** The GC policy a configuration runs with: its own, or the driver's default. */
export const attrPolicy = (cfg: SvmConfig, driver: Driver): AttrOnUnmap => cfg.attrOnUnmap ?? driver.attrOnUnmap;

/** Where a migration holds its VRAM buffer's reservation, in this configuration. */
export const boResvSpan = (cfg: SvmConfig, driver: Driver): BoResvSpan => cfg.boResvSpan ?? driver.boResvSpan;

/** What the memory manager does to a VRAM buffer device pages use, in this configuration. */
export const vramEviction = (cfg: SvmConfig, driver: Driver): VramEviction => cfg.vramEviction ?? driver.vramEviction;
