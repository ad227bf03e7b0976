// GPU page-table entries and the notifier (DOMAIN.md §4 items 1 and 2).

import type { ActionProperty, StateInvariant } from '../explorer/index.ts';
import { overlapping } from '../model/queries.ts';
import { NONE, type SvmGlobals, type SvmLocals } from '../model/state.ts';
import { locals, pages } from './helpers.ts';

function stale(g: SvmGlobals, table: readonly number[]): number {
  return table.findIndex((gen, p) => gen !== NONE && gen !== g.pages[p]!.gen);
}

export const noStalePte: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'no-stale-pte',
  reads: ['pte', 'tlb', 'pages'],
  statement: 'every GPU PTE and TLB entry points to the page that currently backs its address',
  justification:
    'DOMAIN.md §4 item 1 (strong variant): core mm frees or replaces a page only after the invalidation callback returned, ' +
    'so a PTE or TLB entry that survives the callback points to a freed page. drm_gpusvm_range_pages_valid kernel-doc; ' +
    'Documentation/mm/hmm.rst.',
  holds: (s) => stale(s.g, s.g.pte) < 0 && stale(s.g, s.g.tlb) < 0,
  explain: (s) => {
    const p = stale(s.g, s.g.pte);
    const t = stale(s.g, s.g.tlb);
    if (p >= 0) return `the PTE of page ${p} points to generation ${s.g.pte[p]}, freed (current ${s.g.pages[p]!.gen})`;
    return `the TLB entry of page ${t} points to generation ${s.g.tlb[t]}, freed (current ${s.g.pages[t]!.gen})`;
  },
};

/** What is still live when the callback returns, if anything. */
function leftover(after: { g: SvmGlobals }, start: number, end: number): string | undefined {
  const g = after.g;
  for (const r of overlapping(g.ranges, start, end)) {
    if (r.hasDma || r.hasDevmem) return `the range at page ${r.start} is still DMA-mapped`;
    const p = pages(r.start, r.end).find((x) => g.pte[x] !== NONE || g.tlb[x] !== NONE);
    if (p !== undefined) return `page ${p} of the range at page ${r.start} still has a PTE or TLB entry`;
  }
  const p = pages(start, end).find((x) => g.pte[x] !== NONE || g.tlb[x] !== NONE);
  return p === undefined ? undefined : `page ${p} of the interval still has a PTE or TLB entry`;
}

export const invalidateBeforeReturn: ActionProperty<SvmGlobals, SvmLocals> = {
  kind: 'action',
  id: 'invalidate-before-return',
  reads: ['pte', 'tlb', 'ranges'],
  statement: 'when the notifier callback returns, the interval has no PTE or TLB entry and no overlapping range is DMA-mapped',
  justification:
    'DOMAIN.md §4 item 2: "The device must complete the update before the driver callback returns" (Documentation/mm/hmm.rst); ' +
    'drm_gpusvm_range_unmap_pages "Must be called on each GPU SVM range attached to notifier in gpusvm->ops->invalidate for IOMMU ' +
    'security model" (drm_gpusvm.c); bug 7 (xe userptr unmapped in the notifier).',
  holds: (before, after, t) => {
    if (!t.step.label.endsWith('inv_unlock')) return true;
    const l = locals(before, t);
    return leftover(after, l.is, l.ie) === undefined;
  },
  explain: (before, after, t) => {
    const l = locals(before, t);
    return `${t.process} returns from the callback for pages [${l.is}, ${l.ie}) but ${leftover(after, l.is, l.ie)}`;
  },
};
