// DMA mappings of CPU pages (DOMAIN.md §4 items 3 and 4).

import type { ActionProperty, StateInvariant } from '../explorer/index.ts';
import { pagesValid } from '../model/queries.ts';
import { NONE, type SvmGlobals, type SvmLocals } from '../model/state.ts';
import { holdsNotifier, key, locals } from './helpers.ts';

function staleDma(g: SvmGlobals): { start: number; page: number } | undefined {
  for (const r of g.ranges) {
    const i = r.dma.findIndex((gen, k) => gen !== NONE && gen !== g.pages[r.start + k]!.gen);
    if (i >= 0) return { start: r.start, page: r.start + i };
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
  holds: (s) => s.g.ranges.every((r) => !r.unmapped || (!pagesValid(r) && r.dma.every((x) => x === NONE))),
  explain: (s) => `the range at page ${s.g.ranges.find((r) => r.unmapped && pagesValid(r))?.start ?? '?'} is unmapped but DMA-mapped`,
};

/** The ranges the transition DMA-mapped: not valid before, valid after (or valid with new pages). */
function dmaMapped(before: { g: SvmGlobals }, after: { g: SvmGlobals }): string[] {
  const was = new Map(before.g.ranges.map((r) => [key(r), r]));
  return after.g.ranges
    .filter((r) => {
      const b = was.get(key(r));
      return pagesValid(r) && (!b || !pagesValid(b) || b.dma.some((x, i) => x !== r.dma[i]));
    })
    .map(key);
}

export const dmaMapAfterReadRetry: ActionProperty<SvmGlobals, SvmLocals> = {
  kind: 'action',
  id: 'dma-map-after-read-retry',
  reads: ['ranges', 'mniSeq'],
  statement: 'pages are DMA-mapped only under the notifier lock, when mmu_interval_read_retry says the seq did not move',
  justification:
    'DOMAIN.md §4 item 4 and §2.3: mmu_interval_read_retry "MUST be called under a user provided lock that is also held ' +
    'unconditionally by op->invalidate()" (mmu_notifier.h); drm_gpusvm_get_pages maps under notifier_lock(R) after it.',
  holds: (before, after, t) => {
    if (dmaMapped(before, after).length === 0) return true;
    return holdsNotifier(before, t) && before.g.mniSeq === locals(before, t).seq;
  },
  explain: (before, after, t) =>
    `${t.process} ${t.step.label} DMA-maps the range ${dmaMapped(before, after)[0]} ` +
    (holdsNotifier(before, t) ? `with a stale seq (${locals(before, t).seq}, now ${before.g.mniSeq})` : 'without the notifier lock'),
};
