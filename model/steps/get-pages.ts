// drm_gpusvm_range_get_pages (DOMAIN.md §2.3), the same for every driver: read_begin, the fast
// path, hmm_range_fault under mmap_lock(R), then under notifier_lock(R): unmapped check,
// read_retry, DMA map. The caller holds the driver lock for write (DOMAIN.md §2.4 DERIVED: two
// get_pages on one range would race on the flags), so `l.range` stays in the tree throughout.

import { GPU0, type Gpu } from '../gpu.ts';
import { MMAP, notifierLock, section } from '../locks.ts';
import { pagesOf, pagesValid, rangeStarting } from '../queries.ts';
import { EFAULT, NONE, OK, type DevPages, type Range, type SvmGlobals, type SvmLocals } from '../state.ts';
import type { Exit, SvmStep } from './types.ts';

export interface GetPagesExits {
  /** Pages are DMA-mapped and valid (ret = 0). */
  readonly ok: Exit;
  /** -EFAULT: the range was unmapped, or hmm_range_fault found no VMA ("CPU mappings changed"). */
  readonly fail: Exit;
}

function leave(e: Exit, l: SvmLocals): string {
  return e.to(l);
}

/** get_pages of `gpu` on its instance's range l.range: its own pages set, its instance's seq and lock. */
export function getPagesSteps(x: GetPagesExits, gpu: Gpu = GPU0): SvmStep[] {
  const NOTIFIER = notifierLock(gpu.inst);
  const range = (g: SvmGlobals, l: SvmLocals): Range | undefined => rangeStarting(g, l.range, gpu.inst);
  const mine = (g: SvmGlobals, l: SvmLocals): DevPages => pagesOf(range(g, l)!, gpu.slot);
  return [
    {
      label: 'gp_read_begin',
      kernelFn: 'mmu_interval_read_begin + drm_gpusvm_pages_valid_unlocked',
      note: 'waits while an invalidation that already set the seq runs; fast path if pages are valid',
      locks: section(NOTIFIER, 'read'),
      reads: ['mniSeq', 'subSeq', 'ranges'],
      guard: (g) => g.mniSeq[gpu.inst] !== g.subSeq,
      effect: (g, l) => {
        l.seq = g.mniSeq[gpu.inst]!;
        l.ret = OK;
        if (pagesValid(mine(g, l))) x.ok.effect?.(l, g);
      },
      next: (g, l) => (pagesValid(mine(g, l)) ? leave(x.ok, l) : 'gp_hmm_fault'),
    },
    {
      label: 'gp_hmm_fault',
      kernelFn: 'hmm_range_fault',
      note: 'collects the CPU pages of the range (waits on migration entries); -EFAULT without a VMA, -EBUSY (retry) if the seq moved',
      locks: section(MMAP, 'read'),
      reads: ['pages', 'mniSeq'],
      // A range freed under the fault (a broken protocol) is the effect's to report, not the guard's.
      guard: (g, l) => {
        const r = range(g, l);
        return !r || g.pages.slice(r.start, r.end).every((p) => !p.locked);
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
      next: (g, l) => (l.ret === EFAULT ? leave(x.fail, l) : g.mniSeq[gpu.inst] !== l.seq ? 'gp_read_begin' : 'gp_map'),
    },
    {
      label: 'gp_map',
      kernelFn: 'drm_gpusvm_get_pages (map phase)',
      note: 'under notifier_lock(R): -EFAULT if unmapped, retry if mmu_interval_read_retry, DMA map every page',
      locks: section(NOTIFIER, 'read'),
      reads: ['ranges', 'mniSeq'],
      writes: ['ranges'],
      effect: (g, l) => {
        const r = rangeStarting(g, l.range, gpu.inst)!;
        const pg = pagesOf(r, gpu.slot);
        if (r.unmapped) {
          l.ret = EFAULT;
          x.fail.effect?.(l, g);
          return;
        }
        if (g.mniSeq[gpu.inst] !== l.seq || !pg.dmaAlloc) return;
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
        if (g.mniSeq[gpu.inst] !== l.seq) return 'gp_read_begin';
        return mine(g, l).dmaAlloc ? leave(x.ok, l) : 'gp_alloc';
      },
    },
    {
      label: 'gp_alloc',
      kernelFn: 'kvmalloc_array (pages->dma_addr)',
      note: 'the notifier lock is dropped to allocate, then the map phase starts again',
      mayAlloc: true,
      writes: ['ranges'],
      effect: (g, l) => {
        pagesOf(rangeStarting(g, l.range, gpu.inst)!, gpu.slot).dmaAlloc = true;
      },
      next: 'gp_map',
    },
  ];
}
