// Destroying ranges (DOMAIN.md §4 item 5).

import type { ActionProperty } from '../explorer/index.ts';
import { pteIndex } from '../model/queries.ts';
import { NONE, type SvmGlobals, type SvmLocals } from '../model/state.ts';
import { SINGLE, type Topology } from '../model/topology.ts';
import { locals, pages, removed } from './helpers.ts';

export const gcRemovesOnlyUnmapped: ActionProperty<SvmGlobals, SvmLocals> = {
  kind: 'action',
  id: 'gc-removes-only-unmapped',
  reads: ['ranges', 'gcList'],
  statement: 'the garbage collector removes only ranges marked unmapped',
  justification:
    'DOMAIN.md §4 item 5: "Ranges are expected to be added to the garbage collector upon a MMU_NOTIFY_UNMAP event in notifier ' +
    'callback" (drm_gpusvm.c DOC Overview); amdgpu V3 queues only on UNMAP (V3-08, V3-09); xe likewise (xe_svm.c).',
  holds: (before, _after, t) => {
    if (t.step.label !== 'gc_remove') return true;
    const id = locals(before, t).rid;
    // A range no longer in the tree is range-removed-once's to report.
    const r = before.g.ranges.find((x) => x.id === id);
    return r === undefined || r.unmapped;
  },
  explain: (before, _after, t) => `${t.process} gc_remove removes the range at page ${locals(before, t).range}, which is not unmapped`,
};

export const rangeRemovedOnce: ActionProperty<SvmGlobals, SvmLocals> = {
  kind: 'action',
  id: 'range-removed-once',
  reads: ['ranges', 'orphans'],
  statement: 'the garbage collector removes only ranges still in the tree (no range is removed twice)',
  justification:
    'drm_gpusvm_range_remove on a range another path already removed runs __drm_gpusvm_range_remove again ' +
    '(`interval_tree_remove(&range->itree, &notifier->root); list_del(&range->entry);`: an rb-node no longer in the tree, ' +
    'an entry already deleted) and drm_gpusvm_range_put drops a reference the tree no longer holds (drm_gpusvm.c). The GC ' +
    'removes the range its list holds a reference to (`drm_gpusvm_range_remove(&svm->gpusvm, &op_ctx.range->base)`, V3 ' +
    '11/12), so every other path that removes a queued range must take it off the list (xe: `list_del` in ' +
    'xe_svm_unmap_address_range; amdgpu v8 08/18: amdgpu_svm_range_unqueue).',
  holds: (before, _after, t) => {
    if (t.step.label !== 'gc_remove') return true;
    const id = locals(before, t).rid;
    return id === NONE || before.g.ranges.some((r) => r.id === id);
  },
  explain: (before, _after, t) => {
    const id = locals(before, t).rid;
    const r = before.g.orphans.find((x) => x.id === id);
    return `${t.process} gc_remove removes range ${id}${r ? ` [${r.start},${r.end})` : ''} a second time: it left the tree while still on the GC list`;
  },
};

function zapless(before: { g: SvmGlobals }, after: { g: SvmGlobals }, topo: Topology): { start: number; page: number; dev: number } | undefined {
  for (const r of removed(before, after)) {
    for (const dev of topo.devicesOf(r.inst)) {
      const p = pages(r.start, r.end).find((x) => after.g.pte[pteIndex(after.g, dev, x)] !== NONE);
      if (p !== undefined) return { start: r.start, page: p, dev };
    }
  }
  return undefined;
}

export function removedRangeWasZapped(topo: Topology = SINGLE): ActionProperty<SvmGlobals, SvmLocals> {
  return {
    kind: 'action',
    id: 'removed-range-was-zapped',
    reads: ['ranges', 'pte', 'pages'],
    statement: 'a range leaves the tree only once its GPU PTEs are zapped',
    justification:
      'DOMAIN.md §4 item 5: ranges removed for any reason are removed after their PTEs are zapped (drm_gpusvm.c DOC Examples: ' +
      'driver_unbind_range() before drm_gpusvm_range_remove(); amdgpu invalidate_interval clears PTEs first, V3-08; xe ' +
      '__xe_svm_garbage_collector unbinds first).',
    holds: (before, after) => zapless(before, after, topo) === undefined,
    explain: (before, after, t) => {
      const x = zapless(before, after, topo)!;
      return `${t.process} ${t.step.label} removes the range at page ${x.start} while page ${x.page} still has a GPU PTE${x.dev === 0 ? '' : ` on GPU ${x.dev}`}`;
    },
  };
}
