// Migration RAM -> VRAM (DOMAIN.md §3.6): drm_pagemap_populate_mm takes mmap_lock(R) around the
// driver's populate_mm, which creates and reserves a VRAM buffer and calls
// drm_pagemap_migrate_to_devmem. That one checks the VMA, runs migrate_vma_setup (an
// MMU_NOTIFY_MIGRATE invalidation, then the collect walk that locks the pages and installs
// migration entries), migrates all pages or none (-EBUSY), queues the copy on the copy engine
// behind the buffer's pre_migrate_fence, waits for it, and finalizes.
// Read from drm_pagemap.c @ 10dd1eaa (helper notes in docs/model.md).

import { memoryType, type SvmConfig } from '../config.ts';
import { boResvSpan, type Driver } from '../driver.ts';
import { collectPages, installDevicePage, maskPages, newDevmem, putBo, putZdd, touchBo } from '../devmem.ts';
import { MMAP, acquire, boResv, release, section } from '../locks.ts';
import { callbackSteps, invEndStep } from '../processes/invalidate.ts';
import type { Interval } from '../queries.ts';
import { EBUSY, EINVAL, ENOENT, NONE, OK, type Devmem, type SvmGlobals, type SvmLocals } from '../state.ts';
import type { Draft } from 'immer';
import { cite, MIGRATE_DEVICE_C, PAGEMAP_C } from '../sources.ts';
import { perDevice } from './per-device.ts';
import { joined, type Exit, type SvmStep } from './types.ts';

export interface MigrateExits {
  readonly ok: Exit;
  /** -EBUSY: raced (collected fewer pages than asked, or lost pages while finalizing). */
  readonly busy: Exit;
  /** -ENOENT / -EINVAL: no VMA, or the interval is not inside one. */
  readonly fail: Exit;
}

export interface MigrateOptions {
  /** Label prefix, so that one program can hold these steps next to other migrations. */
  readonly prefix: string;
  /** The VA interval to migrate (the range or the prefetch interval), read when the migration starts. */
  readonly target: Interval;
  /** The driver whose populate_mm creates the buffer, and whose notifier the migration runs. */
  readonly driver: Driver;
  /** The devices l.dev can name (a fault migrates only to its own GPU); default every device. */
  readonly devs?: readonly number[];
}

/**
 * migrate_vma_setup's selection (MIGRATE_VMA_SELECT_SYSTEM | SELECT_DEVICE_COHERENT, and
 * SELECT_DEVICE_PRIVATE only with direct device-to-device migration, where the devices share a
 * pagemap owner): which pages of the interval it collects. A locked page is skipped (trylock).
 */
function collectable(g: SvmGlobals, cfg: SvmConfig, p: number): boolean {
  const pg = g.pages[p]!;
  if (!pg.mapped || pg.locked) return false;
  if (pg.dev === NONE || memoryType(cfg) === 'coherent') return true;
  return (cfg.vramToVram ?? 'bounce') === 'direct';
}

export function migrateToDevmemSteps(cfg: SvmConfig, o: MigrateOptions, x: MigrateExits): SvmStep[] {
  const P = (label: string): string => o.prefix + label;
  const exit = (l: SvmLocals): Exit => (l.ret === OK ? x.ok : l.ret === EBUSY ? x.busy : x.fail);
  const resv = boResvSpan(cfg, o.driver);
  return [
    {
      label: P('mmap_lock'),
      kernelFn: 'drm_pagemap_populate_mm: mmget_not_zero + mmap_read_lock',
      cite: [cite(PAGEMAP_C, 'drm_pagemap_populate_mm', '\tif (!mmget_not_zero(mm))\n\t\treturn -EFAULT;\n\tmmap_read_lock(mm);')],
      locks: [acquire(MMAP, 'read')],
      // Nothing exits the process, so mm_users is never 0 here and mmget_not_zero succeeds.
      reads: joined(['mmUsers'], o.target.reads),
      writes: ['mmUsers'],
      effect: (g, l) => {
        const [s, e] = o.target(g, l);
        l.is = s;
        l.ie = e;
        l.mask = 0;
        l.ret = OK;
        g.mmUsers++;
      },
      next: P('bo_create'),
    },
    ...perDevice(cfg, P('bo_create'), (d) => ({
      kernelFn: o.driver.pagemap.create,
      note: 'a fresh VRAM buffer, reserved; its clear is still queued (pre_migrate_fence)',
      // The buffer itself is the driver's (kernelFn); drm_pagemap records the fence the copy waits for.
      cite: [
        ...(o.driver.pagemapCite?.create ?? []),
        cite(PAGEMAP_C, 'drm_pagemap_devmem_init', '\tdevmem_allocation->size = size;\n\tdevmem_allocation->pre_migrate_fence = pre_migrate_fence;'),
      ],
      locks: resv === 'migration' ? [acquire(boResv(d))] : [],
      mayAlloc: true,
      writes: ['devmem'],
      // The buffer's first reference is its creator's; a driver keeping one of its own across
      // the migration (xe_bo_get) has two, the allocation's being consumed by the migration.
      effect: (g, l) => {
        l.alloc = g.devmem.length;
        g.devmem.push(newDevmem(l.alloc, l.dev, l.is, l.ie, o.driver.populateHoldsBo ? 2 : 1) as Draft<Devmem>);
      },
      next: P('vma_check'),
    }), o.devs),
    {
      label: P('vma_check'),
      kernelFn: 'drm_pagemap_migrate_to_devmem: vma_lookup + drm_pagemap_zdd_alloc',
      note: 'no VMA: -ENOENT; interval not inside it: -EINVAL (devmem_release); else the zdd owns the allocation',
      cite: [
        cite(PAGEMAP_C, 'drm_pagemap_migrate_to_devmem', '\tvas = vma_lookup(mm, start);\n\tif (!vas) {\n\t\terr = -ENOENT;\n\t\tgoto err_out;'),
        cite(PAGEMAP_C, 'drm_pagemap_migrate_to_devmem', '\tif (end > vas->vm_end || start < vas->vm_start) {\n\t\terr = -EINVAL;\n\t\tgoto err_out;'),
        cite(PAGEMAP_C, 'drm_pagemap_migrate_to_devmem', '\tzdd->devmem_allocation = devmem_allocation;\t/* Owns ref */'),
      ],
      mayAlloc: true,
      reads: ['pages'],
      writes: ['devmem'],
      effect: (g, l) => {
        const vma = g.pages[l.is]!;
        const inside = g.pages.slice(l.is, l.ie).every((p) => p.mapped && p.vma === vma.vma);
        if (inside) return;
        l.ret = vma.mapped ? EINVAL : ENOENT;
        // err_out: the driver's devmem_release; no page or zdd but the migration's own uses it.
        putZdd(g, l.alloc);
      },
      next: (_g, l) => (l.ret === OK ? P('inv_start') : P('unlock')),
    },
    ...callbackSteps(cfg, o.driver, 'migrate', P('collect'), o.prefix),
    {
      label: P('collect'),
      kernelFn: 'migrate_vma_setup: migrate_vma_collect (lock pages, install migration entries)',
      note: 'system pages, device-coherent pages (and, direct, device-private pages of a shared owner) not locked by someone else',
      cite: [
        cite(PAGEMAP_C, 'drm_pagemap_migrate_to_devmem', '\t\t.flags\t\t= MIGRATE_VMA_SELECT_SYSTEM | MIGRATE_VMA_SELECT_DEVICE_COHERENT,'),
        cite(MIGRATE_DEVICE_C, 'migrate_vma_setup', '\tmigrate_vma_collect(args);\n\n\tif (args->cpages)\n\t\tmigrate_vma_unmap(args);'),
      ],
      reads: ['pages', 'devmem'],
      writes: ['pages'],
      effect: (g, l) => collectPages(g, l, (p) => collectable(g, cfg, p)),
      next: P('inv_end'),
    },
    invEndStep(P('inv_end'), P('cpages')),
    {
      label: P('cpages'),
      kernelFn: 'drm_pagemap_migrate_to_devmem: all or nothing (cpages), own pages',
      note: 'none or not all collected: -EBUSY; all already in this pagemap: done, nothing to copy; the aborted migration restores the pages',
      cite: [
        cite(PAGEMAP_C, 'drm_pagemap_migrate_to_devmem', '\tif (!migrate.cpages) {\n\t\t/* No pages to migrate. Raced or unknown device pages. */\n\t\terr = -EBUSY;\n\t\tgoto err_free;'),
        cite(PAGEMAP_C, 'drm_pagemap_migrate_to_devmem', '\tif (migrate.cpages != npages) {\n\t\t/*\n\t\t * Some pages to migrate. But we want to migrate all or\n\t\t * nothing. Raced or unknown device pages.'),
        cite(PAGEMAP_C, 'drm_pagemap_migrate_to_devmem', '\tif (own_pages == npages) {\n\t\terr = 0;'),
        cite(PAGEMAP_C, 'drm_pagemap_migrate_to_devmem', '\t} else if (own_pages && !mdetails->can_migrate_same_pagemap) {\n\t\terr = -EBUSY;'),
      ],
      reads: ['pages', 'devmem'],
      writes: ['pages'],
      effect: (g, l) => {
        const n = l.ie - l.is;
        const held = maskPages(l.is, l.mask);
        const own = held.filter((p) => g.pages[p]!.dev !== NONE && g.devmem[g.pages[p]!.dev]!.dev === l.dev).length;
        if (held.length !== n || own > 0) {
          // -EBUSY ("Raced or unknown device pages", "all or nothing", or own pages mixed in),
          // or own === n ("Migration wasn't necessary", 0): migrate_vma_pages/finalize restore.
          l.ret = held.length === n && own === n ? OK : EBUSY;
          for (const p of held) g.pages[p]!.locked = false;
          l.mask = 0;
        }
      },
      next: (_g, l) => (l.mask !== 0 ? P(resv === 'populate-pfn' ? 'populate_pfn' : 'copy_submit') : P('finalize')),
    },
    ...(resv === 'populate-pfn'
      ? perDevice(cfg, P('populate_pfn'), (d) => ({
          kernelFn: 'devmem_ops->populate_devmem_pfn: reserve the buffer, its placement into PFNs, unreserve',
          cite: o.driver.pagemapCite?.populatePfn,
          note: 'the only section under the buffer\'s reservation: TTM may move the buffer before and after it',
          locks: section(boResv(d)),
          reads: ['devmem'],
          writes: ['devmem'],
          effect: (g, l) => touchBo(g, l.alloc),
          next: P('copy_submit'),
        }), o.devs)
      : []),
    {
      label: P('copy_submit'),
      kernelFn: resv === 'populate-pfn' ? 'drm_pagemap_get_devmem_page + copy_to_devmem' : 'populate_devmem_pfn + drm_pagemap_get_devmem_page + copy_to_devmem(pre_migrate_fence)',
      note: 'the copy is queued on the copy engine, behind the buffer\'s pre_migrate_fence',
      cite: [
        cite(PAGEMAP_C, 'drm_pagemap_migrate_to_devmem', '\t\tmigrate.dst[i] = migrate_pfn(migrate.dst[i]);\n\t\tdrm_pagemap_get_devmem_page(page, zdd);'),
        cite(PAGEMAP_C, 'drm_pagemap_migrate_sys_to_dev', '\terr = ops->copy_to_devmem(local_pages, pagemap_addr, npages,\n\t\t\t\t  devmem->pre_migrate_fence);'),
      ],
      mayAlloc: true,
      writes: ['devmem'],
      effect: (g, l) => {
        touchBo(g, l.alloc);
        const d = g.devmem[l.alloc]!;
        d.copyPending = true;
        d.copyMask = l.mask;
      },
      next: P('copy_wait'),
    },
    {
      label: P('copy_wait'),
      kernelFn: 'dma_fence_wait (the copy job\'s fence); timeslice_expiration = now + timeslice_ms',
      note: 'waits until the engine ran the copy; the CPU may not take the pages back before the timeslice ends',
      // drm_pagemap has no fence wait: the driver's copy_to_devmem waits or orders the copy.
      cite: [
        cite(
          PAGEMAP_C,
          'drm_pagemap_migrate_to_devmem',
          '\t/* Upon success bind devmem allocation to range and zdd */\n\tdevmem_allocation->timeslice_expiration = get_jiffies_64() +\n\t\tmsecs_to_jiffies(mdetails->timeslice_ms);',
        ),
      ],
      reads: ['devmem'],
      writes: ['devmem'],
      guard: (g, l) => g.devmem[l.alloc]!.copyDone,
      effect: (g, l) => void (g.devmem[l.alloc]!.timeslice = true),
      next: P('finalize'),
    },
    {
      label: P('finalize'),
      kernelFn: 'migrate_vma_pages + migrate_vma_finalize + drm_pagemap_zdd_put',
      note: 'collected pages now map the device pages; the migration drops its zdd reference (an unused buffer is released)',
      cite: [
        cite(PAGEMAP_C, 'drm_pagemap_migrate_to_devmem', '\tif (!err && migrated_pages < npages - own_pages) {\n\t\tdrm_dbg(dpagemap->drm, "Raced while finalizing migration.\\n");\n\t\terr = -EBUSY;'),
        cite(PAGEMAP_C, 'drm_pagemap_migrate_to_devmem', '\tmigrate_vma_finalize(&migrate);\nerr_free:\n\tdrm_pagemap_zdd_put(zdd);'),
      ],
      reads: ['devmem'],
      writes: ['pages', 'devmem', 'data'],
      // "Raced while finalizing migration": with finalizeRaces, the last collected page may fail.
      choices: (_g, l) => (cfg.finalizeRaces && l.mask !== 0 ? [0, 1] : [0]),
      effect: (g, l, c) => {
        const held = maskPages(l.is, l.mask);
        for (const p of held) {
          if (!(c.choice === 1 && p === held.at(-1))) installDevicePage(g, p, l.alloc);
          g.pages[p]!.locked = false;
        }
        if (c.choice === 1) l.ret = EBUSY;
        l.mask = 0;
        putZdd(g, l.alloc);
      },
      next: P('unlock'),
    },
    ...perDevice(cfg, P('unlock'), (d) => ({
      kernelFn: o.driver.pagemap.unlock,
      cite: [...(o.driver.pagemapCite?.unlock ?? []), cite(PAGEMAP_C, 'drm_pagemap_populate_mm', '\tmmap_read_unlock(mm);\n\tmmput(mm);')],
      locks: resv === 'migration' ? [release(boResv(d)), release(MMAP, 'read')] : [release(MMAP, 'read')],
      reads: joined(['devmem', 'mmUsers'], x.ok.reads, x.busy.reads, x.fail.reads),
      writes: joined(['devmem', 'mmUsers'], x.ok.writes, x.busy.writes, x.fail.writes),
      effect: (g, l) => {
        // The driver's own reference, if it kept one: unlock (it touches the buffer), then put.
        if (o.driver.populateHoldsBo) {
          touchBo(g, l.alloc);
          putBo(g, l.alloc);
        }
        g.mmUsers--;
        exit(l).effect?.(l, g);
      },
      next: (_g, l) => exit(l).to(l),
    }), o.devs),
  ];
}
