// The shared pieces of a driver's garbage collector (DOMAIN.md §3.3), run by the GC work item and
// at the start of every fault with the driver lock held for write: popping a queued range under
// the GC list lock, and drm_gpusvm_range_remove. What a driver does between them (amdgpu V3 clears
// attributes, xe unbinds and resets them) is in its module.

import { gcLock, notifierLock, section } from '../locks.ts';
import type { SvmConfig } from '../config.ts';
import { notifierOf, notifierWindow, onDemand } from '../notifiers.ts';
import { dropOrphan, queuedRange, rangeById, removeRange, tree, unmapPages } from '../queries.ts';
import { NONE, type SvmGlobals, type SvmLocals } from '../state.ts';
import { notifierRemoveSteps } from './notifier-remove.ts';
import type { Citation } from '../../explorer/index.ts';
import { cite as cited, GPUSVM_C } from '../sources.ts';
import type { SvmStep } from './types.ts';

/** The drm_gpusvm side of the GC loop: its DOC example walks the list the notifier callback filled. */
const GC_LOOP = cited(
  GPUSVM_C,
  'DOC: Examples (2) Garbage Collector',
  ' *\t\tfor_each_range_in_garbage_collector(gpusvm, range)\n *\t\t\t__driver_garbage_collector(gpusvm, range);',
);

/**
 * Pop the first range of instance `inst` from the GC list, and its pending interval into [l.is, l.ie)
 * (not l.lo/l.hi: a fault runs the GC between reading its attribute bounds and find_or_insert).
 * The list and its lock are the driver's: `cite` is the driver's source for them (kernelFn), shown
 * after drm_gpusvm's DOC example of the loop.
 */
export function gcDequeueStep(kernelFn: string, inst: number, exit: string, next: string, cite: readonly Citation[] = []): SvmStep {
  return {
    label: 'gc_dequeue',
    kernelFn,
    cite: [GC_LOOP, ...cite],
    note: 'pop the first queued range and its pending interval; an empty list ends the loop',
    locks: section(gcLock(inst)),
    reads: ['gcList'],
    writes: ['gcList', 'ranges', 'orphans'],
    effect: (g, l) => {
      const k = g.gcList.findIndex((id) => queuedRange(g, id)?.inst === inst);
      if (k < 0) {
        l.range = NONE;
        l.rid = NONE;
        return;
      }
      // An orphan is dequeued like any range: the list does not know the tree dropped it.
      const r = queuedRange(g, g.gcList.splice(k, 1)[0]!)!;
      l.range = r.start;
      l.rid = r.id;
      l.is = r.pendingStart;
      l.ie = r.pendingEnd;
      r.pendingStart = NONE;
      r.pendingEnd = NONE;
    },
    next: (_g, l) => (l.range === NONE ? exit : next),
  };
}

/** drm_gpusvm_range_remove's notifier-locked section. */
export const RANGE_REMOVE = cited(
  GPUSVM_C,
  'drm_gpusvm_range_remove',
  '\tdrm_gpusvm_notifier_lock(gpusvm);\n\t__drm_gpusvm_unmap_pages(gpusvm, &range->pages, npages);\n\t__drm_gpusvm_free_pages(gpusvm, &range->pages);\n\t__drm_gpusvm_range_remove(notifier, range);',
);

/**
 * drm_gpusvm_range_remove of the dequeued range (the pointer, l.rid), under notifier_lock(R).
 * With on-demand notifiers, a notifier left without ranges is removed next (gcNotifierSteps).
 * An orphan (already removed by another path) is removed a second time: the model drops it, and
 * `range-removed-once` reports the call (`__drm_gpusvm_range_remove` erases an rb-node no longer
 * in the tree and `list_del`s a deleted entry; `drm_gpusvm_range_put` drops a reference the tree
 * no longer holds).
 */
export function gcRemoveStep(inst: number, next: string, cfg?: SvmConfig): SvmStep {
  const emptied = (g: SvmGlobals, l: SvmLocals): boolean => {
    if (!cfg || !onDemand(cfg)) return false;
    const w = notifierWindow(cfg, notifierOf(cfg, inst, l.range));
    return !tree(g, inst).some((r) => w.start <= r.start && r.start < w.end);
  };
  return {
    label: 'gc_remove',
    kernelFn: 'drm_gpusvm_range_remove',
    note: 'unmap the DMA pages and drop the range from the tree, under notifier_lock(R)',
    cite: [RANGE_REMOVE],
    locks: section(notifierLock(inst), 'read'),
    writes: ['ranges', 'gcList', 'orphans'],
    effect: (g, l) => {
      const r = rangeById(g, l.rid);
      if (r) {
        unmapPages(r);
        removeRange(g, r.id);
      } else dropOrphan(g, l.rid);
      l.rid = NONE;
    },
    next: (g, l) => (emptied(g, l) ? 'gc_mn_remove' : next),
  };
}

/** The end of drm_gpusvm_range_remove when the range was its notifier's last: the notifier goes. */
export function gcNotifierSteps(cfg: SvmConfig, inst: number, next: string): SvmStep[] {
  if (!onDemand(cfg)) return [];
  return notifierRemoveSteps({
    prefix: 'gc_',
    which: (_g, l) => notifierOf(cfg, inst, l.range),
    caller: [
      cited(
        GPUSVM_C,
        'drm_gpusvm_range_remove',
        '\tif (RB_EMPTY_ROOT(&notifier->root.rb_root)) {\n\t\tif (!notifier->flags.removed)\n\t\t\tmmu_interval_notifier_remove(&notifier->notifier);\n\t\tdrm_gpusvm_notifier_remove(gpusvm, notifier);\n\t\tdrm_gpusvm_notifier_free(gpusvm, notifier);',
      ),
    ],
    next,
  });
}
