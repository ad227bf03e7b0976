// drm_gpusvm_range_find_or_insert (DOMAIN.md §1.2), under the driver lock held for write. Two
// steps at one location, one per outcome, so that the notifier lock is taken only when a range
// is inserted: an existing range containing the page wins whatever its bounds; otherwise a new
// range of the largest chunk inside VMA, notifier and the caller's bounds [l.lo, l.hi) is
// inserted under notifier_lock(R), mmap_lock(R) held around both.

import { devices, tearsDown, type SvmConfig } from '../config.ts';
import { devicesOf, GPU0, type Gpu } from '../gpu.ts';
import { MMAP, acquire, notifierLock, release } from '../locks.ts';
import { chunkFor, insertRange, newRange, rangeAt, vmaAt } from '../queries.ts';
import { EINVAL, ENOENT, MN_IN_TREE, MN_INSERT_DEFERRED, OK, type SvmGlobals, type SvmLocals } from '../state.ts';
import { notifierOf, onDemand, present } from '../notifiers.ts';
import { notifierRemoveSteps } from './notifier-remove.ts';
import type { Draft } from 'immer';
import { cite, GPUSVM_C, MMU_NOTIFIER_C } from '../sources.ts';
import { joined, type Exit, type SvmStep } from './types.ts';

export interface FindOrInsertExits {
  /** l.range is the range containing l.page. */
  readonly found: Exit;
  /** -ENOENT (no VMA) or -EINVAL (no chunk fits). */
  readonly none: Exit;
}

/**
 * The steps a call of drm_gpusvm_range_find_or_insert can start with: a new notifier first, an
 * existing range, a new range. A property of "the call" judges all three.
 */
export const FIND_OR_INSERT_ENTRIES = ['fi_mn_insert', 'find_or_insert', 'find_or_insert_new'] as const;

/** find_or_insert on `gpu`'s instance: its tree, its notifier lock; a new range has a pages set per device. */
export function findOrInsertSteps(cfg: SvmConfig, x: FindOrInsertExits, gpu: Gpu = GPU0, devmemPossible = devices(cfg) > 0): SvmStep[] {
  const NOTIFIER = notifierLock(gpu.inst);
  // drm_gpusvm_notifier_find: on demand, the notifier of the page may not exist yet.
  const mn = (l: SvmLocals): number => notifierOf(cfg, gpu.inst, l.page);
  const hasNotifier = (g: SvmGlobals, l: SvmLocals): boolean => present(g, mn(l));
  const creates = (g: SvmGlobals, l: SvmLocals): boolean => vmaAt(g, l.page) !== undefined && rangeAt(g, l.page, gpu.inst) === undefined;
  const slots = devicesOf(cfg, gpu.inst).length;
  // Leaving without a range: a notifier find_or_insert inserted itself is removed first.
  const none = (l: SvmLocals): string => (l.mnNew ? 'fi_mn_remove' : x.none.to(l));
  return [
    ...(mayLackNotifier(cfg) ? notifierInsertSteps(cfg, gpu.inst, x) : []),
    {
      label: 'find_or_insert',
      kernelFn: 'drm_gpusvm_range_find_or_insert (vma_lookup, range_find)',
      note: 'no VMA: -ENOENT; an existing range containing the page is returned as it is',
      cite: [
        cite(GPUSVM_C, 'drm_gpusvm_range_find_or_insert', '\tvas = vma_lookup(mm, fault_addr);\n\tif (!vas) {\n\t\terr = -ENOENT;\n\t\tgoto err_notifier_remove;'),
        cite(GPUSVM_C, 'drm_gpusvm_range_find_or_insert', '\trange = drm_gpusvm_range_find(notifier, fault_addr, fault_addr + 1);\n\tif (range)\n\t\tgoto out_mmunlock;'),
      ],
      locks: [acquire(MMAP, 'read'), release(MMAP, 'read')],
      reads: joined(['pages', 'ranges', 'mnState'], x.found.reads, x.none.reads),
      writes: joined(undefined, x.found.writes, x.none.writes),
      guard: (g, l) => hasNotifier(g, l) && !creates(g, l),
      effect: (g, l) => {
        const r = rangeAt(g, l.page, gpu.inst);
        if (!vmaAt(g, l.page) || !r) {
          l.ret = ENOENT;
          x.none.effect?.(l, g);
          return;
        }
        l.ret = OK;
        l.range = r.start;
        l.rid = r.id;
        x.found.effect?.(l, g);
      },
      next: (_g, l) => (l.ret === OK ? x.found.to(l) : none(l)),
    },
    {
      label: 'find_or_insert_new',
      at: 'find_or_insert',
      kernelFn: 'drm_gpusvm_range_find_or_insert (chunk_size, range_insert)',
      note: 'largest chunk inside VMA, notifier and [lo, hi) overlapping no range; inserted under notifier_lock(R)',
      cite: [
        cite(
          GPUSVM_C,
          'drm_gpusvm_range_chunk_size',
          '\t\tif (start >= vas->vm_start && end <= vas->vm_end &&\n\t\t    start >= drm_gpusvm_notifier_start(notifier) &&\n\t\t    end <= drm_gpusvm_notifier_end(notifier) &&\n\t\t    start >= gpuva_start && end <= gpuva_end)',
        ),
        cite(GPUSVM_C, 'drm_gpusvm_range_insert', '\tdrm_gpusvm_notifier_lock(notifier->gpusvm);\n\tinterval_tree_insert(&range->itree, &notifier->root);'),
      ],
      locks: [acquire(MMAP, 'read'), acquire(NOTIFIER, 'read'), release(NOTIFIER, 'read'), release(MMAP, 'read')],
      reads: joined(['pages', 'ranges', 'mnState'], x.found.reads, x.none.reads),
      writes: joined(['ranges', 'nextRangeId'], x.found.writes, x.none.writes),
      guard: (g, l) => hasNotifier(g, l) && creates(g, l),
      effect: (g, l) => {
        const chunk = chunkFor(g, cfg, l.page, l.lo, l.hi, gpu.inst);
        if (!chunk) {
          l.ret = EINVAL;
          x.none.effect?.(l, g);
          return;
        }
        // migrate_devmem = devmem_possible && vma_is_anonymous (every modeled VMA is anonymous).
        insertRange(g, newRange(chunk[0], chunk[1], g.nextRangeId, devmemPossible, gpu.inst, slots));
        l.rid = g.nextRangeId++;
        l.ret = OK;
        l.range = chunk[0];
        // A notifier it inserted now goes into drm_gpusvm's tree (drm_gpusvm_notifier_insert).
        l.mnNew = false;
        x.found.effect?.(l, g);
      },
      next: (_g, l) => (l.ret === OK ? x.found.to(l) : none(l)),
    },
    ...(mayLackNotifier(cfg)
      ? notifierRemoveSteps({
          prefix: 'fi_',
          which: (_g, l) => mn(l),
          caller: [cite(GPUSVM_C, 'drm_gpusvm_range_find_or_insert', 'err_notifier_remove:\n\tmmap_read_unlock(mm);\n\tif (notifier_alloc)\n\t\tmmu_interval_notifier_remove(&notifier->notifier);')],
          next: (_g, l) => x.none.to(l),
        }).map((st) => (st.label === 'fi_mn_wait' ? { ...st, effect: (_g: unknown, l: Draft<SvmLocals>) => void (l.mnNew = false) } : st))
      : []),
  ];
}

/** A page's notifier may be missing: notifiers come and go, or drm_gpusvm_fini removed them. */
const mayLackNotifier = (cfg: SvmConfig): boolean => onDemand(cfg) || tearsDown(cfg);

/**
 * drm_gpusvm_notifier_find found none: drm_gpusvm_notifier_alloc and mmu_interval_notifier_insert
 * (its subscriptions->lock section), before mmap_read_lock. An invalidation running makes the new
 * notifier's seq the running one, so mmu_interval_read_begin waits for its end; one that set
 * the seq odd also defers the insertion to its range_end.
 */
function notifierInsertSteps(cfg: SvmConfig, inst: number, x: FindOrInsertExits): SvmStep[] {
  return [
    {
      label: 'fi_mn_insert',
      at: 'find_or_insert',
      kernelFn: 'drm_gpusvm_range_find_or_insert: drm_gpusvm_notifier_alloc + mmu_interval_notifier_insert',
      note: 'no notifier for the page yet: insert one (deferred while the seq is odd; its seq is the running one during an invalidation)',
      cite: [
        cite(GPUSVM_C, 'drm_gpusvm_range_find_or_insert', '\tnotifier = drm_gpusvm_notifier_find(gpusvm, fault_addr, fault_addr + 1);\n\tif (!notifier) {\n\t\tnotifier = drm_gpusvm_notifier_alloc(gpusvm, fault_addr);'),
        cite(
          MMU_NOTIFIER_C,
          '__mmu_interval_notifier_insert',
          '\tspin_lock(&subscriptions->lock);\n\tif (subscriptions->active_invalidate_ranges) {\n\t\tif (mn_itree_is_invalidating(subscriptions))\n\t\t\thlist_add_head(&interval_sub->deferred_item,\n\t\t\t\t       &subscriptions->deferred_list);\n\t\telse {\n\t\t\tsubscriptions->invalidate_seq |= 1;\n\t\t\tinterval_tree_insert(&interval_sub->interval_tree,\n\t\t\t\t\t     &subscriptions->itree);\n\t\t}\n\t\tinterval_sub->invalidate_seq = subscriptions->invalidate_seq;',
        ),
        cite(MMU_NOTIFIER_C, '__mmu_interval_notifier_insert', '\t\tinterval_sub->invalidate_seq =\n\t\t\tsubscriptions->invalidate_seq - 1;\n\t\tinterval_tree_insert(&interval_sub->interval_tree,\n\t\t\t\t     &subscriptions->itree);'),
      ],
      reads: joined(['mnState', 'subSeq', 'activeInvs'], x.none.reads),
      writes: ['mnState', 'mniSeq', 'subSeq'],
      guard: (g, l) => !present(g, notifierOf(cfg, inst, l.page)),
      effect: (g, l) => {
        const n = notifierOf(cfg, inst, l.page);
        l.mnNew = true;
        if (g.activeInvs === 0) {
          g.mnState[n] = MN_IN_TREE;
          g.mniSeq[n] = g.subSeq - 1;
          return;
        }
        if (g.subSeq % 2 === 1) g.mnState[n] = MN_INSERT_DEFERRED;
        else {
          g.subSeq |= 1;
          g.mnState[n] = MN_IN_TREE;
        }
        g.mniSeq[n] = g.subSeq;
      },
      next: 'find_or_insert',
    },
  ];
}
