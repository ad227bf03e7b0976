// The IOMMU rule (DOMAIN.md §4 items 1 and 2): what a GPU may translate to is what drm_gpusvm
// holds mapped for it.

import type { StateInvariant } from '../explorer/index.ts';
import { NONE, type SvmGlobals, type SvmLocals } from '../model/state.ts';
import { SINGLE, type Topology } from '../model/topology.ts';

/**
 * The first PTE or TLB entry (device after device) that maps a page no range of its GPU's
 * instance holds DMA-mapped at the address the entry points to, with the reason; undefined if
 * there is none. Runs in every state: plain loops, nothing allocated unless it finds one.
 */
export function unbackedEntry(g: SvmGlobals, topo: Topology): string | undefined {
  const n = g.pages.length;
  for (let dev = 0; dev < topo.gpus; dev++) {
    const { inst, slot } = topo.gpuOf(dev);
    for (let p = 0; p < n; p++) {
      const i = dev * n + p;
      const pte = g.pte[i]!;
      const tlb = g.tlb[i]!;
      if (pte === NONE && tlb === NONE) continue;
      const entries: [string, number, number][] = [];
      if (pte !== NONE) entries.push(['PTE', pte, g.pteDev[i]!]);
      if (tlb !== NONE) entries.push(['TLB entry', tlb, g.tlbDev[i]!]);
      let r = undefined;
      for (const x of g.ranges) if (x.inst === inst && x.start <= p && p < x.end) r = x;
      for (const [what, gen, alloc] of entries) {
        const at = `the ${what} of page ${p}${dev === 0 ? '' : ` on GPU ${dev}`} (generation ${gen}${alloc === NONE ? '' : `, allocation ${alloc}`})`;
        if (!r) return `${at} is live, but no range of instance ${inst} holds the page`;
        const pg = slot === 0 ? r : r.peers[slot - 1]!;
        const k = p - r.start;
        const mapped = (pg.hasDma || pg.hasDevmem) && pg.dma[k] !== NONE;
        if (!mapped) return `${at} is live, but the range [${r.start}, ${r.end}) no longer DMA-maps the page`;
        if (pg.dma[k] !== gen || pg.dmaDev[k] !== alloc) {
          const held = `generation ${pg.dma[k]}${pg.dmaDev[k] === NONE ? '' : `, allocation ${pg.dmaDev[k]}`}`;
          return `${at} is live, but the range [${r.start}, ${r.end}) DMA-maps another page there (${held})`;
        }
      }
    }
  }
  return undefined;
}

export function pteHasDmaMapping(topo: Topology = SINGLE): StateInvariant<SvmGlobals, SvmLocals> {
  return {
    kind: 'state',
    id: 'pte-has-dma-mapping',
    reads: ['pte', 'tlb', 'pteDev', 'tlbDev', 'ranges', 'pages'],
    statement:
      "every live GPU PTE and TLB entry maps a page that a range of its GPU's drm_gpusvm instance holds DMA-mapped, " +
      'at the address the entry points to (system page or device page alike)',
    justification:
      'DOMAIN.md §4 items 1 and 2, the IOMMU rule: drm_gpusvm_range_unmap_pages "Must be called on each GPU SVM range ' +
      'attached to notifier in gpusvm->ops->invalidate for IOMMU security model" (drm_gpusvm.c); a PTE is written only ' +
      'from pages_valid pages under the notifier lock, and the callback zaps (phase 1) before it unmaps (phase 2), so a ' +
      'GPU never holds a translation to a DMA address drm_gpusvm has given back. Unlike no-stale-pte it does not wait ' +
      'for core mm to free the page: the DMA unmap is the violation (an IOMMU fault, or a write through a reused IOVA).',
    holds: (s) => unbackedEntry(s.g, topo) === undefined,
    explain: (s) => unbackedEntry(s.g, topo)!,
  };
}
