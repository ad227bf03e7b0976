// drm_gpusvm_fini (DOMAIN.md §3.10), called by the driver's teardown with its lock held for
// write: for each notifier, mmu_interval_notifier_remove first ("to avoid racing with any
// invalidation"), which defers the removal while an invalidation runs and then waits for it to
// end; flags.removed; then drm_gpusvm_range_remove of every range of that notifier. After it the
// driver frees the structure: nothing may be inserted into it again (`gpusvm-empty-after-fini`).

import type { SvmConfig } from '../config.ts';
import { notifierLock, section } from '../locks.ts';
import { allNotifiers, notifierWindow, present } from '../notifiers.ts';
import { removeRange, tree, unmapPages } from '../queries.ts';
import { FINI, NONE, type SvmGlobals } from '../state.ts';
import { cite, GPUSVM_C } from '../sources.ts';
import { RANGE_REMOVE } from './gc.ts';
import { notifierRemoveSteps } from './notifier-remove.ts';
import type { SvmStep } from './types.ts';

export function gpusvmFiniSteps(cfg: SvmConfig, inst: number, next: string): SvmStep[] {
  const mine = Array.from({ length: allNotifiers(cfg) }, (_, n) => n).filter((n) => notifierWindow(cfg, n).inst === inst);
  const rangesOf = (g: SvmGlobals, n: number) => {
    const w = notifierWindow(cfg, n);
    return tree(g, inst).filter((r) => w.start <= r.start && r.start < w.end);
  };
  // drm_gpusvm_for_each_notifier_safe: the notifier being finalized is the first one drm_gpusvm
  // still holds (not removed yet) or whose ranges are not all removed yet.
  const current = (g: SvmGlobals): number => mine.find((n) => present(g, n) || rangesOf(g, n).length > 0) ?? NONE;
  return [
    ...notifierRemoveSteps({
      prefix: 'fini_',
      which: current,
      whichReads: ['ranges'],
      caller: [cite(GPUSVM_C, 'drm_gpusvm_fini', '\t\t/*\n\t\t * Remove notifier first to avoid racing with any invalidation\n\t\t */\n\t\tmmu_interval_notifier_remove(&notifier->notifier);\n\t\tnotifier->flags.removed = true;')],
      next: 'fini_range_remove',
    }),
    {
      label: 'fini_range_remove',
      kernelFn: 'drm_gpusvm_fini: drm_gpusvm_range_remove of each range of the notifier',
      note: 'one range per step: unmap its DMA pages and drop it from the tree, under notifier_lock(R); its GPU PTEs are the driver\'s',
      cite: [
        cite(GPUSVM_C, 'drm_gpusvm_fini', '\t\tdrm_gpusvm_for_each_range_safe(range, __next, notifier, 0,\n\t\t\t\t\t       LONG_MAX)\n\t\t\tdrm_gpusvm_range_remove(gpusvm, range);'),
        RANGE_REMOVE,
      ],
      locks: section(notifierLock(inst), 'read'),
      reads: ['ranges', 'mnState'],
      writes: ['ranges', 'gcList'],
      effect: (g) => {
        const n = current(g);
        const w = n === NONE ? undefined : notifierWindow(cfg, n);
        const r = w && tree(g, inst).find((x) => w.start <= x.start && x.start < w.end);
        if (!r) return;
        unmapPages(r);
        removeRange(g, r.id);
      },
      // The notifier's ranges gone (drm_gpusvm_range_remove skips mmu_interval_notifier_remove:
      // flags.removed), the next notifier, or the end.
      next: (g) => {
        const n = current(g);
        return n === NONE ? 'fini_done' : present(g, n) ? 'fini_mn_remove' : 'fini_range_remove';
      },
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
