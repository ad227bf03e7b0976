// The memory manager evicting a VRAM buffer that still backs device pages (DOMAIN.md §3.8): TTM
// holds the buffer's reservation and xe_svm_bo_evict calls drm_pagemap_evict_to_ram, which works
// from physical pages only (no VA, no mmap_lock): migrate_device_pfns collects the buffer's
// device pages (an MMU_NOTIFY_MIGRATE invalidation through the rmap), copy_to_ram, finalize.
// It returns 0 once every device page is freed (devmem->detached completed), else tries up to
// two more times and returns -EBUSY; only after 0 may the buffer's memory be moved. A driver
// without the hook (parameter vramEviction, the driver's default) has its buffer moved as any
// other: amdgpu's migration series ("No eviction fence / VRAM overcommit handling yet").

import type { Program } from '../../explorer/index.ts';
import type { SvmConfig } from '../config.ts';
import { vramEviction, type Driver } from '../driver.ts';
import { collectPages, copyCollectedToRam, getBo, installCollectedInRam, pagesInUse, putBo, touchBo } from '../devmem.ts';
import { acquire, boResv, release } from '../locks.ts';
import { EAGAIN, EBUSY, OK, type SvmGlobals, type SvmLocals } from '../state.ts';
import { perDevice } from '../steps/per-device.ts';
import type { SvmStep } from '../steps/types.ts';
import { cite, MIGRATE_DEVICE_C, PAGEMAP_C } from '../sources.ts';
import { allocationOwner, callbackSteps, invEndStep } from './invalidate.ts';

/**
 * Buffers of `dev` the memory manager may pick: still owning VRAM that device pages use, and not
 * on their way out (ttm_bo_get_unless_zero fails on a buffer whose last reference went).
 */
const victims = (g: SvmGlobals, dev: number): number[] =>
  g.devmem.flatMap((d) => (d.dev === dev && d.backed && d.bo > 0 && pagesInUse(d).length > 0 ? [d.id] : []));

/** Why TTM's own steps cite no source. */
const TTM_UNSOURCED =
  'TTM is outside the sources read: ttm_bo_evict_first takes ttm_bo_get_unless_zero(bo) before ttm_bo_reserve, ' +
  'and dma_resv_unlock then ttm_bo_put after ttm_bo_evict (read in a mirror of drivers/gpu/drm/ttm/ttm_bo.c; ' +
  'the stored torvalds/linux ttm_bo.c predates that function)';

export function evict(cfg: SvmConfig, driver: Driver): Program<SvmGlobals, SvmLocals> {
  const body = vramEviction(cfg, driver) === 'move-unnotified' ? moveUnnotifiedSteps(cfg, driver) : evictToRamSteps(cfg, driver);
  return {
    name: 'evict',
    start: 'ev_pick',
    // With no buffer in use, there is nothing to evict: waiting forever is not a deadlock.
    endLabels: ['ev_pick'],
    steps: [
      ...body,
      ...perDevice(cfg, 'ev_unlock', (d) => ({
        kernelFn: 'ttm_bo_evict done: dma_resv_unlock + ttm_bo_put',
        note: "TTM's reference kept the buffer alive while it evicted; this may be its last",
        unsourced: TTM_UNSOURCED,
        locks: [release(boResv(d))],
        reads: ['devmem'],
        writes: ['devmem'],
        effect: (g, l) => {
          touchBo(g, l.alloc);
          putBo(g, l.alloc);
        },
        next: 'done',
      })),
    ],
  };
}

/** TTM takes the reservation of a VRAM buffer of this device whose device pages are in use. */
function pickSteps(cfg: SvmConfig, step: Pick<SvmStep, 'kernelFn' | 'cite' | 'note' | 'writes' | 'effect' | 'next'>): SvmStep[] {
  return perDevice(cfg, 'ev_pick', (d) => ({
    ...step,
    unsourced: TTM_UNSOURCED,
    locks: [acquire(boResv(d))],
    reads: ['devmem'],
    guard: (g) => victims(g, d).length > 0,
    choices: (g) => victims(g, d),
  }));
}

/** xe_svm_bo_evict: drm_pagemap_evict_to_ram empties the buffer, then the move. */
function evictToRamSteps(cfg: SvmConfig, driver: Driver): SvmStep[] {
  return [
    ...pickSteps(cfg, {
      kernelFn: `ttm_bo_evict_first: ttm_bo_get_unless_zero + ttm_bo_reserve -> ttm_bo_evict -> ${driver.evictHook}`,
      cite: driver.pagemapCite?.evictHook,
      note: 'the memory manager takes a reference on a VRAM buffer of this device whose device pages are in use, and reserves it',
      writes: ['devmem'],
      effect: (g, l, c) => {
        l.alloc = c.choice;
        l.mtries = cfg.evictRetries ?? 2;
        getBo(g, c.choice);
      },
      next: 'ev_populate',
    }),
    {
      label: 'ev_populate',
      kernelFn: 'drm_pagemap_evict_to_ram: mmget_not_zero + populate_devmem_pfn + migrate_device_pfns',
      note: 'the buffer\'s pages are found from physical memory; their mappings are invalidated through the rmap',
      cite: [
        cite(PAGEMAP_C, 'drm_pagemap_evict_to_ram', 'retry:\n\tif (!mmget_not_zero(devmem_allocation->mm))\n\t\treturn -EFAULT;'),
        cite(PAGEMAP_C, 'drm_pagemap_evict_to_ram', '\terr = ops->populate_devmem_pfn(devmem_allocation, npages, src);\n\tif (err)\n\t\tgoto err_free;\n\n\terr = migrate_device_pfns(src, npages);'),
      ],
      reads: ['devmem', 'mmUsers'],
      writes: ['devmem', 'mmUsers'],
      effect: (g, l) => {
        touchBo(g, l.alloc);
        g.mmUsers++;
        const d = g.devmem[l.alloc]!;
        l.is = d.start;
        l.ie = d.start + d.used.length;
      },
      next: 'ev_inv_start',
    },
    ...callbackSteps(cfg, driver, 'migrate', 'ev_collect', 'ev_', allocationOwner),
    {
      label: 'ev_collect',
      kernelFn: 'migrate_device_pfns: lock the device pages, install migration entries',
      note: 'pages somebody else holds locked are left for a later pass',
      cite: [
        cite(MIGRATE_DEVICE_C, 'migrate_device_pfns', '\tfor (i = 0; i < npages; i++)\n\t\tsrc_pfns[i] = migrate_device_pfn_lock(src_pfns[i]);\n\n\tmigrate_device_unmap(src_pfns, npages, NULL);'),
        cite(MIGRATE_DEVICE_C, 'migrate_device_pfn_lock', '\tif (!folio_trylock(folio)) {\n\t\tfolio_put(folio);\n\t\treturn 0;\n\t}'),
      ],
      reads: ['pages', 'devmem'],
      writes: ['pages'],
      effect: (g, l) => collectPages(g, l, (p) => !g.pages[p]!.locked && g.pages[p]!.dev === l.alloc),
      next: 'ev_inv_end',
    },
    invEndStep('ev_inv_end', 'ev_copy'),
    {
      label: 'ev_copy',
      kernelFn: 'drm_pagemap_migrate_populate_ram_pfn + copy_to_ram',
      cite: [
        cite(PAGEMAP_C, 'drm_pagemap_evict_to_ram', '\terr = drm_pagemap_migrate_populate_ram_pfn(NULL, NULL, npages, &mpages,\n\t\t\t\t\t\t   src, dst, 0);\n\tif (err || !mpages)\n\t\tgoto err_finalize;'),
        cite(PAGEMAP_C, 'drm_pagemap_evict_to_ram', '\terr = ops->copy_to_ram(pages, pagemap_addr, npages, NULL);'),
      ],
      mayAlloc: true,
      reads: ['devmem', 'pages'],
      effect: copyCollectedToRam,
      next: 'ev_finalize',
    },
    {
      label: 'ev_finalize',
      kernelFn: 'migrate_device_pages + migrate_device_finalize',
      note: 'the pages now map system pages; each freed device page drops its zdd reference',
      cite: [
        cite(PAGEMAP_C, 'drm_pagemap_evict_to_ram', '\tmigrate_device_pages(src, dst, npages);\n\tmigrate_device_finalize(src, dst, npages);'),
        cite(PAGEMAP_C, 'drm_pagemap_folio_free', '\tdrm_pagemap_zdd_put(folio->page.zone_device_data);'),
      ],
      writes: ['pages', 'devmem', 'data'],
      effect: (g, l) => installCollectedInRam(g, l),
      next: 'ev_detached',
    },
    {
      label: 'ev_detached',
      kernelFn: 'drm_pagemap_evict_to_ram: mmput_async; completion_done(&devmem->detached), else retry (2 more) or -EBUSY',
      cite: [
        cite(PAGEMAP_C, 'drm_pagemap_evict_to_ram', 'err_out:\n\tmmput_async(devmem_allocation->mm);'),
        cite(PAGEMAP_C, 'drm_pagemap_evict_to_ram', '\tif (completion_done(&devmem_allocation->detached))\n\t\treturn 0;\n\n\tif (retry_count--) {\n\t\tcond_resched();\n\t\tgoto retry;\n\t}\n\n\treturn err ?: -EBUSY;'),
        cite(PAGEMAP_C, 'drm_pagemap_zdd_destroy', '\tif (devmem) {\n\t\tcomplete_all(&devmem->detached);'),
      ],
      reads: ['devmem', 'mmUsers'],
      writes: ['mmUsers'],
      effect: (g, l) => {
        g.mmUsers--;
        l.ret = g.devmem[l.alloc]!.released ? OK : l.mtries > 0 ? EAGAIN : EBUSY;
        if (l.ret === EAGAIN) l.mtries--;
      },
      next: (_g, l) => (l.ret === OK ? 'ev_move' : l.ret === EBUSY ? 'ev_unlock' : 'ev_populate'),
    },
    {
      label: 'ev_move',
      kernelFn: 'ttm_bo_move: the buffer\'s VRAM goes back to the memory manager',
      note: 'only after drm_pagemap_evict_to_ram returned 0',
      unsourced: 'ttm_bo_move (TTM) is outside the sources read; drm_pagemap only promises 0 once the allocation is detached',
      reads: ['devmem'],
      writes: ['devmem'],
      effect: (g, l) => {
        touchBo(g, l.alloc);
        g.devmem[l.alloc]!.backed = false;
      },
      next: 'ev_unlock',
    },
  ];
}

/**
 * A driver without an eviction hook: TTM moves the buffer behind device pages like any other, and
 * the device pages keep pointing at VRAM the memory manager now gives to somebody else.
 */
function moveUnnotifiedSteps(cfg: SvmConfig, driver: Driver): SvmStep[] {
  return pickSteps(cfg, {
    kernelFn: driver.unhookedMove ?? 'ttm_bo_evict: the buffer moves to GTT (no eviction hook)',
    cite: driver.pagemapCite?.unhookedMove,
    note: 'the memory manager evicts a VRAM buffer device pages use, as it would any other',
    writes: ['devmem'],
    effect: (g, l, c) => {
      l.alloc = c.choice;
      getBo(g, c.choice);
      g.devmem[c.choice]!.backed = false;
    },
    next: 'ev_unlock',
  });
}
