// Device memory and migration (DOMAIN.md §4 items 11, 12, 13, and 1/3 for VRAM).

import type { ActionProperty, StateInvariant } from '../explorer/index.ts';
import { NONE, type SvmGlobals, type SvmLocals } from '../model/state.ts';

/** A VA page whose data is claimed by a place other than the one current for it. */
function twoOwners(g: SvmGlobals): string | undefined {
  for (let p = 0; p < g.pages.length; p++) {
    const claims = g.devmem.filter((d) => p >= d.start && p < d.start + d.used.length && d.used[p - d.start]);
    const cur = g.pages[p]!.dev;
    if (claims.length > 1) return `page ${p} is held by device pages of allocations ${claims.map((d) => d.id).join(' and ')}`;
    if (cur === NONE && claims.length === 1) return `page ${p} maps a system page, but device page ${p - claims[0]!.start} of allocation ${claims[0]!.id} still holds it`;
    if (cur !== NONE && (claims.length === 0 || claims[0]!.id !== cur)) return `page ${p} maps allocation ${cur}, whose device page does not hold it`;
  }
  return undefined;
}

export const oneOwnerPerPage: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'one-owner-per-page',
  reads: ['pages', 'devmem'],
  statement: "a page's data lives in exactly one place that is current: its system page, or one device page that points back to it",
  justification:
    'DOMAIN.md §4 item 11: a VA page is backed by exactly one of {system page, one device page}, and a device page\'s ' +
    'zone_device_data is stable from allocation to free (gpusvm.rst); migrate_vma_pages/finalize and ' +
    'migrate_device_pages/finalize free the page they migrate from (drm_pagemap.c).',
  holds: (s) => twoOwners(s.g) === undefined,
  explain: (s) => twoOwners(s.g)!,
};

/** An allocation whose VRAM is gone although a device page or a zdd reference still uses it. */
function freedWhileUsed(g: SvmGlobals): string | undefined {
  for (const d of g.devmem) {
    if (d.backed && !d.released) continue;
    const used = d.used.findIndex((u) => u);
    if (used >= 0) return `allocation ${d.id} ${d.released ? 'was released' : 'lost its VRAM'} while device page ${used} (VA page ${d.start + used}) uses it`;
    if (d.zdd > 0) return `allocation ${d.id} ${d.released ? 'was released' : 'lost its VRAM'} with ${d.zdd} zdd reference(s) left`;
  }
  return undefined;
}

export const devmemAliveWhileReferenced: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'devmem-alive-while-referenced',
  reads: ['devmem', 'pages'],
  statement: 'device memory is never freed or moved while a device page or a zdd reference uses it',
  justification:
    'DOMAIN.md §4 item 12: each device page holds a zdd reference, devmem_release runs only when the last goes ' +
    '(drm_pagemap_zdd_destroy), and drm_pagemap_evict_to_ram returns 0 only once devmem->detached completed, so the ' +
    'memory manager moves the buffer only then (drm_pagemap.c; xe_svm_bo_evict).',
  holds: (s) => freedWhileUsed(s.g) === undefined,
  explain: (s) => freedWhileUsed(s.g)!,
};

/** Allocations the transition ran a copy into. */
function copied(before: { g: SvmGlobals }, after: { g: SvmGlobals }): number[] {
  if (before.g.devmem === after.g.devmem) return [];
  const ids: number[] = [];
  for (const d of after.g.devmem) if (d.copyDone && !before.g.devmem[d.id]?.copyDone) ids.push(d.id);
  return ids;
}

export const copyAfterIdle: ActionProperty<SvmGlobals, SvmLocals> = {
  kind: 'action',
  id: 'copy-after-idle',
  reads: ['devmem'],
  statement: 'a copy into device memory runs only after its allocation is idle (the pre_migrate_fence signalled)',
  justification:
    'DOMAIN.md §4 item 13: "Data copy into a devmem allocation starts only after its clear/eviction fences signal" ' +
    '(pre_migrate_fence passed to copy_to_devmem, drm_pagemap.c; "drm/pagemap, drm/xe: Ensure that the devmem ' +
    'allocation is idle before use"). Otherwise the clear lands on the copied data.',
  holds: (before, after) => copied(before, after).every((a) => !before.g.devmem[a]!.clearPending),
  explain: (before, after, t) => `${t.process} ${t.step.label} copies into allocation ${copied(before, after).find((a) => before.g.devmem[a]!.clearPending)} while its clear is still queued`,
};

/** A PTE, TLB entry or DMA mapping into an allocation whose VRAM is no longer its own. */
// Runs in every state: written as plain loops, no closure or array made per call.
function intoFreedVram(g: SvmGlobals): string | undefined {
  if (g.devmem.length === 0) return undefined;
  const n = g.pages.length;
  for (let i = 0; i < g.pteDev.length; i++) {
    if (gone(g, g.pteDev[i]!)) return `the PTE of ${pageOnGpu(i, n)} points into allocation ${g.pteDev[i]}, whose VRAM was freed`;
    if (gone(g, g.tlbDev[i]!)) return `the TLB entry of ${pageOnGpu(i, n)} points into allocation ${g.tlbDev[i]}, whose VRAM was freed`;
  }
  for (const r of g.ranges) {
    for (let slot = -1; slot < r.peers.length; slot++) {
      const pg = slot < 0 ? r : r.peers[slot]!;
      for (let k = 0; k < pg.dmaDev.length; k++)
        if (gone(g, pg.dmaDev[k]!)) return `the range at page ${r.start} keeps page ${r.start + k} mapped into allocation ${pg.dmaDev[k]}, whose VRAM was freed`;
    }
  }
  return undefined;
}

const gone = (g: SvmGlobals, a: number): boolean => a !== NONE && !g.devmem[a]!.backed;
const pageOnGpu = (i: number, n: number): string => (i < n ? `page ${i}` : `page ${i % n} on GPU ${Math.floor(i / n)}`);

export const noMappingToFreedVram: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'no-mapping-to-freed-vram',
  reads: ['pte', 'tlb', 'ranges', 'devmem', 'pages', 'pteDev', 'tlbDev'],
  statement: 'no GPU PTE, TLB entry or device mapping points into VRAM that was freed or moved',
  justification:
    'DOMAIN.md §4 items 1, 3 and 12: GPU page tables are invalidated "via the notifier" fired by the migration that ' +
    'empties device memory (gpusvm.rst, drm_pagemap_evict_to_ram), before the device pages are freed; the memory ' +
    'manager reuses freed VRAM at once.',
  holds: (s) => intoFreedVram(s.g) === undefined,
  explain: (s) => intoFreedVram(s.g)!,
};
