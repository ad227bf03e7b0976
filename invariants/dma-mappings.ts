// No DMA mapping of a freed page (DOMAIN.md §4 item 3): every page a range holds DMA-mapped is
// the page currently backing that address. drm_gpusvm_get_pages maps under the notifier lock
// after mmu_interval_read_retry, and the callback unmaps before core mm frees (bug 7, CVE-2025-21939).

import type { StateInvariant } from '../explorer/index.ts';
import { NONE, type SvmGlobals, type SvmLocals } from '../model/state.ts';

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
  statement: 'every DMA-mapped page of a range is the page currently backing its address',
  holds: (s) => staleDma(s.g) === undefined,
  explain: (s) => {
    const x = staleDma(s.g)!;
    return `the range at page ${x.start} keeps page ${x.page} DMA-mapped after core mm freed it`;
  },
};
