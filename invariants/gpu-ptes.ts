// No stale GPU PTE or TLB entry (DOMAIN.md §4 item 1, strong variant): a present PTE, or a
// cached translation, always refers to the page that currently backs its address. Core mm
// frees or replaces a CPU page only after the invalidation callback returned, so a PTE that
// survives the callback becomes stale exactly when the page's generation moves on.
// Sources: drm_gpusvm_range_pages_valid kernel-doc, Documentation/mm/hmm.rst ("The device must
// complete the update before the driver callback returns").

import type { StateInvariant } from '../explorer/index.ts';
import { NONE, type SvmGlobals, type SvmLocals } from '../model/state.ts';

function stale(g: SvmGlobals, table: readonly number[]): number {
  return table.findIndex((gen, p) => gen !== NONE && gen !== g.pages[p]!.gen);
}

export const noStalePte: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'no-stale-pte',
  statement: 'every GPU PTE and TLB entry points to the page that currently backs its address',
  holds: (s) => stale(s.g, s.g.pte) < 0 && stale(s.g, s.g.tlb) < 0,
  explain: (s) => {
    const p = stale(s.g, s.g.pte);
    const t = stale(s.g, s.g.tlb);
    if (p >= 0) return `the PTE of page ${p} points to generation ${s.g.pte[p]}, freed (current ${s.g.pages[p]!.gen})`;
    return `the TLB entry of page ${t} points to generation ${s.g.tlb[t]}, freed (current ${s.g.pages[t]!.gen})`;
  },
};
