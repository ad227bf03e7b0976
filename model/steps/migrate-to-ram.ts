// A CPU fault on a device-private page (DOMAIN.md §3.7): do_swap_page locks the device page
// (trylock; since the hmm_range_fault livelock fix, a loser waits for the unlock, bug 9), takes a
// page reference and calls drm_pagemap_migrate_to_ram. Before the trylock (doSwapPage
// 'get-page', bug 8) every faulting thread took a reference and called it, and each reference
// made the others' migrations restore the page (migrate_vma_check_page). That refuses while the allocation's timeslice lasts (the CPU simply
// faults again), else migrates the allocation's window clipped to the VMA with an
// MMU_NOTIFY_MIGRATE invalidation; only the faulting page is guaranteed (partial migration:
// pages someone else holds locked stay behind). No driver lock is taken (bug 8).
// `l.fpage` is the faulting page; the caller holds mmap_lock(R) throughout.

import type { SvmConfig } from '../config.ts';
import type { Driver } from '../driver.ts';
import { collectPages, copyCollectedToRam, installCollectedInRam, refDevicePage } from '../devmem.ts';
import { allocationOwner, callbackSteps, invEndStep } from '../processes/invalidate.ts';
import { vmaAt } from '../queries.ts';
import { EAGAIN, NONE, OK } from '../state.ts';
import type { Citation } from '../../explorer/index.ts';
import { cite, DO_SWAP_PAGE_MAIL, MIGRATE_DEVICE_C, PAGEMAP_C } from '../sources.ts';
import type { SvmStep } from './types.ts';

const PAGE = 4096;
/** include/linux/align.h ALIGN: `__ALIGN_KERNEL(x, a)` = (x + a - 1) & ~(a - 1). */
const align = (x: number, a: number): number => (x + a - 1) & ~(a - 1);
/** ALIGN_DOWN(x, a) = ALIGN(x - (a - 1), a). */
const alignDown = (x: number, a: number): number => align(x - (a - 1), a);

/** "mm/migrate: Trylock device page in do_swap_page" (1afaeb8293c9): its removed lines are do_swap_page before it. */
const TRYLOCK_PATCH = '<20240911030337.870160-2-matthew.brost@intel.com>';
const GET_PAGE_CITE: Citation = cite(
  TRYLOCK_PATCH,
  'do_swap_page',
  '-\t\t\tget_page(vmf->page);\n-\t\t\tpte_unmap_unlock(vmf->pte, vmf->ptl);\n-\t\t\tret = vmf->page->pgmap->ops->migrate_to_ram(vmf);\n-\t\t\tput_page(vmf->page);',
);

export function migrateToRamSteps(cfg: SvmConfig, driver: Driver, prefix: string, after: string): SvmStep[] {
  const P = (label: string): string => prefix + label;
  // Before the trylock the faulting thread holds no page lock: the migration trylocks the
  // faulting page like any other, and finalize unlocks it.
  const trylock = (cfg.doSwapPage ?? 'trylock') === 'trylock';
  return [
    {
      label: P('lock_page'),
      kernelFn: trylock ? 'do_swap_page: trylock_page(vmf->page) + get_page (a loser waits for the folio unlock)' : 'do_swap_page: get_page(vmf->page) (no page lock, before 1afaeb8293c9)',
      note: 'if the entry is no longer a device page (another fault migrated it), return and fault again',
      cite: trylock
        ? [
            cite(DO_SWAP_PAGE_MAIL, 'do_swap_page', '\t\t\tif (trylock_page(vmf->page)) {'),
            cite(DO_SWAP_PAGE_MAIL, 'do_swap_page', '\t\t\t\tpte_unmap(vmf->pte);\n\t\t\t\tmigration_entry_wait_on_locked(entry, vmf->ptl);'),
            cite(TRYLOCK_PATCH, 'do_swap_page', '+\t\t\tif (trylock_page(vmf->page)) {\n+\t\t\t\tget_page(vmf->page);'),
          ]
        : [GET_PAGE_CITE],
      reads: ['pages'],
      writes: ['pages', 'devmem'],
      // A page a migration locked has a migration entry instead: migration_entry_wait.
      guard: (g, l) => !g.pages[l.fpage]!.locked,
      effect: (g, l) => {
        const pg = g.pages[l.fpage]!;
        if (pg.dev === NONE || !pg.mapped) {
          l.ret = EAGAIN;
          return;
        }
        l.ret = OK;
        if (trylock) pg.locked = true;
        l.alloc = pg.dev;
        refDevicePage(g, l.alloc, l.fpage, 1);
      },
      next: (_g, l) => (l.ret === OK ? P('timeslice') : after),
    },
    {
      label: P('timeslice'),
      kernelFn: trylock ? 'drm_pagemap_migrate_to_ram: now < timeslice_expiration, return 0; unlock_page + put_page' : 'drm_pagemap_migrate_to_ram: now < timeslice_expiration, return 0; put_page',
      note: 'the GPU keeps the pages for its timeslice; the CPU faults again once it has passed (time passing is abstracted)',
      cite: [
        cite(PAGEMAP_C, '__drm_pagemap_migrate_to_ram', '\tzdd = page->zone_device_data;\n\tif (time_before64(get_jiffies_64(), zdd->devmem_allocation->timeslice_expiration))\n\t\treturn 0;'),
      ],
      reads: ['devmem'],
      writes: ['devmem', 'pages'],
      guard: (g, l) => g.devmem[l.alloc]!.timeslice,
      effect: (g, l) => {
        g.devmem[l.alloc]!.timeslice = false;
        if (trylock) g.pages[l.fpage]!.locked = false;
        refDevicePage(g, l.alloc, l.fpage, -1);
      },
      next: after,
    },
    {
      label: P('window'),
      at: P('timeslice'),
      kernelFn: '__drm_pagemap_migrate_to_ram: the allocation-sized window, clipped to the VMA',
      cite: [
        cite(PAGEMAP_C, '__drm_pagemap_migrate_to_ram', '\tstart = ALIGN_DOWN(fault_addr, size);\n\tend = ALIGN(fault_addr + 1, size);'),
        cite(PAGEMAP_C, '__drm_pagemap_migrate_to_ram', '\tif (start < vas->vm_start)\n\t\tstart = vas->vm_start;\n\tif (end > vas->vm_end)\n\t\tend = vas->vm_end;'),
      ],
      reads: ['devmem', 'pages'],
      guard: (g, l) => !g.devmem[l.alloc]!.timeslice,
      // The kernel's ALIGN / ALIGN_DOWN (bit masks: exact for a power-of-two size only) around the
      // fault address, in bytes, then in pages again: not the allocation's own start.
      effect: (g, l) => {
        const size = g.devmem[l.alloc]!.used.length * PAGE;
        const vma = vmaAt(g, l.fpage)!;
        const addr = l.fpage * PAGE;
        l.is = Math.max(alignDown(addr, size) / PAGE, vma[0]);
        l.ie = Math.min(align(addr + 1, size) / PAGE, vma[1]);
      },
      next: P('inv_start'),
    },
    // The migration's pgmap owner is the owner of the faulting page: its device.
    ...callbackSteps(cfg, driver, 'migrate', P('collect'), prefix, allocationOwner),
    {
      label: P('collect'),
      kernelFn: 'migrate_vma_setup(SELECT_DEVICE_PRIVATE | SELECT_DEVICE_COHERENT, fault_page)',
      note: trylock
        ? 'the faulting page (locked by do_swap_page), and the pages of the same allocation nobody else holds locked or referenced'
        : 'the pages of the same allocation, the faulting one included, nobody else holds locked or referenced',
      cite: [
        cite(PAGEMAP_C, '__drm_pagemap_migrate_to_ram', '\t\t.flags\t\t= MIGRATE_VMA_SELECT_DEVICE_PRIVATE |\n\t\tMIGRATE_VMA_SELECT_DEVICE_COHERENT,\n\t\t.fault_page\t= page,'),
        cite(MIGRATE_DEVICE_C, 'migrate_vma_setup', '\tmigrate_vma_collect(args);\n\n\tif (args->cpages)\n\t\tmigrate_vma_unmap(args);'),
        cite(MIGRATE_DEVICE_C, 'migrate_vma_check_page', '\tint extra = 1 + (page == fault_page);'),
        cite(MIGRATE_DEVICE_C, 'migrate_device_unmap', '\t\tif (folio_mapped(folio) ||\n\t\t    !migrate_vma_check_page(page, fault_page)) {'),
      ],
      reads: ['pages', 'devmem'],
      writes: ['pages'],
      effect: (g, l) => collectPages(g, l, (p) => (trylock && p === l.fpage) || (!g.pages[p]!.locked && g.pages[p]!.dev === l.alloc), l.fpage),
      next: P('inv_end'),
    },
    invEndStep(P('inv_end'), P('copy')),
    {
      label: P('copy'),
      kernelFn: 'drm_pagemap_migrate_populate_ram_pfn + copy_to_ram',
      note: 'new system pages for the collected pages of the same zdd; the copy completes before it returns',
      cite: [
        cite(PAGEMAP_C, 'drm_pagemap_migrate_populate_ram_pfn', '\t\tif (fault_page) {\n\t\t\tif (src_page->zone_device_data !=\n\t\t\t    fault_page->zone_device_data)\n\t\t\t\tgoto next;'),
        cite(PAGEMAP_C, '__drm_pagemap_migrate_to_ram', '\terr = ops->copy_to_ram(pages, pagemap_addr, npages, NULL);'),
      ],
      mayAlloc: true,
      reads: ['devmem', 'pages'],
      effect: copyCollectedToRam,
      next: P('finalize'),
    },
    {
      label: P('finalize'),
      kernelFn: 'migrate_vma_pages + migrate_vma_finalize',
      note: 'the collected pages now map the system pages; each device page freed drops its zdd reference',
      cite: [
        cite(PAGEMAP_C, '__drm_pagemap_migrate_to_ram', '\tmigrate_vma_pages(&migrate);\n\tmigrate_vma_finalize(&migrate);'),
        cite(MIGRATE_DEVICE_C, '__migrate_device_finalize', '\t\tif (fault_folio != src)\n\t\t\tfolio_unlock(src);'),
      ],
      writes: ['pages', 'devmem', 'data'],
      // The faulting page stays locked until do_swap_page's unlock_page (with the trylock).
      effect: (g, l) => installCollectedInRam(g, l, trylock ? l.fpage : NONE, l.fpage),
      next: P('unlock_page'),
    },
    {
      label: P('unlock_page'),
      kernelFn: trylock ? 'do_swap_page: unlock_page + put_page' : 'do_swap_page: put_page',
      cite: trylock ? [cite(DO_SWAP_PAGE_MAIL, 'do_swap_page', '\t\t\t\tret = pgmap->ops->migrate_to_ram(vmf);\n\t\t\t\tunlock_page(vmf->page);\n\t\t\t\tput_page(vmf->page);')] : [GET_PAGE_CITE],
      reads: ['pages'],
      writes: ['pages', 'devmem'],
      effect: (g, l) => {
        if (trylock) g.pages[l.fpage]!.locked = false;
        refDevicePage(g, l.alloc, l.fpage, -1);
      },
      next: after,
    },
  ];
}
