// The SVM state the explorer walks (DOMAIN.md §8, scaled down). Pages are VA pages of one
// address space; a "chunk" of k pages stands for a kernel chunk size (1 page = SZ_4K, 2 pages =
// SZ_2M). Notifiers: model/notifiers.ts.

/** Generation marker for "no entry" in PTE, TLB and DMA arrays. */
export const NONE = -1;
/** Ghost marker: the page has not been unmapped (attrAtUnmap). */
export const MAPPED = -2;

/** A VA page: its CPU mapping and the generation of the page backing it. */
export interface Page {
  /** A CPU VMA covers the page. */
  readonly mapped: boolean;
  /** Id of that VMA (0 when unmapped); a new mmap at a reused address gets a new id. */
  readonly vma: number;
  /** Bumped whenever core mm frees or replaces the backing page (migration included). */
  readonly gen: number;
  /**
   * What backs the page: NONE for a system page, else the id of the devmem allocation whose
   * device page holds it (page->zone_device_data -> zdd -> devmem_allocation).
   */
  readonly dev: number;
  /**
   * The page is locked by a migration (a migration entry installed by migrate_vma_setup /
   * migrate_device_pfns) or by do_swap_page's folio lock: CPU faults and hmm_range_fault wait.
   */
  readonly locked: boolean;
}

/** Ghost content of a fresh VRAM page before the clear job ran. */
export const GARBAGE = -3;

/**
 * struct drm_pagemap_devmem and the VRAM buffer behind it (DOMAIN.md §1.4): one migration
 * allocates one, covering the VA window [start, start + used.length).
 */
export interface Devmem {
  readonly id: number;
  /** The device whose VRAM it is. */
  readonly dev: number;
  readonly start: number;
  /** Device page k holds VA page start+k (installed by migrate_vma_pages, until freed). */
  readonly used: readonly boolean[];
  /** Content of each device page (what a read of it returns). */
  readonly vdata: readonly number[];
  /**
   * References on each device page taken by CPU faults in do_swap_page (get_page) and not yet
   * put. A migration leaves a page with references it does not account for where it is
   * (migrate_vma_check_page, folio_migrate_mapping).
   */
  readonly refs: readonly number[];
  /** struct drm_pagemap_zdd refcount: one per device page in use, one for a migration in progress. */
  readonly zdd: number;
  /** pre_migrate_fence not yet signalled: the clear of the fresh buffer is still queued. */
  readonly clearPending: boolean;
  /** A copy_to_devmem job is queued on the copy engine / has completed (its fence signalled). */
  readonly copyPending: boolean;
  /** The pages the queued copy reads (bit k: VA page start+k), for the engine. */
  readonly copyMask: number;
  readonly copyDone: boolean;
  /** now < timeslice_expiration: migrate_to_ram refuses (the CPU re-faults). */
  readonly timeslice: boolean;
  /** The VRAM buffer still owns its memory (false once the memory manager moved or freed it). */
  readonly backed: boolean;
  /** devmem_release ran (the last zdd reference went). */
  readonly released: boolean;
  /**
   * The VRAM buffer object's kref (ttm_buffer_object.kref): the migrating thread's, the
   * allocation's (dropped by devmem_release), TTM's while it evicts. At 0 the buffer is freed.
   */
  readonly bo: number;
  /** Ghost: how the buffer was misused once freed, a set of bits (BO_USED_FREED, BO_PUT_FREED). */
  readonly boFault: number;
}

/**
 * Devmem.boFault bits: a step touched or got (1), or put (2), the buffer after its last reference
 * went; a migration freed one of its device pages while a CPU fault still held a reference (4).
 */
export const BO_OK = 0;
export const BO_USED_FREED = 1;
export const BO_PUT_FREED = 2;
export const PAGE_FREED_HELD = 4;

/** amdgpu attribute range (amdgpu_svm_attr_range) / xe CPU-address-mirror VMA attributes. */
export interface AttrRange {
  readonly start: number;
  readonly end: number;
  /** The attributes, abstracted to one value; 0 is the default. */
  readonly value: number;
}

/** One device's struct drm_gpusvm_pages of a range, and that device's driver flags for it. */
export interface DevPages {
  /** pages.flags.has_dma_mapping: some system page is DMA-mapped. */
  readonly hasDma: boolean;
  /** pages.flags.has_devmem_pages: some device page is mapped (device_map). */
  readonly hasDevmem: boolean;
  /** pages.dma_addr is allocated (get_pages drops the notifier lock to allocate it). */
  readonly dmaAlloc: boolean;
  /** Generation each page of the range was DMA-mapped at, NONE if not mapped. */
  readonly dma: readonly number[];
  /** The devmem allocation each mapped page lies in, NONE for a system page. */
  readonly dmaDev: readonly number[];
  /** Driver flag: amdgpu gpu_mapped / xe tile_present (one tile). Separate from the PTEs. */
  readonly mapped: boolean;
  /** xe tile_invalidated (unused by amdgpu). */
  readonly invalidated: boolean;
}

/**
 * struct drm_gpusvm_range: its VA state, and its pages. The pages of the instance's first device
 * are the range's own fields; with one instance for several devices (DOMAIN.md §6), `peers`
 * holds the other devices' pages in slot order.
 */
export interface Range extends DevPages {
  /** Unique per run: the kernel's struct pointer (a start page can be reused by a new range). */
  readonly id: number;
  /** The drm_gpusvm instance whose tree holds it. */
  readonly inst: number;
  readonly start: number;
  readonly end: number;
  /** flags.unmapped / flags.partial_unmap: set by the UNMAP notifier under notifier_lock(W). */
  readonly unmapped: boolean;
  readonly partialUnmap: boolean;
  /** flags.migrate_devmem, fixed at creation: devmem_possible && anonymous VMA. */
  readonly migrateDevmem: boolean;
  /** Pending GC interval (amdgpu pending_start/last_page; [start,end) here), NONE if none. */
  readonly pendingStart: number;
  readonly pendingEnd: number;
  readonly peers: readonly DevPages[];
}

export interface SvmGlobals {
  readonly pages: readonly Page[];
  readonly nextVma: number;
  /** The attribute tree, sorted by start, non-overlapping. */
  readonly attrs: readonly AttrRange[];
  /** The notifier's range tree, sorted by start, non-overlapping. */
  readonly ranges: readonly Range[];
  readonly nextRangeId: number;
  /** mmu_notifier_subscriptions->invalidate_seq: odd while an invalidation is in progress. */
  readonly subSeq: number;
  /** Invalidations between range_start and range_end (active_invalidate_ranges). */
  readonly activeInvs: number;
  /** Per notifier: mmu_interval_notifier->invalidate_seq, set by mmu_interval_set_seq in the callback. */
  readonly mniSeq: readonly number[];
  /** GPU page tables, device after device: generation each page's PTE points to, NONE if no PTE. */
  readonly pte: readonly number[];
  /** GPU TLB: what a cached translation points to (filled when a PTE is written). */
  readonly tlb: readonly number[];
  /** The devmem allocation each PTE / TLB entry points into, NONE for a system page. */
  readonly pteDev: readonly number[];
  readonly tlbDev: readonly number[];
  /**
   * Per device: the pages whose TLB invalidation an unbind queued and nobody waited for (bit p),
   * until the invalidation completes (the tlb_inval process). Only xe queues (its unbinds return
   * the invalidation's fence); every other TLB invalidation in the model is waited for.
   */
  readonly tlbInval: readonly number[];
  /** Device-memory allocations ever made, indexed by id. */
  readonly devmem: readonly Devmem[];
  /**
   * mm->mm_users: 1 for the process itself, plus one per mmget_not_zero not yet put (mmput).
   * Nothing in the model exits the process, so it never reaches 0.
   */
  readonly mmUsers: number;
  /** GC lists of every instance: ids of the ranges queued, in order. */
  readonly gcList: readonly number[];
  /**
   * Ranges dropped from the tree while still on a GC list, kept alive by the list's reference:
   * amdgpu V3's SET_ATTR removes a range crossing its bounds without taking it off the list
   * (`attrSplitUnqueues` unset). Empty in every other model.
   */
  readonly orphans: readonly Range[];
  /** What the system page backing each VA page holds (a device page's is in its Devmem). */
  readonly data: readonly number[];
  /** Ghost: the value last written to each VA page, by the CPU or the GPU. */
  readonly written: readonly number[];
  /**
   * Ghost state, read only by invariants. Per page: the VMA id its attributes were last set on
   * by SET_ATTR / madvise (0: never) and the value set; the attribute value it had when munmap
   * detached it (NONE: no attributes; MAPPED: not unmapped since).
   */
  readonly attrSetVma: readonly number[];
  readonly attrSetValue: readonly number[];
  readonly attrAtUnmap: readonly number[];
  /**
   * Ghost, for judging attribute changes against linearizations (invariants/attributes.ts). Per
   * page: the attribute policy a munmap owes it is not applied yet (UNMAP_OWED while that munmap
   * runs, UNMAP_DONE_OWED once it returned; 0: nothing owed); and whether the attribute ioctl
   * that last set it started after such a munmap had returned.
   */
  readonly attrOwed: readonly number[];
  readonly attrSetAfterUnmap: readonly boolean[];
  /** amdgpu checkpoint_ts is set: an UNMAP captured the IH ring position (stale-fault filter). */
  readonly checkpoint: boolean;
  /** Per instance: the GC work item is queued (queue_work) / running. */
  readonly gcPending: readonly boolean[];
  readonly gcRunning: readonly boolean[];
  /**
   * Per instance: where teardown is (DOMAIN.md §3.10). LIVE; CLOSED (amdgpu `svm->exiting` set,
   * xe `xe_vm_is_closed`: vm->size = 0); FINI (drm_gpusvm_fini returned); GONE (amdgpu: vm->svm =
   * NULL and the attribute tree destroyed, so a PASID lookup finds no SVM).
   */
  readonly life: readonly number[];
  /** Per notifier (model/notifiers.ts): where it is, MN_IN_TREE ... MN_INSERT_DEFERRED. */
  readonly mnState: readonly number[];
}

/** SvmGlobals.life values, in the order teardown reaches them. */
export const LIVE = 0;
export const CLOSED = 1;
export const FINI = 2;
export const GONE = 3;

/**
 * SvmGlobals.mnState values: in the mm's tree; removed but deferred (still in the tree) while an
 * invalidation runs (mmu_interval_notifier_remove); removed, or never inserted; inserted while an
 * invalidation ran, so deferred into the tree until its range_end (mmu_interval_notifier_insert).
 */
export const MN_IN_TREE = 0;
export const MN_DEFERRED = 1;
export const MN_REMOVED = 2;
export const MN_INSERT_DEFERRED = 3;

/** Return codes, as the kernel's negative errnos (R-2: return codes are part of the spec). */
export const OK = 0;
export const EPERM = -1;
export const ENOENT = -2;
export const EAGAIN = -11;
export const EFAULT = -14;
export const EINVAL = -22;
export const ENODATA = -61;
export const EBUSY = -16;
export const ENOMEM = -12;

/** One flat record of locals serves every process type; each uses the fields it needs. */
export interface SvmLocals {
  /** Fault page; first page of an interval (munmap, SET_ATTR, re-mmap); prefetch cursor. */
  readonly page: number;
  /** End of the interval (exclusive). */
  readonly end: number;
  /** SET_ATTR: the new attribute value. */
  readonly value: number;
  /** Start of the range being worked on, NONE if none. */
  readonly range: number;
  /** Id of the range the process holds a pointer to and uses, NONE if none. */
  readonly rid: number;
  /** Bounds: the attribute range of a fault; the interval a GC entry covers. */
  readonly lo: number;
  readonly hi: number;
  /** Seq returned by mmu_interval_read_begin. */
  readonly seq: number;
  /** What hmm_range_fault found: the generation of each page of the range. */
  readonly pfns: readonly number[];
  /** Retries left (amdgpu map_fault retry_count). */
  readonly tries: number;
  /** SET_ATTR: the attribute change split an existing attribute range (RANGE_SPLIT). */
  readonly split: boolean;
  /** Last return code. */
  readonly ret: number;
  /** The interval an invalidation covers (mmu_notifier_range start/end). */
  readonly is: number;
  readonly ie: number;
  /** The device a migration targets, or a GPU fault comes from. */
  readonly dev: number;
  /** The devmem allocation a migration fills or an eviction empties, NONE if none. */
  readonly alloc: number;
  /** Bitmask of the pages a migration collected (migrate.cpages), relative to l.is. */
  readonly mask: number;
  /** Migration tries left (xe migrate_try_count; driver_migrate_lock retry; eviction retries). */
  readonly mtries: number;
  /** What hmm_range_fault found: the devmem allocation of each page, NONE for system pages. */
  readonly pdev: readonly number[];
  /** The device page migrate_to_ram works on (do_swap_page's vmf->page), NONE if none. */
  readonly fpage: number;
  /**
   * The driver's invalidate callback returned at its start (amdgpu V3: `svm->exiting`): read once
   * by phase 1 and kept for phase 2 of the same callback.
   */
  readonly cbSkip: boolean;
  /** find_or_insert allocated and inserted the notifier itself (notifier_alloc): its error path removes it. */
  readonly mnNew: boolean;
  /**
   * The attribute range the fault holds a pointer to ([lo, hi) when read) was freed under it:
   * amdgpu V3's GC, run by the fault itself, removed it whole (amdgpu_svm_attr_clear_pages).
   */
  readonly attrGone: boolean;
  /** Ghost: the attribute ioctl's pages whose munmap had returned, its policy still owed, when it started (bit p). */
  readonly owedAtStart: number;
  /** xe VM_BIND prefetch: the ranges phase 1 collected to prefetch and bind (bit p: the range starting at page p). */
  readonly collected: number;
}

/** SvmGlobals.attrOwed values. */
export const UNMAP_OWED = 1;
export const UNMAP_DONE_OWED = 2;

export function locals(over: Partial<SvmLocals> = {}): SvmLocals {
  return {
    page: 0,
    end: 0,
    value: 0,
    range: NONE,
    rid: NONE,
    lo: 0,
    hi: 0,
    seq: 0,
    pfns: [],
    tries: 0,
    split: false,
    ret: OK,
    is: 0,
    ie: 0,
    dev: 0,
    alloc: NONE,
    mask: 0,
    mtries: 0,
    pdev: [],
    fpage: NONE,
    cbSkip: false,
    mnNew: false,
    attrGone: false,
    owedAtStart: 0,
    collected: 0,
    ...over,
  };
}
