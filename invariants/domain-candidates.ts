// DOMAIN.md §4 lists the candidate invariants of the design. Each one is here with the catalogue
// properties that check it (invariant ids, engine properties, or `svmcheck lockorder` rules), and,
// where a part of it is not checked, the part and why. cli/invariants-doc.ts renders this list
// into docs/invariants.md; test/model/domain-candidates.test.ts keeps the ids honest.

export interface Candidate {
  /** Where DOMAIN.md §4 lists it: "1" .. "15" (safety) or "L1" .. "L4" (liveness). */
  readonly item: string;
  /** Its title in DOMAIN.md. */
  readonly title: string;
  /** Catalogue ids that check it (invariants, engine properties, lock rules R1-R3). */
  readonly checkedBy: readonly string[];
  /** What of it no property checks, and why; absent when it is checked whole. */
  readonly notImplemented?: string;
}

export const DOMAIN_CANDIDATES: readonly Candidate[] = [
  {
    item: '1',
    title: 'No stale GPU PTE',
    checkedBy: ['pte-has-dma-mapping', 'no-stale-pte'],
    notImplemented:
      'the PTE\'s flags (read-only, attribute-derived pte_flags) are not modelled: a PTE is the generation and allocation it ' +
      'points to, so "the PTE\'s target equals r.dma_addr" is checked on the target only',
  },
  { item: '2', title: 'Invalidate-before-return', checkedBy: ['invalidate-before-return'] },
  { item: '3', title: 'No DMA mapping of freed/unmapped pages', checkedBy: ['no-dma-of-freed-page', 'unmapped-has-no-dma', 'dma-map-after-read-retry'] },
  {
    item: '4',
    title: 'Seq discipline',
    checkedBy: ['dma-map-after-read-retry', 'pte-write-under-notifier-lock'],
    notImplemented:
      '"the invalidate always calls mmu_interval_set_seq under notifier_lock(W)" is not a property: it is one shared step ' +
      '(inv_lock in model/processes/invalidate.ts) that takes the lock and sets the seq atomically, and no driver supplies ' +
      'or can replace it, so no model the checker builds can break it',
  },
  { item: '5', title: 'GC only frees unmapped ranges', checkedBy: ['gc-removes-only-unmapped', 'removed-range-was-zapped', 'range-tree-under-locks'] },
  { item: '6', title: 'Tree mutation under driver lock', checkedBy: ['range-tree-under-locks'] },
  { item: '7', title: 'No overlapping ranges', checkedBy: ['ranges-disjoint'] },
  { item: '8', title: 'Range within VMA, notifier and gpuva bounds at creation', checkedBy: ['range-within-bounds'] },
  { item: '9', title: 'Range boundaries respect attribute boundaries', checkedBy: ['range-within-bounds', 'set-attr-leaves-no-crossing-range', 'attrs-disjoint-sorted'] },
  { item: '10', title: 'Attributes survive range destruction', checkedBy: ['attrs-survive-range-destruction', 'unmapped-attr-policy', 'reuse-keeps-new-attrs'] },
  {
    item: '11',
    title: 'One owner per physical page',
    checkedBy: ['one-owner-per-page'],
    notImplemented:
      '"a range\'s DMA array references at most one drm_pagemap" is not checked: drm_gpusvm_get_pages refuses a pagemap ' +
      'change with -EOPNOTSUPP, and the model\'s map phase (gp_map, model/steps/get-pages.ts) does not have that check yet, ' +
      'so the invariant would first need the step; a device page\'s zone_device_data is not a separate field (Page.dev is ' +
      'the allocation, set once per migration), so its stability holds by construction',
  },
  { item: '12', title: 'Device memory lifetime', checkedBy: ['devmem-alive-while-referenced', 'no-mapping-to-freed-vram'] },
  { item: '13', title: 'Migration copy ordering', checkedBy: ['copy-after-idle'] },
  {
    item: '14',
    title: 'Lock order acyclic',
    checkedBy: ['R1', 'R2', 'R3'],
    notImplemented:
      'not an invariant of a state or a transition: `svmcheck lockorder` builds the lock-order graph of every acquisition the ' +
      'search takes (fs_reclaim included) and reports its cycles and the rules R1-R3 (invariants/lock-rules.ts) an edge breaks',
  },
  {
    item: '15',
    title: 'Balanced locking / refcounts',
    checkedBy: ['lock-balance', 'lock-held-at-end', 'range-alive-while-used', 'range-removed-once', 'attr-alive-while-used'],
    notImplemented:
      'range krefs are not modelled as numbers: a range is alive while in the tree or on a GC list (an orphan, removed ' +
      'from the tree while queued); range-alive-while-used checks the use-after-free the krefs prevent, and ' +
      'range-removed-once the second drm_gpusvm_range_remove that would drop a reference the tree no longer holds',
  },
  { item: 'L1', title: 'A GPU fault eventually maps or fails', checkedBy: ['faults-terminate'] },
  {
    item: 'L2',
    title: 'GC eventually drains',
    checkedBy: [],
    notImplemented:
      'no property checks that the GC list empties (not written yet). It would be a liveness property whose pending set is ' +
      'the ranges on the GC list, for scenarios with a gc-worker process only: where the GC runs only at the next fault ' +
      '(no gc-worker), queued ranges legitimately stay on the list at the end, as in the kernel until the next fault',
  },
  { item: 'L3', title: 'A CPU fault on a device page eventually completes', checkedBy: ['cpu-faults-terminate'] },
  {
    item: 'L4',
    title: 'Multi-device migration eventually settles',
    checkedBy: ['deadlock'],
    notImplemented:
      'not written yet: faults-terminate and cpu-faults-terminate cover GPU and CPU faults only, and no liveness property ' +
      'covers the prefetch (migrate) processes of the two-gpus-migrating scenarios, so migrations bouncing the same VA ' +
      'forever (bug 10) would be found only as a state where nothing moves (deadlock), not as a lasso',
  },
];
