// The attribute tree (DOMAIN.md §1.5 and §4 item 9): amdgpu's amdgpu_svm_attr_tree, xe's
// CPU-address-mirror VMAs. Range bounds are derived from it, so it must stay a partition.

import type { StateInvariant } from '../explorer/index.ts';
import type { SvmGlobals, SvmLocals } from '../model/state.ts';

/** The first attribute range that is empty, out of the VA, or overlaps or precedes the one before it. */
function badAttr(g: SvmGlobals): string | undefined {
  const a = g.attrs;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (x.start >= x.end) return `the attribute range [${x.start}, ${x.end}) is empty`;
    if (x.start < 0 || x.end > g.pages.length) return `the attribute range [${x.start}, ${x.end}) lies outside the VA`;
    if (i === 0) continue;
    const p = a[i - 1]!;
    if (x.start < p.end) {
      return p.start <= x.start
        ? `the attribute ranges [${p.start}, ${p.end}) and [${x.start}, ${x.end}) overlap`
        : `the attribute range [${x.start}, ${x.end}) comes after [${p.start}, ${p.end}) in the tree`;
    }
  }
  return undefined;
}

export const attrsDisjointSorted: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'attrs-disjoint-sorted',
  reads: ['attrs', 'pages'],
  statement: 'the attribute ranges are non-empty, inside the VA, sorted by start and pairwise disjoint',
  justification:
    'DOMAIN.md §1.5 and §4 item 9: a page has one set of attributes (amdgpu_svm_attr_get_bounds_locked returns the one ' +
    'interval-tree node around it, and new ranges take its bounds); amdgpu_svm_attr_set_range splits the ranges an ' +
    'update crosses and amdgpu_svm_range_get_unregistered_attrs inserts defaults only into the hole around the fault, ' +
    'both under attr_tree->lock. An insert computed from a tree read outside that lock can overlap a range inserted meanwhile.',
  holds: (s) => badAttr(s.g) === undefined,
  explain: (s) => badAttr(s.g)!,
};
