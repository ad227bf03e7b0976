// Device memory (DOMAIN.md §1.4): a drm_pagemap_devmem allocation, its VRAM buffer, and the zdd
// reference every device page holds on it. Pure helpers on drafts; the steps that call them
// declare the locks.

import type { Draft } from 'immer';
import type { Driver } from './driver.ts';
import { content } from './queries.ts';
import { BO_OK, BO_PUT_FREED, BO_USED_FREED, GARBAGE, NONE, PAGE_FREED_HELD, type Devmem, type Range, type SvmGlobals, type SvmLocals } from './state.ts';

/**
 * A fresh VRAM buffer for a migration of [start, end) to `dev` (xe_bo_create_locked /
 * amdgpu_bo_create + drm_pagemap_devmem_init): its clear is still queued on the copy engine
 * (the pre_migrate_fence), the migration holds the zdd's first reference ("Owns ref"), and the
 * buffer's kref is `bo` (1 from its creation, 2 when the driver also keeps one of its own).
 */
export function newDevmem(id: number, dev: number, start: number, end: number, bo = 1): Devmem {
  const n = end - start;
  return {
    id,
    dev,
    start,
    used: new Array<boolean>(n).fill(false),
    vdata: new Array<number>(n).fill(GARBAGE),
    refs: new Array<number>(n).fill(0),
    zdd: 1,
    clearPending: true,
    copyPending: false,
    copyMask: 0,
    copyDone: false,
    timeslice: false,
    backed: true,
    released: false,
    bo,
    boFault: BO_OK,
  };
}

// The buffer object's lifetime (ttm_buffer_object.kref). A use, get or put after the last put
// is recorded in boFault, the ghost the lifetime invariants read (invariants/lifetimes.ts): the
// kernel's refcount_t warns on the same events ("addition on 0; use-after-free", "underflow").

/** A step reads or writes the buffer (its resource, its reservation, the devmem embedded in it). */
export function touchBo(g: Draft<SvmGlobals>, a: number): void {
  const d = g.devmem[a]!;
  if (d.bo <= 0) d.boFault |= BO_USED_FREED;
}

/** kref_get / xe_bo_get / ttm_bo_get_unless_zero that succeeded: one more reference. */
export function getBo(g: Draft<SvmGlobals>, a: number): void {
  touchBo(g, a);
  g.devmem[a]!.bo++;
}

/** xe_bo_put / amdgpu_bo_unref / ttm_bo_put: the last put frees the buffer and its VRAM. */
export function putBo(g: Draft<SvmGlobals>, a: number): void {
  const d = g.devmem[a]!;
  if (d.bo <= 0) {
    d.boFault |= BO_PUT_FREED;
    return;
  }
  d.bo--;
  if (d.bo === 0) d.backed = false;
}

/**
 * drm_pagemap_zdd_put: when the last reference goes, drm_pagemap_zdd_destroy completes
 * devmem->detached and runs devmem_release, which drops the allocation's reference on the
 * buffer (xe_svm_devmem_release: xe_bo_put_async; amdgpu_svm_devmem_release: amdgpu_bo_unref).
 * The VRAM goes back to the memory manager when the buffer's last reference goes (putBo).
 * xe's put is asynchronous (a worker drops it later); the model drops it at once, the earliest
 * the buffer can be freed, which can only show more uses after free, never hide one.
 */
export function putZdd(g: Draft<SvmGlobals>, a: number): void {
  const d = g.devmem[a]!;
  d.zdd--;
  if (d.zdd === 0) {
    d.released = true;
    putBo(g, a);
  }
}

/**
 * A device page is freed (folio_free -> drm_pagemap_folio_free): it drops its zdd reference.
 * `held`: the CPU-fault references on it the freeing path accounts for (a migration to RAM run
 * from do_swap_page holds one on its faulting page); any more is a page freed under a thread that
 * still uses it. Undefined: not judged (core mm's own frees, which the model makes at the unmap,
 * not at the last put).
 */
export function freeDevicePage(g: Draft<SvmGlobals>, a: number, p: number, held?: number): void {
  const d = g.devmem[a]!;
  if (held !== undefined && d.refs[p - d.start]! > held) d.boFault |= PAGE_FREED_HELD;
  d.used[p - d.start] = false;
  putZdd(g, a);
}

/**
 * VA page p now has a new system page holding `value` (migration to RAM, eviction, or a copy
 * core mm made): the old page's generation ends; a device page it left is freed.
 */
export function installSystemPage(g: Draft<SvmGlobals>, p: number, value: number, held?: number): void {
  const pg = g.pages[p]!;
  if (pg.dev !== NONE) freeDevicePage(g, pg.dev, p, held);
  pg.dev = NONE;
  pg.gen++;
  g.data[p] = value;
}

/** VA page p is now device page p - start of allocation a, holding what was copied into it. */
export function installDevicePage(g: Draft<SvmGlobals>, p: number, a: number): void {
  const pg = g.pages[p]!;
  if (pg.dev !== NONE) freeDevicePage(g, pg.dev, p);
  const d = g.devmem[a]!;
  d.used[p - d.start] = true;
  d.zdd++;
  pg.dev = a;
  pg.gen++;
}

/** CPU-fault references on the device page backing VA page p (0 for a system page). */
export function pageRefs(g: SvmGlobals, p: number): number {
  const a = g.pages[p]!.dev;
  if (a === NONE) return 0;
  const d = g.devmem[a]!;
  return d.refs[p - d.start]!;
}

/** get_page / put_page of the device page of allocation a holding VA page p. */
export function refDevicePage(g: Draft<SvmGlobals>, a: number, p: number, by: 1 | -1): void {
  const d = g.devmem[a]!;
  d.refs[p - d.start]! += by;
}

/** The allocation's pages that back VA pages now. */
export function pagesInUse(d: Devmem): number[] {
  return d.used.flatMap((u, k) => (u ? [d.start + k] : []));
}

/** The interval [start, end) is already backed by `dev`'s VRAM (xe_svm_range_in_vram / the decision layer). */
export function inVram(g: SvmGlobals, dev: number, start: number, end: number): boolean {
  return g.pages.slice(start, end).every((p) => p.dev >= 0 && g.devmem[p.dev]!.dev === dev);
}

/**
 * The migration decision (xe_svm_range_needs_migrate_to_vram, amdgpu's decision layer): the range
 * may use device memory, its attribute `value` prefers `dev`'s VRAM, and it is not there yet.
 */
export function wantsVram(g: SvmGlobals, r: Range, driver: Driver, value: number, dev: number): boolean {
  return r.migrateDevmem && driver.prefersVram(value, dev) && !inVram(g, dev, r.start, r.end);
}

/** The VA pages a set holds: bit k of `mask` is page start + k (migrations keep page sets so). */
export function maskPages(start: number, mask: number): number[] {
  const out: number[] = [];
  for (let k = 0; mask >> k !== 0; k++) if (mask & (1 << k)) out.push(start + k);
  return out;
}

/**
 * migrate_vma_setup / migrate_device_pfns: lock the pages of [l.is, l.ie) that `take` selects
 * (install migration entries) and record them in l.mask. migrate_device_unmap restores a page
 * with references the migration does not account for (migrate_vma_check_page: `extra = 1 +
 * (page == fault_page)`): CPU-fault references beyond the faulting page's own (`faultPage`).
 */
export function collectPages(g: Draft<SvmGlobals>, l: Draft<SvmLocals>, take: (p: number) => boolean, faultPage = NONE): void {
  l.mask = 0;
  for (let p = l.is; p < l.ie; p++) {
    if (!take(p) || pageRefs(g, p) > (p === faultPage ? 1 : 0)) continue;
    g.pages[p]!.locked = true;
    l.mask |= 1 << (p - l.is);
  }
}

/** copy_to_ram of the pages a migration collected into l.pfns (NONE for the others). */
export function copyCollectedToRam(g: Draft<SvmGlobals>, l: Draft<SvmLocals>): void {
  l.pfns = Array.from({ length: l.ie - l.is }, (_, k) => (l.mask & (1 << k) ? content(g, l.is + k) : NONE));
}

/**
 * migrate_{vma,device}_pages + finalize towards RAM: the collected pages map new system pages
 * holding what was copied, and are unlocked, except `keepLocked` (do_swap_page unlocks it).
 * `faultPage` is the page whose CPU fault runs the migration (its reference is the caller's).
 */
export function installCollectedInRam(g: Draft<SvmGlobals>, l: Draft<SvmLocals>, keepLocked = NONE, faultPage = NONE): void {
  for (const p of maskPages(l.is, l.mask)) {
    installSystemPage(g, p, l.pfns[p - l.is]!, p === faultPage ? 1 : 0);
    if (p !== keepLocked) g.pages[p]!.locked = false;
  }
  l.mask = 0;
  l.pfns = [];
}
