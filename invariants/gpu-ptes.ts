// GPU page-table entries and the notifier (DOMAIN.md §4 items 1 and 2).

import type { ActionProperty, StateInvariant } from '../explorer/index.ts';
import { overlapping, pteIndex, tree } from '../model/queries.ts';
import { NONE, type SvmGlobals, type SvmLocals } from '../model/state.ts';
import { SINGLE, type Topology } from '../model/topology.ts';
import { locals, pages, pagesSets } from './helpers.ts';

/** The first entry of a table (every GPU's, device after device) pointing to a freed page. */
function stale(g: SvmGlobals, table: readonly number[]): number {
  const n = g.pages.length;
  return table.findIndex((gen, i) => gen !== NONE && gen !== g.pages[i % n]!.gen);
}

/** "page 1" for GPU 0, "page 1 on GPU 1" for another. */
function where(g: SvmGlobals, i: number): string {
  const n = g.pages.length;
  return i < n ? `page ${i}` : `page ${i % n} on GPU ${Math.floor(i / n)}`;
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
    const n = s.g.pages.length;
    if (p >= 0) return `the PTE of ${where(s.g, p)} points to generation ${s.g.pte[p]}, freed (current ${s.g.pages[p % n]!.gen})`;
    return `the TLB entry of ${where(s.g, t)} points to generation ${s.g.tlb[t]}, freed (current ${s.g.pages[t % n]!.gen})`;
  },
};

/** What is still live when instance `inst`'s callback returns, if anything. */
function leftover(after: { g: SvmGlobals }, start: number, end: number, inst: number, topo: Topology): string | undefined {
  const g = after.g;
  const devs = topo.devicesOf(inst);
  for (const r of overlapping(tree(g, inst), start, end)) {
    for (const { dev, pages: pg } of pagesSets(r, topo)) {
      if (pg.hasDma || pg.hasDevmem) return `the range at page ${r.start} is still DMA-mapped${dev === 0 ? '' : ` for GPU ${dev}`}`;
    }
  }
  for (const dev of devs) {
    const p = pages(start, end).find((x) => g.pte[pteIndex(g, dev, x)] !== NONE || g.tlb[pteIndex(g, dev, x)] !== NONE);
    if (p !== undefined) return `page ${p} of the interval still has a PTE or TLB entry${dev === 0 ? '' : ` on GPU ${dev}`}`;
  }
  return undefined;
}

/**
 * The instance whose callback the step ends, and the notifier window (labels inv_unlock,
 * inv_unlock1, inv_unlock_1, mg_inv_unlock, ...: model/processes/invalidate.ts notifierSuffix).
 */
const instanceOf = (label: string): number | undefined => {
  const m = /inv_unlock(\d*)(?:_\d+)?$/.exec(label);
  return m ? Number(m[1] || 0) : undefined;
};
const windowOf = (label: string): number => Number(/inv_unlock\d*_(\d+)$/.exec(label)?.[1] ?? 0);

export function invalidateBeforeReturn(topo: Topology = SINGLE): ActionProperty<SvmGlobals, SvmLocals> {
  return {
    kind: 'action',
    id: 'invalidate-before-return',
    reads: ['pte', 'tlb', 'ranges', 'pages'],
    statement: 'when the notifier callback returns, the interval has no PTE or TLB entry and no overlapping range is DMA-mapped',
    justification:
      'DOMAIN.md §4 item 2: "The device must complete the update before the driver callback returns" (Documentation/mm/hmm.rst); ' +
      'drm_gpusvm_range_unmap_pages "Must be called on each GPU SVM range attached to notifier in gpusvm->ops->invalidate for IOMMU ' +
      'security model" (drm_gpusvm.c); bug 7 (xe userptr unmapped in the notifier). Checked per drm_gpusvm instance, for the GPUs it serves.',
    holds: (before, after, t) => {
      const inst = instanceOf(t.step.label);
      if (inst === undefined) return true;
      const [is, ie] = clamped(locals(before, t), topo.notifierWindow(windowOf(t.step.label)));
      return is >= ie || leftover(after, is, ie, inst, topo) === undefined;
    },
    explain: (before, after, t) => {
      const [is, ie] = clamped(locals(before, t), topo.notifierWindow(windowOf(t.step.label)));
      return `${t.process} returns from the callback for pages [${is}, ${ie}) but ${leftover(after, is, ie, instanceOf(t.step.label)!, topo)}`;
    },
  };
}

/** The part of an invalidation's interval that one notifier's callback covers. */
const clamped = (l: { is: number; ie: number }, [lo, hi]: readonly [number, number]): [number, number] => [Math.max(l.is, lo), Math.min(l.ie, hi)];
