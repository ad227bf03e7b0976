// Committing GPU PTEs (DOMAIN.md §4 item 4, the PTE side; §2.3).

import type { ActionProperty } from '../explorer/index.ts';
import { pagesValid, rangeAt } from '../model/queries.ts';
import { NONE, type SvmGlobals, type SvmLocals } from '../model/state.ts';
import { holdsNotifier } from './helpers.ts';

function written(before: { g: SvmGlobals }, after: { g: SvmGlobals }): number[] {
  return after.g.pte.map((_, p) => p).filter((p) => after.g.pte[p] !== NONE && after.g.pte[p] !== before.g.pte[p]);
}

export const pteWriteUnderNotifierLock: ActionProperty<SvmGlobals, SvmLocals> = {
  kind: 'action',
  id: 'pte-write-under-notifier-lock',
  reads: ['pte', 'ranges'],
  statement: 'a GPU PTE is written only under the notifier lock, with the pages of its range valid and DMA-mapped to what it points to',
  justification:
    'DOMAIN.md §2.3: drm_gpusvm_range_pages_valid is "Expected be called holding gpusvm->notifier_lock and as the last step ' +
    'before committing a GPU binding" (drm_gpusvm.c); the documented commit is notifier_lock(); if (pages_valid) ' +
    'driver_commit_bind(); notifier_unlock().',
  holds: (before, after, t) =>
    written(before, after).every((p) => {
      const r = rangeAt(before.g, p);
      return holdsNotifier(before, t) && r !== undefined && pagesValid(r) && r.dma[p - r.start] === after.g.pte[p];
    }),
  explain: (before, after, t) => {
    const p = written(before, after)[0]!;
    const r = rangeAt(before.g, p);
    const why = !holdsNotifier(before, t) ? 'without the notifier lock' : !r || !pagesValid(r) ? 'while its pages are not valid' : 'to a page its range did not DMA-map';
    return `${t.process} ${t.step.label} writes the PTE of page ${p} ${why}`;
  },
};
