// drm_gpusvm_range_get_pages (DOMAIN.md §2.3), the same for every driver: read_begin, the fast
// path, hmm_range_fault under mmap_lock(R), then under notifier_lock(R): unmapped check,
// read_retry, DMA map. The caller holds the driver lock for write (DOMAIN.md §2.4 DERIVED: two
// get_pages on one range would race on the flags), so `l.range` stays in the tree throughout.

import { memoryType, type SvmConfig } from '../config.ts';
import type { Driver } from '../driver.ts';
import { GPU0, gpus, type Gpu } from '../gpu.ts';
import { INV, MMAP, acquire, notifierLock, release, section } from '../locks.ts';
import { migrateToRamSteps } from './migrate-to-ram.ts';
import { pagesOf, pagesValid, rangeStarting } from '../queries.ts';
import { EFAULT, NONE, OK, type DevPages, type Range, type SvmGlobals, type SvmLocals } from '../state.ts';
import { notifierOf } from '../notifiers.ts';
import { cite, GPUSVM_C, HMM_C } from '../sources.ts';
import { joined, type Exit, type SvmStep } from './types.ts';

export interface GetPagesExits {
  /** Pages are DMA-mapped and valid (ret = 0). */
  readonly ok: Exit;
  /** -EFAULT: the range was unmapped, or hmm_range_fault found no VMA ("CPU mappings changed"). */
  readonly fail: Exit;
}

function leave(e: Exit, l: SvmLocals): string {
  return e.to(l);
}

/**
 * hmm_range_fault meeting a peer GPU's device-private page: its owner is not this device's (no
 * shared owner, device-to-device bounces through RAM), so the page faults through
 * do_swap_page -> migrate_to_ram, under mmap_lock(R); the migration's invalidation moved the seq,
 * so hmm_range_fault returns -EBUSY and get_pages starts over.
 */
function peerFaultSteps(cfg: SvmConfig, driver: Driver, gpu: Gpu): SvmStep[] {
  return [
    {
      label: 'gp_hmm_fault_peer',
      at: 'gp_hmm_fault',
      kernelFn: 'hmm_range_fault: a peer device\'s private page faults (do_swap_page)',
      cite: [cite(HMM_C, 'hmm_vma_handle_pte', '\t\tif (softleaf_is_device_private(entry))\n\t\t\tgoto fault;')],
      locks: [acquire(MMAP, 'read')],
      reads: ['pages', 'devmem', 'ranges'],
      guard: (g, l) => peerPage(g, cfg, gpu, l) !== NONE,
      effect: (g, l) => void (l.fpage = peerPage(g, cfg, gpu, l)),
      next: 'gh_lock_page',
    },
    ...migrateToRamSteps(cfg, driver, 'gh_', 'gh_retry'),
    {
      label: 'gh_retry',
      kernelFn: 'hmm_range_fault returns -EBUSY: mmap_read_unlock, retry',
      cite: [
        cite(
          GPUSVM_C,
          'drm_gpusvm_get_pages',
          '\t\tif (err == -EBUSY) {\n\t\t\tif (time_after(jiffies, timeout))\n\t\t\t\tbreak;\n\n\t\t\thmm_range.notifier_seq =\n\t\t\t\tmmu_interval_read_begin(notifier);',
        ),
      ],
      locks: [release(MMAP, 'read')],
      next: 'gp_read_begin',
    },
  ];
}

/** The first page of the range that lies in another GPU's private VRAM, unless the owners are shared. */
function peerPage(g: SvmGlobals, cfg: SvmConfig, gpu: Gpu, l: SvmLocals): number {
  if (memoryType(cfg) !== 'private' || (cfg.vramToVram ?? 'bounce') === 'direct') return NONE;
  const r = rangeStarting(g, l.range, gpu.inst);
  if (!r || g.pages.slice(r.start, r.end).some((p) => p.locked)) return NONE;
  for (let p = r.start; p < r.end; p++) {
    const a = g.pages[p]!.dev;
    if (a !== NONE && g.devmem[a]!.dev !== gpu.dev) return p;
  }
  return NONE;
}

/**
 * get_pages of `gpu` on its instance's range l.range: its own pages set, its instance's seq and
 * lock. With two GPUs, `peer` adds the path where hmm_range_fault migrates a peer's page to RAM.
 */
export function getPagesSteps(cfg: SvmConfig, x: GetPagesExits, gpu: Gpu = GPU0, peer?: { cfg: SvmConfig; driver: Driver }): SvmStep[] {
  const withPeers = peer !== undefined && gpus(peer.cfg) > 1;
  const NOTIFIER = notifierLock(gpu.inst);
  const range = (g: SvmGlobals, l: SvmLocals): Range | undefined => rangeStarting(g, l.range, gpu.inst);
  const mine = (g: SvmGlobals, l: SvmLocals): DevPages => pagesOf(range(g, l)!, gpu.slot);
  return [
    {
      label: 'gp_read_begin',
      kernelFn: 'mmu_interval_read_begin + drm_gpusvm_pages_valid_unlocked',
      note: 'waits while an invalidation that already set the seq runs; fast path if pages are valid',
      cite: [
        cite(GPUSVM_C, 'drm_gpusvm_get_pages', '\thmm_range.notifier_seq = mmu_interval_read_begin(notifier);\n\tif (drm_gpusvm_pages_valid_unlocked(gpusvm, svm_pages))\n\t\tgoto set_seqno;'),
        cite(
          GPUSVM_C,
          'drm_gpusvm_pages_valid_unlocked',
          '\tdrm_gpusvm_notifier_lock(gpusvm);\n\tpages_valid = drm_gpusvm_pages_valid(gpusvm, svm_pages);\n\tif (!pages_valid)\n\t\t__drm_gpusvm_free_pages(gpusvm, svm_pages);',
        ),
      ],
      locks: section(NOTIFIER, 'read'),
      // mmu_interval_read_begin: lock_map_acquire + release of the invalidation's map.
      lockMaps: [INV],
      reads: joined(['mniSeq', 'subSeq', 'ranges'], x.ok.reads),
      writes: joined(['ranges'], x.ok.writes),
      guard: (g, l) => g.mniSeq[notifierOf(cfg, gpu.inst, l.range)] !== g.subSeq,
      effect: (g, l) => {
        l.seq = g.mniSeq[notifierOf(cfg, gpu.inst, l.range)]!;
        l.ret = OK;
        const pg = pagesOf(rangeStarting(g, l.range, gpu.inst)!, gpu.slot);
        if (pagesValid(pg)) x.ok.effect?.(l, g);
        // drm_gpusvm_pages_valid_unlocked frees dma_addr when the pages are not valid: the map
        // phase drops the notifier lock to allocate it again (gp_alloc).
        else pg.dmaAlloc = false;
      },
      next: (g, l) => (pagesValid(mine(g, l)) ? leave(x.ok, l) : 'gp_hmm_fault'),
    },
    {
      label: 'gp_hmm_fault',
      kernelFn: 'hmm_range_fault',
      note: 'collects the CPU pages of the range (waits on migration entries); -EFAULT without a VMA, -EBUSY (retry) if the seq moved',
      cite: [
        cite(GPUSVM_C, 'drm_gpusvm_get_pages', '\t\tmmap_read_lock(mm);\n\t\terr = hmm_range_fault(&hmm_range);\n\t\tmmap_read_unlock(mm);'),
        cite(HMM_C, 'hmm_range_fault_locked', '\t\tif (mmu_interval_check_retry(range->notifier,\n\t\t\t\t\t     range->notifier_seq))\n\t\t\treturn -EBUSY;'),
        cite(HMM_C, 'hmm_vma_walk_hole', '\tif (!walk->vma) {\n\t\tif (required_fault)\n\t\t\treturn -EFAULT;'),
        cite(HMM_C, 'hmm_vma_handle_pte', '\t\t\tmigration_entry_wait(walk->mm, pmdp, addr);\n\t\t\treturn -EBUSY;'),
      ],
      locks: section(MMAP, 'read'),
      // With peers, the guard looks for a peer's device page (peerPage reads devmem).
      reads: joined(['pages', 'mniSeq', 'ranges'], withPeers ? ['devmem'] : [], x.fail.reads),
      writes: x.fail.writes,
      // A range freed under the fault (a broken protocol) is the effect's to report, not the guard's.
      guard: (g, l) => {
        const r = range(g, l);
        return !r || (g.pages.slice(r.start, r.end).every((p) => !p.locked) && (!withPeers || peerPage(g, peer.cfg, gpu, l) === NONE));
      },
      effect: (g, l) => {
        const r = rangeStarting(g, l.range, gpu.inst)!;
        if (g.pages.slice(r.start, r.end).some((p) => !p.mapped)) {
          l.ret = EFAULT;
          x.fail.effect?.(l, g);
          return;
        }
        l.pfns = g.pages.slice(r.start, r.end).map((p) => p.gen);
        // Device pages of the gpusvm's own owner come back as device pfns (device_map later).
        l.pdev = g.pages.slice(r.start, r.end).map((p) => p.dev);
      },
      next: (g, l) => (l.ret === EFAULT ? leave(x.fail, l) : g.mniSeq[notifierOf(cfg, gpu.inst, l.range)] !== l.seq ? 'gp_read_begin' : 'gp_map'),
    },
    {
      label: 'gp_map',
      kernelFn: 'drm_gpusvm_get_pages (map phase)',
      note: 'under notifier_lock(R): -EFAULT if unmapped, retry if mmu_interval_read_retry, DMA map every page',
      cite: [
        cite(GPUSVM_C, 'drm_gpusvm_get_pages', '\tflags.__flags = svm_pages->flags.__flags;\n\tif (flags.unmapped) {\n\t\tdrm_gpusvm_notifier_unlock(gpusvm);\n\t\terr = -EFAULT;'),
        cite(GPUSVM_C, 'drm_gpusvm_get_pages', '\tif (mmu_interval_read_retry(notifier, hmm_range.notifier_seq)) {\n\t\tdrm_gpusvm_notifier_unlock(gpusvm);\n\t\tkvfree(pfns);\n\t\tgoto retry;'),
        cite(GPUSVM_C, 'drm_gpusvm_get_pages', '\t\ti += 1 << order;\n\t\tnum_dma_mapped = i;\n\t\tflags.has_dma_mapping = true;'),
        cite(GPUSVM_C, 'drm_gpusvm_get_pages', '\tif (pagemap) {\n\t\tflags.has_devmem_pages = true;'),
      ],
      locks: section(NOTIFIER, 'read'),
      reads: joined(['ranges', 'mniSeq'], x.ok.reads, x.fail.reads),
      writes: joined(['ranges'], x.ok.writes, x.fail.writes),
      effect: (g, l) => {
        const r = rangeStarting(g, l.range, gpu.inst)!;
        const pg = pagesOf(r, gpu.slot);
        if (r.unmapped) {
          l.ret = EFAULT;
          x.fail.effect?.(l, g);
          return;
        }
        if (g.mniSeq[notifierOf(cfg, gpu.inst, l.range)] !== l.seq || !pg.dmaAlloc) return;
        pg.dma.splice(0, pg.dma.length, ...l.pfns);
        pg.dmaDev.splice(0, pg.dmaDev.length, ...l.pdev);
        // has_dma_mapping for system pages, has_devmem_pages for device pages (mixed allowed).
        pg.hasDma = l.pdev.some((a) => a === NONE);
        pg.hasDevmem = l.pdev.some((a) => a !== NONE);
        l.pfns = [];
        l.pdev = [];
        x.ok.effect?.(l, g);
      },
      next: (g, l) => {
        if (l.ret === EFAULT) return leave(x.fail, l);
        if (g.mniSeq[notifierOf(cfg, gpu.inst, l.range)] !== l.seq) return 'gp_read_begin';
        return mine(g, l).dmaAlloc ? leave(x.ok, l) : 'gp_alloc';
      },
    },
    {
      label: 'gp_alloc',
      kernelFn: 'kvmalloc_array (pages->dma_addr)',
      note: 'the notifier lock is dropped to allocate, then the map phase starts again',
      cite: [
        cite(
          GPUSVM_C,
          'drm_gpusvm_get_pages',
          '\tif (!svm_pages->dma_addr) {\n\t\t/* Unlock and restart mapping to allocate memory. */\n\t\tdrm_gpusvm_notifier_unlock(gpusvm);\n\t\tsvm_pages->dma_addr =\n\t\t\tkvmalloc_objs(*svm_pages->dma_addr, npages);',
        ),
      ],
      mayAlloc: true,
      writes: ['ranges'],
      effect: (g, l) => {
        pagesOf(rangeStarting(g, l.range, gpu.inst)!, gpu.slot).dmaAlloc = true;
      },
      next: 'gp_map',
    },
    ...(withPeers ? peerFaultSteps(peer.cfg, peer.driver, gpu) : []),
  ];
}
