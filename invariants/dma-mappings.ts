// DMA mappings of CPU pages (DOMAIN.md §4 items 3 and 4).

import type { ActionProperty, StateInvariant } from '../explorer/index.ts';
import { pagesValid } from '../model/queries.ts';
import { NONE, type Range, type SvmGlobals, type SvmLocals } from '../model/state.ts';
import { SINGLE, type Topology } from '../model/topology.ts';
import { holdsNotifier, key, locals, type S, type T } from './helpers.ts';

function staleDma(g: SvmGlobals): { start: number; page: number } | undefined {
  for (const r of g.ranges) {
    for (const pg of [r, ...r.peers]) {
      const i = pg.dma.findIndex((gen, k) => gen !== NONE && gen !== g.pages[r.start + k]!.gen);
      if (i >= 0) return { start: r.start, page: r.start + i };
    }
  }
  return undefined;
}

export const noDmaOfFreedPage: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'no-dma-of-freed-page',
  reads: ['ranges', 'pages'],
  statement: 'every DMA-mapped page of a range is the page currently backing its address',
  justification:
    'DOMAIN.md §4 item 3: drm_gpusvm_get_pages maps under the notifier lock after mmu_interval_read_retry ("Perform all dma ' +
    'mappings under the notifier lock to not access freed pages"), and the callback unmaps before core mm frees. ' +
    'Bugs 6 (CVE-2025-21939) and 7.',
  holds: (s) => staleDma(s.g) === undefined,
  explain: (s) => {
    const x = staleDma(s.g)!;
    return `the range at page ${x.start} keeps page ${x.page} DMA-mapped after core mm freed it`;
  },
};

export const unmappedHasNoDma: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'unmapped-has-no-dma',
  reads: ['ranges'],
  statement: 'a range marked unmapped has no DMA mapping',
  justification:
    'DOMAIN.md §4 item 3: the notifier unmaps the pages before drm_gpusvm_range_set_unmapped, and get_pages refuses an ' +
    'unmapped range with -EFAULT (drm_gpusvm.c).',
  holds: (s) => s.g.ranges.every((r) => !r.unmapped || [r, ...r.peers].every((pg) => !pagesValid(pg) && pg.dma.every((x) => x === NONE))),
  explain: (s) => `the range at page ${s.g.ranges.find((r) => r.unmapped && [r, ...r.peers].some(pagesValid))?.start ?? '?'} is unmapped but DMA-mapped`,
};

/** The pages sets the transition DMA-mapped (not valid before, valid after, or valid with new pages), with their range. */
function dmaMapped(before: { g: SvmGlobals }, after: { g: SvmGlobals }): Range[] {
  const was = new Map(before.g.ranges.map((r) => [r.id, r]));
  return after.g.ranges.filter((r) => {
    const b = was.get(r.id);
    return [r, ...r.peers].some((pg, k) => {
      const old = b && (k === 0 ? b : b.peers[k - 1]);
      return pagesValid(pg) && (!old || !pagesValid(old) || old.dma.some((x, i) => x !== pg.dma[i]));
    });
  });
}

export function dmaMapAfterReadRetry(topo: Topology = SINGLE): ActionProperty<SvmGlobals, SvmLocals> {
  const ok = (before: S, t: T, r: Range): boolean => holdsNotifier(before, t, topo, r.inst) && before.g.mniSeq[topo.notifierOf(r.inst, r.start)] === locals(before, t).seq;
  return {
    kind: 'action',
    id: 'dma-map-after-read-retry',
    reads: ['ranges', 'mniSeq', 'locks'],
    statement: 'pages are DMA-mapped only under the notifier lock, when mmu_interval_read_retry says the seq did not move',
    justification:
      'DOMAIN.md §4 item 4 and §2.3: mmu_interval_read_retry "MUST be called under a user provided lock that is also held ' +
      'unconditionally by op->invalidate()" (mmu_notifier.h); drm_gpusvm_get_pages maps under notifier_lock(R) after it.',
    holds: (before, after, t) => dmaMapped(before, after).every((r) => ok(before, t, r)),
    explain: (before, after, t) => {
      const r = dmaMapped(before, after).find((x) => !ok(before, t, x))!;
      const seq = before.g.mniSeq[topo.notifierOf(r.inst, r.start)];
      return `${t.process} ${t.step.label} DMA-maps the range ${key(r)} ` + (holdsNotifier(before, t, topo, r.inst) ? `with a stale seq (${locals(before, t).seq}, now ${seq})` : 'without the notifier lock');
    },
  };
}
