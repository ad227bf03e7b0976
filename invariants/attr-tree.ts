// The attribute tree (DOMAIN.md §1.5 and §4 item 9): amdgpu's amdgpu_svm_attr_tree, xe's
// CPU-address-mirror VMAs. Range bounds are derived from it, so it must stay a partition.

import type { ActionProperty, StateInvariant } from '../explorer/index.ts';
import { FIND_OR_INSERT_ENTRIES } from '../model/steps/find-or-insert.ts';
import { locals } from './helpers.ts';
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

const FIND_OR_INSERT = new Set<string>(FIND_OR_INSERT_ENTRIES);

/**
 * amdgpu V3's fault reads its attribute range under attr_tree->lock, drops the lock, runs the GC
 * (which may free the node: amdgpu_svm_attr_clear_pages), then dereferences the pointer in
 * find_or_insert (`amdgpu_svm_attr_start_page(attr_range)`) and for the PTE flags.
 */
export const attrAliveWhileUsed: ActionProperty<SvmGlobals, SvmLocals> = {
  kind: 'action',
  id: 'attr-alive-while-used',
  reads: ['attrs'],
  statement: 'a fault reads the bounds of its attribute range only while that range is allocated (not freed under it)',
  justification:
    'DOMAIN.md §4 item 15 (no use after free), for the attribute tree: V3 11/12 amdgpu_svm_handle_fault keeps `attr_range` ' +
    'after `mutex_unlock(&svm->attr_tree->lock)` and amdgpu_svm_range_map_fault passes it to amdgpu_svm_range_find_or_insert, ' +
    'which reads `amdgpu_svm_attr_start_page(attr_range)`; nothing holds a reference to it.',
  holds: (before, _after, t) => !FIND_OR_INSERT.has(t.step.label) || !locals(before, t).attrGone,
  explain: (before, _after, t) => {
    const l = locals(before, t);
    return `${t.process} ${t.step.label} reads the bounds of the attribute range [${l.lo}, ${l.hi}) it looked up, which its garbage collector freed`;
  },
};
