// The SVM scenarios: each a small configuration with one sentence on the race it exercises.
// Sizes are scaled down: a chunk of 2 pages stands for SZ_2M, 1 page for SZ_4K.

import type { SvmConfig } from '../config.ts';

export interface SvmScenario {
  readonly name: string;
  readonly description: string;
  readonly config: SvmConfig;
  /** Steps this scenario cannot take (either protocol), and why. */
  readonly expectedUntaken?: Readonly<Record<string, string>>;
}

const NO_UNMAP = 'no UNMAP in this scenario, so nothing is queued for the GC';
/** Steps that only an UNMAP makes takeable. */
const noUnmap = {
  'gpu_fault/gc_remove': NO_UNMAP,
  'gpu_fault/gc_clear_attrs': NO_UNMAP,
  'gpu_fault/gc_unbind': NO_UNMAP,
  'gpu_fault/gc_reset_attrs': NO_UNMAP,
  'gpu_fault/drop_stale': 'no UNMAP in this scenario, so no stale-fault checkpoint is captured',
};

const base = {
  pages: 2,
  chunkSizes: [2, 1],
  mapRetries: 3,
  granularity: 2,
  vmas: [[0, 2]],
  attrs: [],
  premapped: [],
} as const satisfies Omit<SvmConfig, 'processes'>;

export const SVM_SCENARIOS: readonly SvmScenario[] = [
  {
    name: 'fault-vs-munmap',
    description: 'a GPU fault maps a range while the CPU unmaps all of it and the GC collects it',
    config: { ...base, processes: [{ kind: 'fault', page: 0 }, { kind: 'munmap', start: 0, end: 2 }, { kind: 'gc-worker' }] },
  },
  {
    name: 'fault-vs-partial-munmap',
    description: 'a GPU fault maps a 2-page range while the CPU unmaps one of its pages (partial unmap, no split)',
    config: { ...base, processes: [{ kind: 'fault', page: 0 }, { kind: 'munmap', start: 1, end: 2 }, { kind: 'gc-worker' }] },
    expectedUntaken: {
      'gpu_fault/find_or_insert':
        'no range exists before the fault, and every retry follows an UNMAP that queued the range for the GC run first, so the retry creates a new one',
    },
  },
  {
    name: 'two-faults',
    description: 'two GPU faults on the pages of one range, serialized by the driver lock, with a page reclaimed meanwhile',
    config: {
      ...base,
      processes: [{ kind: 'fault', page: 0 }, { kind: 'fault', page: 1 }, { kind: 'invalidate', start: 1, end: 2 }],
    },
    expectedUntaken: noUnmap,
  },
  {
    name: 'fault-vs-set-attr',
    description: 'a GPU fault on a mapped range while SET_ATTR splits its attribute range (D-3: split and apply not atomic)',
    config: {
      ...base,
      attrs: [{ start: 0, end: 2, value: 0 }],
      processes: [{ kind: 'fault', page: 0 }, { kind: 'set-attr', start: 1, end: 2, value: 1 }],
    },
    expectedUntaken: {
      ...noUnmap,
      'gpu_fault/unregistered_vma': 'the faulting address has registered attributes',
      'gpu_fault/unregistered_insert': 'the faulting address has registered attributes',
      'gpu_fault/find_or_insert': 'the only fault creates its range and never retries (no CPU invalidation)',
      'gpu_fault/um_unlock_pd_again': 'no CPU invalidation, so pages stay valid until the commit',
      'gpu_fault/bind_unlock_vm_again': 'no CPU invalidation, so pages stay valid until the commit',
    },
  },
  {
    name: 'munmap-gc-remap',
    description: 'a mapped range with attributes is unmapped, the VA mapped again and given attributes while the GC collects the old range',
    config: {
      ...base,
      attrs: [{ start: 0, end: 2, value: 2 }],
      premapped: [[0, 2]],
      processes: [
        { kind: 'munmap', start: 0, end: 2 },
        { kind: 'gc-worker' },
        { kind: 'remap', start: 0, end: 2 },
        { kind: 'set-attr', start: 0, end: 1, value: 1 },
      ],
    },
  },
  {
    name: 'fault-vs-invalidate',
    description: 'a GPU fault commits a range while reclaim replaces one of its pages (MMU_NOTIFY_CLEAR), and the GPU writes to it',
    config: {
      ...base,
      processes: [{ kind: 'fault', page: 0 }, { kind: 'invalidate', start: 0, end: 1 }, { kind: 'gpu-write', page: 0, value: 1 }],
    },
    expectedUntaken: noUnmap,
  },
  {
    name: 'prefetch-vs-invalidate',
    description: 'the SET_ATTR prefetch trigger splits an attribute range and maps the interval while reclaim invalidates one of its pages',
    config: {
      ...base,
      pages: 3,
      vmas: [[0, 3]],
      attrs: [{ start: 0, end: 3, value: 0 }],
      processes: [{ kind: 'set-attr', start: 0, end: 2, value: 1, prefetch: true }, { kind: 'invalidate', start: 1, end: 2 }],
    },
  },
  {
    name: 'default',
    description: 'two GPU faults against a partial munmap, a reclaim and a SET_ATTR split, with the GC worker',
    config: {
      ...base,
      attrs: [{ start: 0, end: 2, value: 0 }],
      processes: [
        { kind: 'fault', page: 0 },
        { kind: 'fault', page: 1 },
        { kind: 'munmap', start: 1, end: 2 },
        { kind: 'invalidate', start: 0, end: 1 },
        { kind: 'gc-worker' },
        { kind: 'set-attr', start: 0, end: 1, value: 1 },
      ],
    },
    expectedUntaken: {
      'gpu_fault/unregistered_insert': 'every mapped address has registered attributes; the unmapped page is never mapped again',
    },
  },
];
