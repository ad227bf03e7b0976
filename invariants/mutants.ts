// Broken variants: for each invariant, a small patch on a protocol that follows the sources (a
// step removed, a lock not taken, a check dropped or moved after an unlock), on a configuration
// where the unpatched protocol does not violate that invariant. An invariant no broken design
// can violate checks nothing; `svmcheck mutants` and test/model/mutants.test.ts run them all.

import { patchModel, type Model, type StepPatch } from '../explorer/index.ts';
import { svmModel } from '../model/build.ts';
import { maskPages, putBo, refDevicePage, touchBo } from '../model/devmem.ts';
import type { SvmConfig } from '../model/config.ts';
import { MUNMAP_GC_REMAP, NOTIFIER_REMOVE_VS_INVALIDATE } from '../model/scenarios/configs.ts';
import type { Protocol } from '../model/drivers/index.ts';
import { acquire, GC, NOTIFIER, release, section } from '../model/locks.ts';
import { chunkFor, clearAttrs, insertRange, newRange, overlapping, payAttrDebt, rangeStarting, recordAttrSet, removeRange, unmapPages } from '../model/queries.ts';
import { EAGAIN, EFAULT, MN_IN_TREE, MN_REMOVED, NONE, OK, type SvmGlobals, type SvmLocals } from '../model/state.ts';

export interface Mutant {
  readonly name: string;
  /** The invariant (or engine property, or liveness property) it must violate. */
  readonly invariant: string;
  readonly description: string;
  readonly protocol: Protocol;
  readonly config: SvmConfig;
  readonly patches: readonly StepPatch<SvmGlobals, SvmLocals>[];
  /** The invariant is a liveness property: search for cycles. */
  readonly liveness?: boolean;
}

type Patch = StepPatch<SvmGlobals, SvmLocals>;

const base = { pages: 2, chunkSizes: [2, 1], mapRetries: 3, granularity: 2, vmas: [[0, 2]], attrs: [], premapped: [] } as const;
const mapped = { ...base, premapped: [[0, 2]], attrs: [{ start: 0, end: 2, value: 0 }] } as const;

/** event_end of an invalidation that also queues CLEARed ranges for the GC (as if unmapped). */
const clearQueuesForGc: Patch = {
  program: 'invalidate',
  label: 'event_end',
  replace: {
    locks: section(GC),
    writes: ['ranges', 'gcList', 'gcPending'],
    effect: (g, l) => {
      for (const r of overlapping(g.ranges, l.page, l.end)) {
        unmapPages(r);
        r.pendingStart = Math.max(r.start, l.page);
        r.pendingEnd = Math.min(r.end, l.end);
        if (!g.gcList.includes(r.id)) g.gcList.push(r.id);
        g.gcPending[0] = true;
      }
    },
  },
};

/** xe_svm_invalidate phase 1 that marks tile_invalidated but does not zap the PTEs. */
const notifierWithoutZap: Patch = {
  program: 'invalidate',
  label: 'event_begin',
  replace: {
    effect: (g, l) => {
      for (const r of overlapping(g.ranges, l.page, l.end)) if (!r.unmapped && r.mapped) r.invalidated = true;
    },
  },
};

/** The GC work item without its driver lock (vm->lock for xe). */
const gcWithoutVmLock: readonly Patch[] = [
  { program: 'gc_worker', label: 'gc_lock_driver', replace: { locks: [] } },
  { program: 'gc_worker', label: 'gc_unlock_driver', replace: { locks: [] } },
];

export const SYSTEM_MUTANTS: readonly Mutant[] = [
  {
    name: 'xe-no-zap-in-notifier',
    invariant: 'no-stale-pte',
    description: 'xe_svm_invalidate phase 1 only marks tile_invalidated and forgets to zap the PTEs',
    protocol: 'xe',
    config: { ...base, processes: [{ kind: 'fault', page: 0 }, { kind: 'invalidate', start: 0, end: 1 }] },
    patches: [notifierWithoutZap],
  },
  {
    name: 'xe-no-zap-loses-gpu-write',
    invariant: 'no-lost-write',
    description: 'without the PTE zap in the notifier, a GPU write after reclaim goes to the page core mm replaced',
    protocol: 'xe',
    config: { ...base, processes: [{ kind: 'fault', page: 0 }, { kind: 'invalidate', start: 0, end: 1 }, { kind: 'gpu-write', page: 0, value: 1 }] },
    patches: [notifierWithoutZap],
  },
  {
    name: 'xe-dma-unmap-after-notifier-unlock',
    invariant: 'invalidate-before-return',
    description: 'phase 2 (drm_gpusvm_range_unmap_pages) moved after up_write(notifier_lock)',
    protocol: 'xe',
    config: { ...mapped, processes: [{ kind: 'invalidate', start: 0, end: 1 }] },
    patches: [
      { program: 'invalidate', label: 'event_begin', replace: { next: 'inv_unlock' } },
      { program: 'invalidate', label: 'inv_unlock', replace: { next: 'event_end' } },
      { program: 'invalidate', label: 'event_end', replace: { next: 'mm_change' } },
    ],
  },
  {
    name: 'xe-no-dma-unmap-in-notifier',
    invariant: 'no-dma-of-freed-page',
    description: 'phase 2 skips drm_gpusvm_range_unmap_pages (bug 7: the DMA unmap must happen in the notifier)',
    protocol: 'xe',
    config: { ...mapped, processes: [{ kind: 'invalidate', start: 0, end: 1 }] },
    patches: [{ program: 'invalidate', label: 'event_end', replace: { effect: () => {} } }],
  },
  {
    name: 'amdgpu-set-unmapped-without-dma-unmap',
    invariant: 'unmapped-has-no-dma',
    description: 'the UNMAP event_end marks ranges unmapped and queues them, but does not unmap their DMA pages',
    protocol: 'amdgpu-v3',
    config: { ...mapped, processes: [{ kind: 'munmap', start: 0, end: 2 }] },
    patches: [
      {
        program: 'munmap',
        label: 'event_end',
        replace: {
          effect: (g, l) => {
            for (const r of overlapping(g.ranges, l.page, l.end)) {
              r.unmapped = true;
              if (!g.gcList.includes(r.id)) g.gcList.push(r.id);
            }
          },
        },
      },
    ],
  },
  {
    name: 'xe-get-pages-without-read-retry',
    invariant: 'dma-map-after-read-retry',
    description: 'drm_gpusvm_get_pages DMA-maps without mmu_interval_read_retry',
    protocol: 'xe',
    config: { ...base, processes: [{ kind: 'fault', page: 0 }, { kind: 'invalidate', start: 0, end: 1 }] },
    patches: [
      {
        program: 'gpu_fault',
        label: 'gp_map',
        replace: {
          effect: (g, l) => {
            const r = rangeStarting(g, l.range)!;
            if (r.unmapped) {
              l.ret = EFAULT;
              return;
            }
            if (!r.dmaAlloc) return;
            r.dma.splice(0, r.dma.length, ...l.pfns);
            r.hasDma = true;
          },
          next: (g, l) => (l.ret === EFAULT ? 'gc_dequeue' : rangeStarting(g, l.range)!.dmaAlloc ? 'bind_lock_vm' : 'gp_alloc'),
        },
      },
    ],
  },
  {
    name: 'xe-bind-commit-without-notifier-lock',
    invariant: 'pte-write-under-notifier-lock',
    description: 'the bind pre-commit checks pages valid and writes the PTEs without taking the notifier lock',
    protocol: 'xe',
    config: { ...base, processes: [{ kind: 'fault', page: 0 }] },
    patches: [{ program: 'gpu_fault', label: 'bind_commit', replace: { locks: [] } }],
  },
  {
    name: 'xe-clear-queues-for-gc',
    invariant: 'gc-removes-only-unmapped',
    description: 'a non-UNMAP invalidation queues its ranges for the GC like an UNMAP (without set_unmapped)',
    protocol: 'xe',
    config: { ...mapped, processes: [{ kind: 'invalidate', start: 0, end: 1 }, { kind: 'gc-worker' }] },
    patches: [clearQueuesForGc],
  },
  {
    name: 'amdgpu-invalidate-interval-without-zap',
    invariant: 'removed-range-was-zapped',
    description: 'invalidate_interval removes boundary-crossing ranges without clearing their PTEs first',
    protocol: 'amdgpu-v3',
    config: { ...mapped, processes: [{ kind: 'set-attr', start: 1, end: 2, value: 1 }] },
    patches: [{ program: 'set_attr', label: 'ii_zap', remove: true }],
  },
  {
    name: 'xe-chunk-ignores-ranges',
    invariant: 'ranges-disjoint',
    description: 'drm_gpusvm_range_chunk_size without the overlap check: the 2-page chunk lands on an existing range',
    protocol: 'xe',
    config: { ...base, premapped: [[1, 2]], processes: [{ kind: 'fault', page: 0 }] },
    patches: [
      {
        program: 'gpu_fault',
        label: 'find_or_insert_new',
        replace: {
          effect: (g, l) => {
            const chunk = chunkFor({ ...g, ranges: [] }, { ...base, processes: [] }, l.page, l.lo, l.hi)!;
            insertRange(g, newRange(chunk[0], chunk[1], g.nextRangeId++));
            l.ret = OK;
            l.range = chunk[0];
          },
        },
      },
    ],
  },
  {
    name: 'xe-gc-worker-without-vm-lock',
    invariant: 'range-tree-under-locks',
    description: 'the GC work item removes ranges without taking vm->lock',
    protocol: 'xe',
    config: { ...mapped, processes: [{ kind: 'munmap', start: 0, end: 2 }, { kind: 'gc-worker' }] },
    patches: gcWithoutVmLock,
  },
  {
    name: 'xe-gc-worker-without-vm-lock-vs-fault',
    invariant: 'range-alive-while-used',
    description: 'the GC work item, without vm->lock, removes the range a fault is using',
    protocol: 'xe',
    config: { ...mapped, processes: [{ kind: 'fault', page: 0 }, { kind: 'munmap', start: 0, end: 2 }, { kind: 'gc-worker' }] },
    patches: gcWithoutVmLock,
  },
  {
    name: 'xe-gc-worker-without-vm-lock-fault-derefs',
    invariant: 'step-error',
    description: 'the same GC without vm->lock: the fault then dereferences the range freed under it',
    protocol: 'xe',
    config: { ...mapped, processes: [{ kind: 'fault', page: 0 }, { kind: 'munmap', start: 0, end: 2 }, { kind: 'gc-worker' }] },
    patches: gcWithoutVmLock,
  },
  {
    name: 'amdgpu-find-or-insert-ignores-attr-bounds',
    invariant: 'range-within-bounds',
    description: 'find_or_insert is passed the whole VA instead of the attribute range bounds',
    protocol: 'amdgpu-v3',
    config: { ...base, attrs: [{ start: 0, end: 1, value: 0 }, { start: 1, end: 2, value: 1 }], processes: [{ kind: 'fault', page: 0 }] },
    patches: [
      {
        program: 'gpu_fault',
        label: 'find_or_insert_new',
        replace: {
          effect: (g, l) => {
            const chunk = chunkFor(g, { ...base, processes: [] }, l.page, 0, g.pages.length)!;
            insertRange(g, newRange(chunk[0], chunk[1], g.nextRangeId++));
            l.ret = OK;
            l.range = chunk[0];
          },
        },
      },
    ],
  },
  {
    name: 'amdgpu-gc-clears-whole-range-attrs',
    invariant: 'attrs-survive-range-destruction',
    description: 'the GC clears the attributes of the whole range instead of the unmapped interval',
    protocol: 'amdgpu-v3',
    config: { ...mapped, processes: [{ kind: 'munmap', start: 1, end: 2 }, { kind: 'gc-worker' }] },
    patches: [
      {
        program: 'gc_worker',
        label: 'gc_clear_attrs',
        replace: {
          reads: ['ranges'],
          effect: (g, l) => {
            const r = rangeStarting(g, l.range)!;
            clearAttrs(g.attrs, r.start, r.end);
          },
        },
      },
    ],
  },
  {
    name: 'amdgpu-gc-keeps-attrs-under-clear-policy',
    invariant: 'unmapped-attr-policy',
    description: 'V3 policy, but the GC does not clear the attributes of the unmapped interval',
    protocol: 'amdgpu-v3',
    config: { ...mapped, processes: [{ kind: 'munmap', start: 0, end: 2 }, { kind: 'gc-worker' }] },
    patches: [{ program: 'gc_worker', label: 'gc_clear_attrs', remove: true }],
  },
  {
    name: 'amdgpu-split-clears-attrs',
    invariant: 'reuse-keeps-new-attrs',
    description: 'invalidate_interval clears the attributes of the interval it just set, as if destroying ranges cleared them',
    protocol: 'amdgpu-v3',
    config: { ...mapped, processes: [{ kind: 'set-attr', start: 1, end: 2, value: 1 }] },
    patches: [
      {
        program: 'set_attr',
        label: 'ii_unlock_pd',
        replace: { writes: ['tlb', 'tlbDev', 'attrs'], effect: (g, l) => clearAttrs(g.attrs, l.page, l.end) },
      },
    ],
  },
  {
    name: 'amdgpu-invalidate-interval-keeps-crossing-ranges',
    invariant: 'set-attr-leaves-no-crossing-range',
    description: 'invalidate_interval only clears gpu_mapped and keeps ranges that cross the new boundary',
    protocol: 'amdgpu-v3',
    config: { ...mapped, processes: [{ kind: 'set-attr', start: 1, end: 2, value: 1 }] },
    patches: [
      {
        program: 'set_attr',
        label: 'ii_remove',
        replace: {
          effect: (g, l) => {
            for (const r of overlapping(g.ranges, l.page, l.end)) r.mapped = false;
          },
        },
      },
    ],
  },
  {
    name: 'amdgpu-up-read-for-down-write',
    invariant: 'lock-balance',
    description: 'the fault handler releases svm_lock with up_read although it took it with down_write',
    protocol: 'amdgpu-v3',
    config: { ...base, processes: [{ kind: 'fault', page: 0 }] },
    patches: [{ program: 'gpu_fault', label: 'unlock_svm', replace: { locks: [release('svm_lock', 'read')] } }],
  },
  {
    name: 'amdgpu-no-vma-path-keeps-svm-lock',
    invariant: 'lock-held-at-end',
    description: 'the "no VMA" return of the unregistered-address path skips up_write(svm_lock) (cf. bug 1)',
    protocol: 'amdgpu-v3',
    config: { ...base, vmas: [], processes: [{ kind: 'fault', page: 0 }] },
    patches: [{ program: 'gpu_fault', label: 'unregistered_vma', replace: { next: (_g, l) => (l.ret === EFAULT ? 'done' : 'unregistered_insert') } }],
  },
  {
    name: 'amdgpu-notifier-takes-svm-lock',
    invariant: 'deadlock',
    description: 'the notifier callback takes svm_lock under notifier_lock(W) (against rule R1): ABBA with a fault',
    protocol: 'amdgpu-v3',
    config: { ...base, processes: [{ kind: 'fault', page: 0 }, { kind: 'invalidate', start: 0, end: 1 }] },
    patches: [
      { program: 'invalidate', label: 'event_begin', replace: { locks: [acquire('svm_lock')] } },
      { program: 'invalidate', label: 'inv_unlock', replace: { locks: [release('svm_lock'), release(NOTIFIER, 'write')] } },
    ],
  },
  {
    name: 'xe-bind-retries-while-invalidated',
    invariant: 'faults-terminate',
    description: 'the bind pre-commit returns -EAGAIN while tile_invalidated is set, which only a bind clears: the fault retries forever',
    protocol: 'xe',
    config: { ...mapped, processes: [{ kind: 'invalidate', start: 0, end: 1 }, { kind: 'fault', page: 0 }] },
    liveness: true,
    patches: [
      {
        program: 'gpu_fault',
        label: 'bind_commit',
        replace: {
          effect: (g, l) => {
            const r = rangeStarting(g, l.range)!;
            l.ret = r.invalidated ? EAGAIN : OK;
          },
        },
      },
    ],
  },
  {
    name: 'xe-dma-unmap-before-zap',
    invariant: 'pte-has-dma-mapping',
    description:
      'the notifier runs phase 2 (drm_gpusvm_range_unmap_pages) before phase 1 (xe_svm_invalidate\'s zap): for a moment the ' +
      'GPU PTE translates to a DMA address already unmapped, although both are done when the callback returns',
    protocol: 'xe',
    config: { ...mapped, processes: [{ kind: 'invalidate', start: 0, end: 1 }] },
    patches: [
      { program: 'invalidate', label: 'inv_lock', replace: { next: 'event_end' } },
      { program: 'invalidate', label: 'event_end', replace: { next: 'event_begin' } },
      { program: 'invalidate', label: 'event_begin', replace: { next: 'inv_unlock' } },
    ],
  },
  {
    name: 'amdgpu-set-attr-without-split',
    invariant: 'attrs-disjoint-sorted',
    description:
      'amdgpu_svm_attr_set_range inserts the new attribute range without splitting the one it lands in (no head/tail ' +
      'split): the old range still covers the interval, and two attribute ranges overlap',
    protocol: 'amdgpu-v3',
    config: { ...base, attrs: [{ start: 0, end: 2, value: 0 }], processes: [{ kind: 'set-attr', start: 1, end: 2, value: 1 }] },
    patches: [
      {
        program: 'set_attr',
        label: 'attr_set',
        replace: {
          reads: ['attrs', 'pages'],
          writes: ['attrs', 'attrSetVma', 'attrSetValue', 'attrAtUnmap', 'attrSetAfterUnmap'],
          effect: (g, l) => {
            const i = g.attrs.findIndex((x) => x.start > l.page);
            g.attrs.splice(i < 0 ? g.attrs.length : i, 0, { start: l.page, end: l.end, value: l.value });
            l.split = true;
            recordAttrSet(g, l.page, l.end, l.value);
          },
        },
      },
    ],
  },
  {
    name: 'xe-fault-ignores-closed-vm',
    invariant: 'gpusvm-empty-after-fini',
    description:
      'handle_pagefault without its `xe_vm_is_closed` test under vm->lock: a fault that waited for the lock behind ' +
      'xe_vm_close_and_put inserts a range into the drm_gpusvm that drm_gpusvm_fini has just emptied',
    protocol: 'xe',
    config: { ...base, attrs: [{ start: 0, end: 2, value: 0 }], processes: [{ kind: 'fault', page: 0 }, { kind: 'teardown' }] },
    patches: [{ program: 'gpu_fault', label: 'lock_vm', replace: { next: 'gc_dequeue' } }],
  },
  {
    name: 'attr-clear-frees-trimmed-range',
    invariant: 'attr-alive-while-used',
    description:
      'amdgpu_svm_attr_clear_pages freeing a node it only trims (attr_remove_range_locked(..., true) where V3 ' +
      'reinserts it with attr_set_interval): a munmap of page 1 frees the attribute range a fault on page 0 holds',
    protocol: 'amdgpu-v3',
    // Two ranges, so the munmap of page 1 leaves no PTE behind (F15 would stop the search there).
    config: { ...mapped, premapped: [[0, 1], [1, 2]], processes: [{ kind: 'munmap', start: 1, end: 2 }, { kind: 'fault', page: 0 }] },
    patches: [
      {
        program: 'gpu_fault',
        label: 'gc_clear_attrs',
        replace: {
          effect: (g, l) => {
            const held = g.attrs.some((a) => a.start === l.lo && a.end === l.hi && a.start < l.ie && l.is < a.end);
            clearAttrs(g.attrs, l.is, l.ie);
            payAttrDebt(g, l.is, l.ie);
            if (held) l.attrGone = true;
          },
        },
      },
    ],
  },
  {
    name: 'amdgpu-set-attr-without-gc-flush',
    invariant: 'reuse-keeps-new-attrs',
    description:
      'SET_ATTR without amdgpu_svm_gc_flush: started after the munmap returned, it sets attributes on the new mapping, ' +
      'and the GC of the old range, still queued, clears them: no order of the munmap and the SET_ATTR gives that',
    protocol: 'amdgpu-v3',
    config: MUNMAP_GC_REMAP,
    patches: [{ program: 'set_attr', label: 'gc_flush', replace: { guard: () => true } }],
  },
  {
    name: 'notifier-insert-ignores-invalidation',
    invariant: 'no-stale-pte',
    description:
      'mmu_interval_notifier_insert that starts the new notifier one seq behind even while an invalidation runs: the ' +
      'reclaim that began before the notifier existed never calls it, the fault\'s read_begin does not wait for that ' +
      'reclaim to end, and the fault maps the page the reclaim then replaces',
    protocol: 'xe',
    config: { ...base, notifierPages: 1, attrs: [{ start: 0, end: 2, value: 0 }], processes: [{ kind: 'fault', page: 0 }, { kind: 'invalidate', start: 0, end: 1 }] },
    patches: [
      {
        program: 'gpu_fault',
        label: 'fi_mn_insert',
        replace: {
          effect: (g, l) => {
            g.mnState[0] = MN_IN_TREE;
            g.mniSeq[0] = g.subSeq - 1;
            l.mnNew = true;
          },
        },
      },
    ],
  },
  {
    name: 'gc-notifier-remove-without-wait',
    invariant: 'no-callback-after-notifier-removed',
    description:
      'drm_gpusvm_range_remove removing the emptied notifier at once, without the deferral to the running invalidation: ' +
      'a reclaim that started over the notifier calls it after it is gone',
    protocol: 'xe',
    config: NOTIFIER_REMOVE_VS_INVALIDATE,
    patches: [{ program: 'gc_worker', label: 'gc_mn_remove', replace: { effect: (g) => void (g.mnState[0] = MN_REMOVED) } }],
  },
  {
    name: 'xe-madvise-remove-keeps-queued',
    invariant: 'range-removed-once',
    description:
      'xe_svm_unmap_address_range without its `list_del` from the GC list (as amdgpu V3 08/12 removes crossing ranges): ' +
      'a range the munmap queued after xe_svm_flush is removed by madvise, then again by the GC',
    protocol: 'xe',
    config: MUNMAP_GC_REMAP,
    patches: [
      {
        program: 'madvise',
        label: 'madvise_remove',
        replace: {
          effect: (g, l) => {
            const r = rangeStarting(g, l.range)!;
            unmapPages(r);
            removeRange(g, r.id, false);
            l.range = NONE;
          },
        },
      },
    ],
  },
  {
    name: 'gpusvm-fini-remove-without-wait',
    invariant: 'no-callback-after-notifier-removed',
    description:
      'mmu_interval_notifier_remove that takes the notifier out at once, without deferring it to the running ' +
      "invalidation's range_end and waiting for that: drm_gpusvm_fini goes on while a callback still runs",
    protocol: 'xe',
    config: { ...mapped, processes: [{ kind: 'teardown' }, { kind: 'invalidate', start: 0, end: 1 }] },
    patches: [{ program: 'teardown', label: 'fini_mn_remove', replace: { effect: (g) => void (g.mnState[0] = MN_REMOVED) } }],
  },
];

/** Device memory: one GPU with VRAM, pages holding data, a prefetch migrating both pages. */
const devmem = { ...base, attrs: [{ start: 0, end: 2, value: 1 }], devices: 1, initialData: [5, 6] } as const;
const prefetch = { kind: 'migrate', start: 0, end: 2, dev: 0 } as const;

export const DEVMEM_MUTANTS: readonly Mutant[] = [
  {
    name: 'evict-keeps-device-pages',
    invariant: 'one-owner-per-page',
    description: 'drm_pagemap_evict_to_ram maps the new system pages but never frees the device pages it copied from',
    protocol: 'xe',
    config: { ...devmem, processes: [prefetch, { kind: 'evict', dev: 0 }] },
    patches: [
      {
        program: 'evict',
        label: 'ev_finalize',
        replace: {
          effect: (g, l) => {
            for (const p of maskPages(l.is, l.mask)) {
              const pg = g.pages[p]!;
              pg.dev = NONE;
              pg.gen++;
              pg.locked = false;
              g.data[p] = l.pfns[p - l.is]!;
            }
            l.mask = 0;
          },
        },
      },
    ],
  },
  {
    name: 'evict-moves-buffer-in-use',
    invariant: 'devmem-alive-while-referenced',
    description: 'the memory manager moves the VRAM buffer without drm_pagemap_evict_to_ram emptying it first',
    protocol: 'xe',
    config: { ...devmem, processes: [prefetch, { kind: 'evict', dev: 0 }] },
    patches: [{ program: 'evict', label: 'ev_pick', replace: { next: 'ev_move' } }],
  },
  {
    name: 'copy-ignores-pre-migrate-fence',
    invariant: 'copy-after-idle',
    description: 'copy_to_devmem is queued without the pre_migrate_fence dependency: the copy may run before the clear',
    // xe: amdgpu's migration series has no pre_migrate_fence (Driver.copyAfterClear false), so its unpatched protocol violates this.
    protocol: 'xe',
    config: { ...devmem, processes: [prefetch] },
    patches: [
      {
        program: 'copy_engine',
        label: 'engine_copy',
        replace: {
          guard: (g) => g.devmem.some((d) => d.copyPending),
          choices: (g) => g.devmem.flatMap((d) => (d.copyPending ? [d.id] : [])),
        },
      },
    ],
  },
  {
    name: 'xe-skips-own-migrate-events',
    invariant: 'no-mapping-to-freed-vram',
    description: 'xe_svm_invalidate skips MMU_NOTIFY_MIGRATE events of its own pagemap owner: eviction leaves PTEs into the VRAM it frees',
    protocol: 'xe',
    config: { ...devmem, processes: [prefetch, { kind: 'fault', page: 0 }, { kind: 'evict', dev: 0 }] },
    patches: [
      { program: 'evict', label: 'ev_event_begin', replace: { effect: () => {} } },
      { program: 'evict', label: 'ev_event_end', replace: { effect: () => {} } },
    ],
  },
  {
    name: 'migrate-to-ram-without-copy',
    invariant: 'no-lost-write',
    description: 'drm_pagemap_migrate_to_ram installs fresh system pages without copy_to_ram',
    // xe: under amdgpu-v3-vram the copy racing the clear (copyAfterClear false) already loses writes.
    protocol: 'xe',
    config: { ...devmem, processes: [prefetch, { kind: 'cpu-fault', page: 0, value: 7 }] },
    patches: [{ program: 'cpu_fault', label: 'cf_copy', replace: { effect: (_g, l) => void (l.pfns = new Array<number>(l.ie - l.is).fill(0)) } }],
  },
  {
    name: 'second-instance-not-invalidated',
    invariant: 'invalidate-before-return',
    description: "with one drm_gpusvm per GPU, GPU 1's instance callback does nothing: its PTEs and DMA mappings survive reclaim",
    protocol: 'xe',
    config: {
      ...devmem,
      devices: 2,
      attrs: [{ start: 0, end: 2, value: 9 }],
      processes: [{ kind: 'fault', page: 0, dev: 1 }, { kind: 'invalidate', start: 0, end: 1 }],
    },
    patches: [
      { program: 'invalidate', label: 'event_begin1', replace: { effect: () => {} } },
      { program: 'invalidate', label: 'event_end1', replace: { effect: () => {} } },
    ],
  },
  {
    name: 'timeslice-never-expires',
    invariant: 'cpu-faults-terminate',
    description: 'migrate_to_ram refuses while the timeslice lasts, and the timeslice never ends: the CPU faults forever',
    protocol: 'amdgpu-v3-vram',
    config: { ...devmem, processes: [prefetch, { kind: 'cpu-fault', page: 0, value: 7 }] },
    liveness: true,
    // cf_timeslice without clearing the timeslice: it still unlocks and puts the faulting page.
    patches: [
      {
        program: 'cpu_fault',
        label: 'cf_timeslice',
        replace: {
          effect: (g, l) => {
            g.pages[l.fpage]!.locked = false;
            refDevicePage(g, l.alloc, l.fpage, -1);
          },
        },
      },
    ],
  },  {
    name: 'populate-puts-before-unlock',
    invariant: 'no-use-after-free',
    description:
      "xe_drm_pagemap_populate_mm drops its own buffer reference before xe_bo_unlock: a CPU fault that took every page " +
      "back meanwhile dropped the allocation's, so the unlock touches a freed buffer",
    protocol: 'xe',
    config: { ...devmem, processes: [prefetch, { kind: 'cpu-fault', page: 0, value: 7 }] },
    patches: [
      {
        program: 'prefetch_vram',
        label: 'mg_unlock',
        replace: {
          effect: (g, l) => {
            putBo(g, l.alloc);
            touchBo(g, l.alloc);
            g.mmUsers--;
          },
        },
      },
    ],
  },
  {
    name: 'populate-releases-on-error',
    invariant: 'no-double-put',
    description:
      'xe_drm_pagemap_populate_mm as XE-C has it, calling xe_svm_devmem_release when the migration failed, with a ' +
      'drm_pagemap_migrate_to_devmem that already consumed the allocation: its reference is put twice',
    protocol: 'xe',
    config: { ...devmem, processes: [prefetch, { kind: 'munmap', start: 0, end: 2 }] },
    patches: [
      {
        program: 'prefetch_vram',
        label: 'mg_unlock',
        replace: {
          effect: (g, l) => {
            if (l.ret !== OK) putBo(g, l.alloc);
            touchBo(g, l.alloc);
            putBo(g, l.alloc);
            g.mmUsers--;
          },
        },
      },
    ],
  },
  {
    name: 'populate-leaks-mm',
    invariant: 'no-leaked-reference',
    description: 'drm_pagemap_populate_mm returns without the mmput that pairs with its mmget_not_zero',
    protocol: 'xe',
    config: { ...devmem, processes: [prefetch] },
    patches: [
      {
        program: 'prefetch_vram',
        label: 'mg_unlock',
        replace: {
          effect: (g, l) => {
            touchBo(g, l.alloc);
            putBo(g, l.alloc);
          },
        },
      },
    ],
  },
  {
    name: 'evict-takes-no-reference',
    invariant: 'no-use-after-free',
    description:
      "TTM evicts the buffer without ttm_bo_get_unless_zero: once drm_pagemap_evict_to_ram freed every device page, " +
      "devmem_release dropped the buffer's last reference and the move touches freed memory",
    protocol: 'xe',
    config: { ...devmem, processes: [prefetch, { kind: 'evict', dev: 0 }] },
    patches: [
      {
        program: 'evict',
        label: 'ev_pick',
        replace: {
          effect: (_g, l, c) => {
            l.alloc = c.choice;
            l.mtries = 2;
          },
        },
      },
    ],
  },
];

export function mutantModel(m: Mutant): Model<SvmGlobals, SvmLocals> {
  return patchModel(svmModel(m.name, m.config, m.protocol), m.patches, `mutant ${m.name}`);
}

export function soundModel(m: Mutant): Model<SvmGlobals, SvmLocals> {
  return svmModel(m.name, m.config, m.protocol);
}

/** Every mutant: system memory first, then device memory. */
export const MUTANTS: readonly Mutant[] = [...SYSTEM_MUTANTS, ...DEVMEM_MUTANTS];
