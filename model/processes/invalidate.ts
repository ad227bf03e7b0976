// The CPU side changing memory under the GPU (DOMAIN.md §3.2): core mm opens an invalidation
// (mmu_notifier_invalidate_range_start), drm_gpusvm_notifier_invalidate runs the driver's
// two-phase callback under notifier_lock(W), core mm then frees or replaces the CPU pages, and
// closes the invalidation (range_end), which wakes mmu_interval_read_begin waiters.
//   munmap:     the VMAs are detached under mmap_lock(W) (the code then downgrades it to read;
//               the model keeps W, see munmap); the MMU_NOTIFY_UNMAP invalidation zaps the
//               PTEs; ranges are marked unmapped and queued for the GC; the pages are freed
//               after range_end (tlb_finish_mmu).
//   invalidate: MMU_NOTIFY_CLEAR without mmap_lock (reclaim, page migration): the page is
//               replaced, the VMA stays; "Non-UNMAP events rely on GPU fault to remap".

import type { Program } from '../../explorer/index.ts';
import type { SvmConfig } from '../config.ts';
import { attrPolicy, type CallbackContext, type Driver, type InvalidationEvent } from '../driver.ts';
import { devicesOf, suffix } from '../gpu.ts';
import { INV, MMAP, acquire, gcLock, notifierLock, release, section } from '../locks.ts';
import { installSystemPage, putZdd } from '../devmem.ts';
import { attrValue, content, overlapping, tree, unmapPages } from '../queries.ts';
import { LIVE, MAPPED, UNMAP_DONE_OWED, UNMAP_OWED, MN_DEFERRED, MN_IN_TREE, MN_INSERT_DEFERRED, MN_REMOVED, NONE, type Range, type SvmGlobals, type SvmLocals } from '../state.ts';
import { allNotifiers, inMmTree, notifierWindow } from '../notifiers.ts';
import { cite, GPUSVM_C, MMU_NOTIFIER_C, VMA_C } from '../sources.ts';
import { joined, type SvmStep } from '../steps/types.ts';

type P = Program<SvmGlobals, SvmLocals>;

/** The pagemap owner of a MIGRATE event, with the components of g it reads (none: only the locals). */
export interface Owner {
  (g: SvmGlobals, l: SvmLocals): number;
  readonly reads?: readonly string[];
}

/** The owner of the allocation l.alloc (a device page being migrated or evicted): its device. */
export const allocationOwner: Owner = Object.assign((g: SvmGlobals, l: SvmLocals): number => g.devmem[l.alloc]!.dev, { reads: ['devmem'] });

/**
 * mmu_notifier_invalidate_range_start and, for each drm_gpusvm instance (each registered its own
 * mmu_interval_notifier; core mm calls them one after the other), the drm_gpusvm callback over
 * [l.is, l.ie) up to its notifier unlock; then `after` (core mm's own change, then range_end).
 * `prefix` keeps labels unique when a migration embeds them; instance i > 0 has labels ending in
 * i. For MIGRATE, with cfg.migrateOwnerSkip the callback skips events whose owner (`owner`) is
 * the instance's own pagemap owner (HMM-RST allows it; its first device's).
 */
export function callbackSteps(
  cfg: SvmConfig,
  driver: Driver,
  event: InvalidationEvent,
  after: string,
  prefix = '',
  owner: Owner = (_g, l) => l.dev,
): SvmStep[] {
  const n = allNotifiers(cfg);
  const overlaps = (g: SvmGlobals, l: SvmLocals, k: number): boolean => {
    const w = notifierWindow(cfg, k);
    return inMmTree(g, k) && w.start < l.ie && l.is < w.end;
  };
  const start: SvmStep = {
    label: prefix + 'inv_start',
    kernelFn: `mmu_notifier_invalidate_range_start (mn_itree_inv_start_range)${event === 'migrate' ? ' (MMU_NOTIFY_MIGRATE)' : ''}`,
    note: 'the invalidation is in progress: invalidate_seq goes odd if a notifier overlaps it',
    cite: [
      cite(
        MMU_NOTIFIER_C,
        'mn_itree_inv_start_range',
        '\tsubscriptions->active_invalidate_ranges++;\n\tnode = interval_tree_iter_first(&subscriptions->itree, range->start,\n\t\t\t\t\trange->end - 1);\n\tif (node) {\n\t\tsubscriptions->invalidate_seq |= 1;',
      ),
    ],
    reads: ['mnState'],
    writes: ['subSeq', 'activeInvs'],
    // What the invalidation's caller holds is ordered before the callbacks (mmu_notifier.h).
    lockMaps: [INV],
    effect: (g, l) => {
      g.activeInvs++;
      if (Array.from({ length: n }, (_, k) => k).some((k) => overlaps(g, l, k))) g.subSeq |= 1;
    },
    next: callbackFrom(0),
  };
  // Core mm calls the notifiers in the mm's tree that overlap the interval, one after the other.
  // A removal or insertion while an invalidation runs is deferred to its range_end, so the set
  // is stable while it runs: testing it at each callback is testing it at the tree walk.
  function callbackFrom(first: number): (g: SvmGlobals, l: SvmLocals) => string {
    return (g, l) => {
      for (let k = first; k < n; k++) if (overlaps(g, l, k)) return `${prefix}inv_lock${notifierSuffix(cfg, k)}`;
      return after;
    };
  }
  const perNotifier = Array.from({ length: n }, (_, k) => notifierCallbackSteps(cfg, driver, event, k, callbackFrom(k + 1), prefix, owner));
  return [start, ...perNotifier.flat()];
}

/** Labels of notifier k's callback: the instance's suffix, and `_k` for windows after the first. */
export function notifierSuffix(cfg: SvmConfig, k: number): string {
  const w = notifierWindow(cfg, k);
  return suffix(w.inst) + (w.k > 0 ? `_${w.k}` : '');
}

function notifierCallbackSteps(
  cfg: SvmConfig,
  driver: Driver,
  event: InvalidationEvent,
  mn: number,
  after: (g: SvmGlobals, l: SvmLocals) => string,
  prefix: string,
  owner: Owner,
): SvmStep[] {
  const { inst, start: lo, end: hi } = notifierWindow(cfg, mn);
  const unmap = event === 'unmap';
  const ownerSkip = event === 'migrate' && (cfg.migrateOwnerSkip ?? false);
  const devs = devicesOf(cfg, inst);
  // The callback does nothing: a MIGRATE event of its own owner, or the driver returned at its
  // start (l.cbSkip, decided by phase 1 and kept for phase 2).
  const skipped = (g: SvmGlobals, l: SvmLocals): boolean => l.cbSkip || (ownerSkip && owner(g, l) === devs[0]);
  // What the skip test reads, when it runs.
  const skipReads = ownerSkip ? owner.reads : undefined;
  const L = (label: string): string => prefix + label + notifierSuffix(cfg, mn);
  const lock = notifierLock(inst);
  // `adj_start = max(drm_gpusvm_notifier_start(notifier), adj_start)`, and the same for the end.
  const within = <R extends Range>(ranges: readonly R[], l: SvmLocals): R[] => overlapping(ranges, Math.max(l.is, lo), Math.min(l.ie, hi));
  const ctx: CallbackContext = { cfg, event, inst, devs, ownerSkip, label: L('event_begin'), next: L('event_end'), skipped, skipReads, within };
  const begin = driver.invalidateBegin(ctx);
  const early = driver.callbackReturnsEarly;
  return [
    {
      label: L('inv_lock'),
      kernelFn: 'drm_gpusvm_notifier_invalidate: down_write(notifier_lock) + mmu_interval_set_seq',
      note: 'from here mmu_interval_read_begin waits, and mmu_interval_read_retry fails for older seqs',
      cite: [cite(GPUSVM_C, 'drm_gpusvm_notifier_invalidate', '\tdown_write(&gpusvm->notifier_lock);\n\tmmu_interval_set_seq(mni, cur_seq);')],
      locks: [acquire(lock, 'write')],
      reads: ['subSeq'],
      writes: ['mniSeq'],
      effect: (g) => void (g.mniSeq[mn] = g.subSeq),
      next: L('event_begin'),
    },
    // gpusvm->ops->invalidate, phase 1: the driver zaps its GPU mappings.
    early
      ? {
          ...begin,
          cite: [...early.cite, ...(begin.cite ?? [])],
          reads: joined(begin.reads ?? [], early.reads),
          effect: (g, l, c) => {
            l.cbSkip = early.test(g, inst);
            begin.effect?.(g, l, c);
          },
        }
      : begin,
    {
      label: L('event_end'),
      kernelFn: unmap
        ? 'event_end: drm_gpusvm_range_unmap_pages, drm_gpusvm_range_set_unmapped, GC enqueue + queue_work'
        : 'event_end: drm_gpusvm_range_unmap_pages',
      note: unmap ? 'DMA unmap; mark unmapped (partial if the range sticks out); queue for GC under the GC lock' : 'DMA unmap every overlapping range',
      // The GC list and its lock are the driver's (its event_begin cites its callback).
      cite: [
        cite(GPUSVM_C, 'drm_gpusvm_unmap_pages', '\tif (ctx->in_notifier)\n\t\tlockdep_assert_held_write(&gpusvm->notifier_lock);'),
        cite(GPUSVM_C, '__drm_gpusvm_unmap_pages', '\t\tflags.has_devmem_pages = false;\n\t\tflags.has_dma_mapping = false;\n\t\tWRITE_ONCE(svm_pages->flags.__flags, flags.__flags);'),
        ...(unmap
          ? [
              cite(
                GPUSVM_C,
                'drm_gpusvm_range_set_unmapped',
                '\trange->pages.flags.unmapped = true;\n\tif (drm_gpusvm_range_start(range) < mmu_range->start ||\n\t    drm_gpusvm_range_end(range) > mmu_range->end)\n\t\trange->pages.flags.partial_unmap = true;',
              ),
            ]
          : []),
      ],
      locks: unmap ? section(gcLock(inst)) : [],
      reads: joined(unmap ? ['ranges', 'life'] : ['ranges'], skipReads),
      writes: unmap ? ['ranges', 'gcList', 'gcPending'] : ['ranges'],
      effect: (g, l) => {
        if (skipped(g, l)) return void (l.cbSkip = false);
        for (const r of within(tree(g, inst), l)) {
          unmapPages(r);
          // A closed VM queues nothing for its GC (xe: `!xe_vm_is_closed(vm) &&`; amdgpu V3's
          // gc_enqueue skips when exiting, though its callback has returned before).
          if (!unmap || g.life[inst] !== LIVE) continue;
          r.unmapped = true;
          r.partialUnmap = r.partialUnmap || r.start < l.is || r.end > l.ie;
          const s = Math.max(r.start, l.is);
          const e = Math.min(r.end, l.ie);
          r.pendingStart = r.pendingStart < 0 ? s : Math.min(r.pendingStart, s);
          r.pendingEnd = r.pendingEnd < 0 ? e : Math.max(r.pendingEnd, e);
          if (!g.gcList.includes(r.id)) g.gcList.push(r.id);
          g.gcPending[inst] = true;
        }
      },
      next: L('inv_unlock'),
    },
    {
      label: L('inv_unlock'),
      kernelFn: 'up_write(notifier_lock)',
      cite: [cite(GPUSVM_C, 'drm_gpusvm_notifier_invalidate', '\tgpusvm->ops->invalidate(gpusvm, notifier, mmu_range);\n\tup_write(&gpusvm->notifier_lock);')],
      locks: [release(lock, 'write')],
      reads: ['mnState'],
      next: after,
    },
  ];
}

/** mmu_notifier_invalidate_range_end: the last invalidation to end wakes read_begin waiters. */
export function invEndStep(label: string, next: string): SvmStep {
  return {
    label,
    kernelFn: 'mmu_notifier_invalidate_range_end',
    note: 'the last invalidation to end makes invalidate_seq even and wakes read_begin waiters',
    cite: [
      cite(
        MMU_NOTIFIER_C,
        'mn_itree_inv_end',
        '\tif (--subscriptions->active_invalidate_ranges ||\n\t    !mn_itree_is_invalidating(subscriptions)) {\n\t\tspin_unlock(&subscriptions->lock);\n\t\treturn;\n\t}\n\n\t/* Make invalidate_seq even */\n\tsubscriptions->invalidate_seq++;',
      ),
    ],
    reads: ['subSeq', 'activeInvs', 'mnState'],
    writes: ['subSeq', 'activeInvs', 'mnState'],
    effect: (g) => {
      g.activeInvs--;
      if (g.activeInvs > 0 || g.subSeq % 2 === 0) return;
      g.subSeq++;
      // The deferred list: notifiers removed while invalidations ran leave the tree, notifiers
      // inserted meanwhile enter it.
      g.mnState.forEach((m, i) => {
        if (m === MN_DEFERRED) g.mnState[i] = MN_REMOVED;
        if (m === MN_INSERT_DEFERRED) g.mnState[i] = MN_IN_TREE;
      });
    },
    next,
  };
}

/** Core mm changing the pages after the callback, without mmap_lock: reclaim (or page migration) replaces them. */
function replaceSteps(cfg: SvmConfig, driver: Driver, after: string): SvmStep[] {
  return [
    ...callbackSteps(cfg, driver, 'clear', 'mm_change'),
    {
      label: 'mm_change',
      kernelFn: 'try_to_unmap / migrate the page (core mm)',
      unsourced: 'reclaim or page migration replacing a system page (mm/rmap.c try_to_unmap_one, mm/migrate.c): not read; the model keeps the contents',
      note: 'the old CPU pages are replaced: their generation ends (a device page left behind is freed)',
      // Each page's contents (content reads data or devmem) are copied into a new one.
      writes: ['pages', 'data', 'devmem'],
      // A page under migration is isolated; core mm's walk meets its migration entry and the
      // model lets the migration finish first (docs/model.md).
      guard: (g, l) => g.pages.slice(l.is, l.ie).every((p) => !p.locked),
      effect: (g, l) => {
        for (let p = l.is; p < l.ie; p++) installSystemPage(g, p, content(g, p));
      },
      next: 'inv_end',
    },
    invEndStep('inv_end', after),
  ];
}

/**
 * munmap after the downgrade (vms_clear_ptes): unmap_vmas opens the MMU_NOTIFY_UNMAP invalidation,
 * runs the callbacks, zaps the PTEs (the pages go into the mmu_gather) and closes it; then
 * free_pgtables and tlb_finish_mmu free the gathered pages: a device page drops its zdd reference
 * only there, after range_end. l.pdev holds, per page of [l.is, l.ie), the allocation a zapped
 * device page belongs to, until the free.
 */
function munmapZapSteps(cfg: SvmConfig, driver: Driver, after: string): SvmStep[] {
  return [
    ...callbackSteps(cfg, driver, 'unmap', 'mm_zap'),
    {
      label: 'mm_zap',
      kernelFn: 'unmap_vmas -> zap the PTEs (the pages are gathered in the mmu_gather)',
      note: 'the VA no longer reaches the old pages: their generation ends, the contents are dropped; the pages are not freed yet',
      cite: [cite(VMA_C, 'vms_clear_ptes', '\tunmap_vmas(&tlb, mas_detach, vms->vma, vms->start, vms->end,\n\t\t   vms->vma_count, mm_wr_locked);')],
      reads: ['pages', 'devmem'],
      writes: ['pages', 'data', 'written', 'devmem'],
      // A page under migration is isolated; core mm's walk meets its migration entry and the
      // model lets the migration finish first (docs/model.md).
      guard: (g, l) => g.pages.slice(l.is, l.ie).every((p) => !p.locked),
      effect: (g, l) => {
        l.pdev = g.pages.slice(l.is, l.ie).map((p) => p.dev);
        for (let p = l.is; p < l.ie; p++) {
          // The device page backs no VA page any more (used), but stays allocated (its zdd
          // reference) until mm_free.
          const a = g.pages[p]!.dev;
          if (a !== NONE) g.devmem[a]!.used[p - g.devmem[a]!.start] = false;
          g.pages[p]!.dev = NONE;
          g.pages[p]!.gen++;
          g.data[p] = g.written[p] = 0;
        }
      },
      next: 'inv_end',
    },
    invEndStep('inv_end', 'mm_free'),
    {
      label: 'mm_free',
      kernelFn: 'free_pgtables + tlb_finish_mmu: the gathered pages are freed',
      note: 'a freed device page drops its zdd reference (the last one completes devmem->detached)',
      cite: [cite(VMA_C, 'vms_clear_ptes', '\tfree_pgtables(&tlb, mas_detach, vms->vma, vms->unmap_start,\n\t\t      vms->unmap_end, mm_wr_locked);\n\ttlb_finish_mmu(&tlb);')],
      writes: ['devmem'],
      effect: (g, l) => {
        for (const a of l.pdev) if (a !== NONE) putZdd(g, a);
        l.pdev = [];
      },
      next: after,
    },
  ];
}

export function munmap(cfg: SvmConfig, driver: Driver): P {
  const owes = attrPolicy(cfg, driver) !== 'keep';
  return {
    name: 'munmap',
    start: 'mmap_write_lock',
    steps: [
      {
        label: 'mmap_write_lock',
        kernelFn: 'do_vmi_munmap: mmap_write_lock + detach the VMAs',
        cite: [cite(VMA_C, 'vms_gather_munmap_vmas', '\t\tif (mas_store_gfp(mas_detach, next, GFP_KERNEL))\n\t\t\tgoto munmap_gather_failed;\n\n\t\tvma_mark_detached(next, true);')],
        locks: [acquire(MMAP, 'write')],
        reads: ['attrs'],
        writes: ['pages', 'attrAtUnmap', 'attrOwed'],
        effect: (g, l) => {
          for (let p = l.is; p < l.ie; p++) {
            g.pages[p]!.mapped = false;
            g.pages[p]!.vma = 0;
            g.attrAtUnmap[p] = attrValue(g, p);
            // Ghost: the version's policy on unmapped VA is owed from here (none is, under 'keep').
            if (owes) g.attrOwed[p] = UNMAP_OWED;
          }
        },
        next: 'mmap_downgrade',
      },
      {
        label: 'mmap_downgrade',
        kernelFn: 'vms_complete_munmap_vmas: mmap_write_downgrade',
        note: 'the VMAs are detached: the invalidation, the zap and the free run under mmap_lock(R), beside other readers (who find no VMA)',
        cite: [cite(VMA_C, 'vms_complete_munmap_vmas', '\tif (vms->unlock)\n\t\tmmap_write_downgrade(mm);')],
        locks: [{ op: 'downgrade', lock: MMAP, mode: 'read' }],
        next: 'inv_start',
      },
      ...munmapZapSteps(cfg, driver, 'mmap_read_unlock'),
      {
        label: 'mmap_read_unlock',
        kernelFn: 'vms_complete_munmap_vmas: mmap_read_unlock',
        cite: [cite(VMA_C, 'vms_complete_munmap_vmas', '\tif (vms->unlock)\n\t\tmmap_read_unlock(mm);')],
        locks: [release(MMAP, 'read')],
        // Ghost: munmap returns; what it still owes is owed by a finished operation.
        reads: ['attrOwed'],
        writes: ['attrOwed'],
        effect: (g, l) => {
          for (let p = l.is; p < l.ie; p++) if (g.attrOwed[p] === UNMAP_OWED) g.attrOwed[p] = UNMAP_DONE_OWED;
        },
        next: 'done',
      },
    ],
  };
}

export function invalidate(cfg: SvmConfig, driver: Driver): P {
  return { name: 'invalidate', start: 'inv_start', steps: replaceSteps(cfg, driver, 'done') };
}

/** The CPU mapping new memory at an address unmapped earlier (VA reuse). */
export function remap(): P {
  return {
    name: 'remap',
    start: 'mmap_new',
    steps: [
      {
        label: 'mmap_new',
        kernelFn: 'mmap (MAP_FIXED) at a reused address',
        cite: [cite(VMA_C, 'vma_merge_new_range', '\tmmap_assert_write_locked(vmg->mm);')],
        note: 'waits until the old mapping is gone; new VMA, new pages',
        locks: section(MMAP, 'write'),
        writes: ['pages', 'nextVma', 'attrAtUnmap', 'data', 'written'],
        guard: (g, l) => g.pages.slice(l.page, l.end).every((p) => !p.mapped),
        effect: (g, l) => {
          for (let p = l.page; p < l.end; p++) {
            g.pages[p]!.mapped = true;
            g.pages[p]!.vma = g.nextVma;
            g.pages[p]!.gen++;
            g.attrAtUnmap[p] = MAPPED;
            g.data[p] = g.written[p] = 0; // new anonymous memory reads as zero
          }
          g.nextVma++;
        },
        next: 'done',
      },
    ],
  };
}
