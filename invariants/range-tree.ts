// The range tree stays well formed (DOMAIN.md §4 item 7): no two ranges overlap, since
// drm_gpusvm_range_chunk_size rejects chunks overlapping a range and an existing range
// containing the fault is returned first.

import type { StateInvariant } from '../explorer/index.ts';
import type { SvmGlobals, SvmLocals } from '../model/state.ts';

export const rangesDisjoint: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'ranges-disjoint',
  statement: 'no two ranges in the tree overlap',
  holds: (s) => s.g.ranges.every((r, i) => i === 0 || s.g.ranges[i - 1]!.end <= r.start),
};
