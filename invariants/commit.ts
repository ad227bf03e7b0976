// Committing GPU PTEs (DOMAIN.md §4 item 4, the PTE side; §2.3).

import type { ActionProperty } from '../explorer/index.ts';
import { pagesOf, pagesValid, rangeAt } from '../model/queries.ts';
import { NONE, type SvmGlobals, type SvmLocals } from '../model/state.ts';
import { SINGLE, type Topology } from '../model/topology.ts';
import { holdsNotifier, type S, type T } from './helpers.ts';

/** PTE table indexes (every GPU's, device after device) the transition wrote. */
function written(before: { g: SvmGlobals }, after: { g: SvmGlobals }): number[] {
  return after.g.pte.map((_, i) => i).filter((i) => after.g.pte[i] !== NONE && after.g.pte[i] !== before.g.pte[i]);
}

export function pteWriteUnderNotifierLock(topo: Topology = SINGLE): ActionProperty<SvmGlobals, SvmLocals> {
  /** Why the PTE at index i was written wrongly, or undefined. */
  const wrong = (before: S, after: S, t: T, i: number): string | undefined => {
    const n = before.g.pages.length;
    const gpu = topo.gpuOf(Math.floor(i / n));
    const p = i % n;
    const r = rangeAt(before.g, p, gpu.inst);
    if (!holdsNotifier(before, t, topo, gpu.inst)) return 'without the notifier lock';
    if (!r || !pagesValid(pagesOf(r, gpu.slot))) return 'while its pages are not valid';
    if (pagesOf(r, gpu.slot).dma[p - r.start] !== after.g.pte[i]) return 'to a page its range did not DMA-map';
    return undefined;
  };
  return {
    kind: 'action',
    id: 'pte-write-under-notifier-lock',
    reads: ['pte', 'ranges', 'pages', 'locks'],
    statement: 'a GPU PTE is written only under the notifier lock, with the pages of its range valid and DMA-mapped to what it points to',
    justification:
      'DOMAIN.md §2.3: drm_gpusvm_range_pages_valid is "Expected be called holding gpusvm->notifier_lock and as the last step ' +
      'before committing a GPU binding" (drm_gpusvm.c); the documented commit is notifier_lock(); if (pages_valid) ' +
      'driver_commit_bind(); notifier_unlock().',
    holds: (before, after, t) => written(before, after).every((i) => wrong(before, after, t, i) === undefined),
    explain: (before, after, t) => {
      const i = written(before, after).find((x) => wrong(before, after, t, x) !== undefined)!;
      const n = before.g.pages.length;
      const gpu = i < n ? '' : ` on GPU ${Math.floor(i / n)}`;
      return `${t.process} ${t.step.label} writes the PTE of page ${i % n}${gpu} ${wrong(before, after, t, i)}`;
    },
  };
}
