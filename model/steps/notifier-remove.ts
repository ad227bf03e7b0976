// mmu_interval_notifier_remove (mm/mmu_notifier.c), as drm_gpusvm calls it: from
// drm_gpusvm_range_remove when a notifier's last range goes, from find_or_insert's error path
// for the notifier it inserted, and first of all from drm_gpusvm_fini. Two steps: the
// subscriptions->lock section (out of the tree now, or deferred to the running invalidations'
// range_end; a deferred insertion is just unqueued), then the wait for that range_end. The
// caller holds the driver lock; the wait is the sleep "on progress in the invalidation".

import { MN_DEFERRED, MN_IN_TREE, MN_INSERT_DEFERRED, MN_REMOVED, NONE, type SvmGlobals, type SvmLocals } from '../state.ts';
import { cite, MMU_NOTIFIER_C } from '../sources.ts';
import type { Citation } from '../../explorer/index.ts';
import type { SvmStep } from './types.ts';
import { INV } from '../locks.ts';

const REMOVE_SECTION = cite(MMU_NOTIFIER_C, 'mmu_interval_notifier_remove', '\tspin_lock(&subscriptions->lock);\n\tif (mn_itree_is_invalidating(subscriptions)) {');
const REMOVE_DEFER = cite(
  MMU_NOTIFIER_C,
  'mmu_interval_notifier_remove',
  '\t\tif (RB_EMPTY_NODE(&interval_sub->interval_tree.rb)) {\n\t\t\thlist_del(&interval_sub->deferred_item);\n\t\t} else {\n\t\t\thlist_add_head(&interval_sub->deferred_item,\n\t\t\t\t       &subscriptions->deferred_list);\n\t\t\tseq = subscriptions->invalidate_seq;\n\t\t}',
);
const REMOVE_MAP = cite(MMU_NOTIFIER_C, 'mmu_interval_notifier_remove', '\tlock_map_acquire(&__mmu_notifier_invalidate_range_start_map);\n\tlock_map_release(&__mmu_notifier_invalidate_range_start_map);');
const REMOVE_WAIT = cite(MMU_NOTIFIER_C, 'mmu_interval_notifier_remove', '\tif (seq)\n\t\twait_event(subscriptions->wq,\n\t\t\t   mmu_interval_seq_released(subscriptions, seq));');

export interface NotifierRemoval {
  /** Label prefix: `fini_`, `gc_`, `fi_`. */
  readonly prefix: string;
  /** The notifier removed (index into mnState; NONE: there is none), and what finding it reads. */
  readonly which: (g: SvmGlobals, l: SvmLocals) => number;
  readonly whichReads?: readonly string[];
  /** Where the caller's call stands in its source. */
  readonly caller: readonly Citation[];
  readonly next: string | ((g: SvmGlobals, l: SvmLocals) => string);
}

export function notifierRemoveSteps(x: NotifierRemoval): SvmStep[] {
  return [
    {
      label: `${x.prefix}mn_remove`,
      kernelFn: 'mmu_interval_notifier_remove (under subscriptions->lock)',
      note: 'no invalidation running: out of the mm\'s tree now; one running: the removal is deferred to its range_end; a deferred insertion is unqueued',
      cite: [...x.caller, REMOVE_SECTION, REMOVE_DEFER],
      reads: ['subSeq', 'mnState', ...(x.whichReads ?? [])],
      writes: ['mnState'],
      effect: (g, l) => {
        const n = x.which(g, l);
        if (n === NONE) return;
        if (g.mnState[n] === MN_INSERT_DEFERRED) g.mnState[n] = MN_REMOVED;
        else if (g.mnState[n] === MN_IN_TREE) g.mnState[n] = g.subSeq % 2 === 1 ? MN_DEFERRED : MN_REMOVED;
      },
      next: `${x.prefix}mn_wait`,
    },
    {
      label: `${x.prefix}mn_wait`,
      kernelFn: 'mmu_interval_notifier_remove: wait_event(mmu_interval_seq_released)',
      note: 'waits until the invalidations running at the removal have ended (the last range_end applied it): no callback runs after this',
      cite: [REMOVE_MAP, REMOVE_WAIT],
      // "The possible sleep on progress in the invalidation requires the caller not hold any
      // locks held by invalidation callbacks": lockdep's check, as an edge from what it holds.
      lockMaps: [INV],
      reads: ['mnState', ...(x.whichReads ?? [])],
      guard: (g, l) => {
        const n = x.which(g, l);
        return n === NONE || g.mnState[n] === MN_REMOVED;
      },
      next: x.next,
    },
  ];
}
