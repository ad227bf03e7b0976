// drm_gpusvm_fini (DOMAIN.md §3.10), called by the driver's teardown with its lock held for
// write: for the notifier, mmu_interval_notifier_remove first ("to avoid racing with any
// invalidation"), which defers the removal while an invalidation runs and then waits for it to
// end; flags.removed; then drm_gpusvm_range_remove of every range left. After it the driver
// frees the structure: nothing may be inserted into it again (`gpusvm-empty-after-fini`).
// One notifier per instance (the model's: docs/fidelity.md "Several notifiers").

import { notifierLock, section } from '../locks.ts';
import { removeRange, tree, unmapPages } from '../queries.ts';
import { FINI, MN_DEFERRED, MN_REMOVED } from '../state.ts';
import { cite, GPUSVM_C, MMU_NOTIFIER_C } from '../sources.ts';
import type { SvmStep } from './types.ts';

export function gpusvmFiniSteps(inst: number, next: string): SvmStep[] {
  return [
    {
      label: 'fini_mn_remove',
      kernelFn: 'drm_gpusvm_fini: mmu_interval_notifier_remove (under subscriptions->lock)',
      note: 'no invalidation running: out of the mm\'s tree now; one running: the removal is deferred to its range_end',
      cite: [
        cite(GPUSVM_C, 'drm_gpusvm_fini', '\t\t/*\n\t\t * Remove notifier first to avoid racing with any invalidation\n\t\t */\n\t\tmmu_interval_notifier_remove(&notifier->notifier);'),
        cite(
          MMU_NOTIFIER_C,
          'mmu_interval_notifier_remove',
          '\tspin_lock(&subscriptions->lock);\n\tif (mn_itree_is_invalidating(subscriptions)) {',
        ),
        cite(MMU_NOTIFIER_C, 'mmu_interval_notifier_remove', '\t\t\thlist_add_head(&interval_sub->deferred_item,\n\t\t\t\t       &subscriptions->deferred_list);\n\t\t\tseq = subscriptions->invalidate_seq;'),
      ],
      reads: ['subSeq'],
      writes: ['mnState'],
      effect: (g) => void (g.mnState[inst] = g.subSeq % 2 === 1 ? MN_DEFERRED : MN_REMOVED),
      next: 'fini_mn_wait',
    },
    {
      label: 'fini_mn_wait',
      kernelFn: 'mmu_interval_notifier_remove: wait_event(mmu_interval_seq_released); notifier->flags.removed = true',
      note: 'waits until the invalidations running at the removal have ended (the last range_end applied it): no callback runs after this',
      cite: [
        cite(MMU_NOTIFIER_C, 'mmu_interval_notifier_remove', '\tif (seq)\n\t\twait_event(subscriptions->wq,\n\t\t\t   mmu_interval_seq_released(subscriptions, seq));'),
        cite(GPUSVM_C, 'drm_gpusvm_fini', '\t\tnotifier->flags.removed = true;'),
      ],
      reads: ['mnState'],
      guard: (g) => g.mnState[inst] === MN_REMOVED,
      next: 'fini_range_remove',
    },
    {
      label: 'fini_range_remove',
      kernelFn: 'drm_gpusvm_fini: drm_gpusvm_range_remove of each range',
      note: 'one range per step: unmap its DMA pages and drop it from the tree, under notifier_lock(R); its GPU PTEs are the driver\'s',
      cite: [
        cite(GPUSVM_C, 'drm_gpusvm_fini', '\t\tdrm_gpusvm_for_each_range_safe(range, __next, notifier, 0,\n\t\t\t\t\t       LONG_MAX)\n\t\t\tdrm_gpusvm_range_remove(gpusvm, range);'),
        cite(
          GPUSVM_C,
          'drm_gpusvm_range_remove',
          '\tdrm_gpusvm_notifier_lock(gpusvm);\n\t__drm_gpusvm_unmap_pages(gpusvm, &range->pages, npages);\n\t__drm_gpusvm_free_pages(gpusvm, &range->pages);\n\t__drm_gpusvm_range_remove(notifier, range);',
        ),
      ],
      locks: section(notifierLock(inst), 'read'),
      reads: ['ranges'],
      writes: ['ranges', 'gcList'],
      effect: (g) => {
        const r = tree(g, inst)[0];
        if (!r) return;
        unmapPages(r);
        removeRange(g, r.id);
      },
      next: (g) => (tree(g, inst).length > 0 ? 'fini_range_remove' : 'fini_done'),
    },
    {
      label: 'fini_done',
      kernelFn: 'drm_gpusvm_fini: mmdrop; WARN_ON(!RB_EMPTY_ROOT(&gpusvm->root.rb_root))',
      note: 'the gpusvm is finalized: the driver frees it after this',
      cite: [cite(GPUSVM_C, 'drm_gpusvm_fini', '\tif (gpusvm->mm)\n\t\tmmdrop(gpusvm->mm);\n\tWARN_ON(!RB_EMPTY_ROOT(&gpusvm->root.rb_root));')],
      writes: ['life'],
      effect: (g) => void (g.life[inst] = FINI),
      next,
    },
  ];
}
