// Device memory (DOMAIN.md §1.4): a drm_pagemap_devmem allocation, its VRAM buffer, and the zdd
// reference every device page holds on it. Pure helpers on drafts; the steps that call them
// declare the locks.

import type { Draft } from 'immer';
import { content } from './queries.ts';
import { GARBAGE, NONE, type Devmem, type SvmGlobals, type SvmLocals } from './state.ts';

/**
 * A fresh VRAM buffer for a migration of [start, end) to `dev` (xe_bo_create_locked /
 * amdgpu_bo_create + drm_pagemap_devmem_init): its clear is still queued on the copy engine
 * (the pre_migrate_fence), and the migration holds the zdd's first reference ("Owns ref").
 */
export function newDevmem(id: number, dev: number, start: number, end: number): Devmem {
  const n = end - start;
  return {
    id,
    dev,
    start,
    used: new Array<boolean>(n).fill(false),
    vdata: new Array<number>(n).fill(GARBAGE),
    zdd: 1,
    clearPending: true,
    copyPending: false,
    copyMask: 0,
    copyDone: false,
    timeslice: false,
    backed: true,
    released: false,
  };
}

/**
 * drm_pagemap_zdd_put: when the last reference goes, devmem_release runs and the driver drops
 * its buffer, so the VRAM goes back to the memory manager (complete_all(&devmem->detached)).
 */
export function putZdd(g: Draft<SvmGlobals>, a: number): void {
  const d = g.devmem[a]!;
  d.zdd--;
  if (d.zdd === 0) {
    d.released = true;
    d.backed = false;
  }
}

/** A device page is freed (folio_free -> drm_pagemap_page_free): it drops its zdd reference. */
export function freeDevicePage(g: Draft<SvmGlobals>, a: number, p: number): void {
  const d = g.devmem[a]!;
  d.used[p - d.start] = false;
  putZdd(g, a);
}

/**
 * VA page p now has a new system page holding `value` (migration to RAM, eviction, or a copy
 * core mm made): the old page's generation ends; a device page it left is freed.
 */
export function installSystemPage(g: Draft<SvmGlobals>, p: number, value: number): void {
  const pg = g.pages[p]!;
  if (pg.dev !== NONE) freeDevicePage(g, pg.dev, p);
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

/** The allocation's pages that back VA pages now. */
export function pagesInUse(d: Devmem): number[] {
  return d.used.flatMap((u, k) => (u ? [d.start + k] : []));
}

/** copy_to_ram of the pages a migration collected (bit k of l.mask: page l.is + k) into l.pfns. */
export function copyCollectedToRam(g: Draft<SvmGlobals>, l: Draft<SvmLocals>): void {
  l.pfns = Array.from({ length: l.ie - l.is }, (_, k) => (l.mask & (1 << k) ? content(g, l.is + k) : NONE));
}

/**
 * migrate_{vma,device}_pages + finalize towards RAM: the collected pages map new system pages
 * holding what was copied, and are unlocked, except `keepLocked` (do_swap_page unlocks it).
 */
export function installCollectedInRam(g: Draft<SvmGlobals>, l: Draft<SvmLocals>, keepLocked = NONE): void {
  for (let k = 0; k < l.ie - l.is; k++) {
    if (!(l.mask & (1 << k))) continue;
    installSystemPage(g, l.is + k, l.pfns[k]!);
    if (l.is + k !== keepLocked) g.pages[l.is + k]!.locked = false;
  }
  l.mask = 0;
  l.pfns = [];
}
