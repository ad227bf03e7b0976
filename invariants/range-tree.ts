// The range tree (DOMAIN.md §4 items 6, 7, 8).

import type { ActionProperty, StateInvariant } from '../explorer/index.ts';
import { vmaAt } from '../model/queries.ts';
import type { Range, SvmGlobals, SvmLocals } from '../model/state.ts';
import { SINGLE, type Topology } from '../model/topology.ts';
import { holdsDriverWrite, holdsNotifier, inserted, locals, removed, type S, type T } from './helpers.ts';

export const rangesDisjoint: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'ranges-disjoint',
  reads: ['ranges'],
  statement: 'no two ranges in the tree overlap',
  justification:
    'DOMAIN.md §4 item 7: drm_gpusvm_range_chunk_size rejects chunks overlapping a range, and an existing range containing ' +
    'the fault is returned first (drm_gpusvm.c).',
  holds: (s) => s.g.ranges.every((r) => s.g.ranges.every((o) => o === r || o.inst !== r.inst || o.end <= r.start || r.end <= o.start)),
};

export function rangeTreeUnderLocks(topo: Topology = SINGLE): ActionProperty<SvmGlobals, SvmLocals> {
  const changed = (before: S, after: S): Range[] => [...inserted(before, after), ...removed(before, after)];
  const ok = (before: S, t: T, r: Range): boolean => holdsDriverWrite(before, t, topo, r.inst) && holdsNotifier(before, t, topo, r.inst);
  return {
    kind: 'action',
    id: 'range-tree-under-locks',
    reads: ['ranges', 'locks'],
    statement: 'ranges are inserted and removed only with the driver lock held for write and the notifier lock held',
    justification:
      'DOMAIN.md §4 item 6: drm_gpusvm_driver_lock_held (exclusive) is asserted in find_or_insert and range_remove; ' +
      'range_insert and range_remove take drm_gpusvm_notifier_lock (drm_gpusvm.c). Both locks of the range\'s own instance.',
    holds: (before, after, t) => changed(before, after).every((r) => ok(before, t, r)),
    explain: (before, after, t) => {
      const r = changed(before, after).find((x) => !ok(before, t, x))!;
      return `${t.process} ${t.step.label} changes the range tree ${holdsDriverWrite(before, t, topo, r.inst) ? 'without the notifier lock' : 'without the driver lock held for write'}`;
    },
  };
}

function outOfBounds(before: { g: SvmGlobals }, after: { g: SvmGlobals }, l: SvmLocals): string | undefined {
  for (const r of inserted(before, after)) {
    const vma = vmaAt(before.g, r.start);
    if (!vma || r.start < vma[0] || r.end > vma[1]) return `[${r.start}, ${r.end}) is not inside its VMA`;
    if (r.start < 0 || r.end > before.g.pages.length) return `[${r.start}, ${r.end}) is not inside the notifier`;
    if (r.start < l.lo || r.end > l.hi) return `[${r.start}, ${r.end}) crosses the bounds [${l.lo}, ${l.hi}) the driver passed`;
    if (l.page < r.start || l.page >= r.end) return `[${r.start}, ${r.end}) does not contain the faulting page ${l.page}`;
  }
  return undefined;
}

export const rangeWithinBounds: ActionProperty<SvmGlobals, SvmLocals> = {
  kind: 'action',
  id: 'range-within-bounds',
  reads: ['ranges', 'pages'],
  statement: 'a new range contains its fault and lies inside its VMA, its notifier and the bounds the driver passed',
  justification:
    'DOMAIN.md §4 item 8 and §1.2: drm_gpusvm_range_chunk_size requires vma, notifier and gpuva_start/end to contain the ' +
    'chunk; amdgpu V3 passes the attribute range bounds (V3-07), xe the mirror VMA bounds (xe_svm.c).',
  holds: (before, after, t) => outOfBounds(before, after, locals(before, t)) === undefined,
  explain: (before, after, t) => `${t.process} ${t.step.label} inserts ${outOfBounds(before, after, locals(before, t))}`,
};
