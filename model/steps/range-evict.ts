// drm_gpusvm_range_evict (DOMAIN.md §3.9): hmm_range_fault over the interval with
// HMM_PFN_REQ_FAULT and no device-private owner, so every device-private page faults through
// migrate_to_ram; hmm_range_fault returns -EBUSY and is called again until none is left. It
// holds an mm reference throughout, which its -ENOMEM return leaks (DOMAIN.md §5 bug 2, still
// in GPUSVM_C; fixed by <20260714170025.3487974-1-matthew.brost@intel.com>).

import { memoryType, type SvmConfig } from '../config.ts';
import type { Driver } from '../driver.ts';
import { MMAP, acquire, release } from '../locks.ts';
import type { Interval } from '../queries.ts';
import { ENOMEM, NONE, OK, type SvmGlobals, type SvmLocals } from '../state.ts';
import { cite, GPUSVM_C } from '../sources.ts';
import { migrateToRamSteps } from './migrate-to-ram.ts';
import { joined, type SvmStep } from './types.ts';

/**
 * drm_gpusvm_range_evict over target(g, l), entered at `${prefix}start`; `done` is where it goes
 * when it returns (no device page left, or -ENOMEM: every caller ignores the return value).
 * Its labels start with `prefix` (a program with two callers names them apart).
 */
export function rangeEvictSteps(cfg: SvmConfig, driver: Driver, target: Interval, done: string, prefix = 're_'): SvmStep[] {
  const P = (label: string): string => prefix + label;
  const firstDevicePage = (g: SvmGlobals, l: SvmLocals): number => {
    if (memoryType(cfg) === 'coherent') return NONE; // hmm_range_fault maps coherent pages as they are
    const [s, e] = target(g, l);
    for (let p = s; p < e; p++) if (g.pages[p]!.mapped && g.pages[p]!.dev !== NONE) return p;
    return NONE;
  };
  return [
    {
      label: P('start'),
      kernelFn: 'drm_gpusvm_range_evict: mmget_not_zero + kvmalloc_array(pfns)',
      note: 'with allocFailures, the array may not be allocated: -ENOMEM, returned without mmput',
      cite: [cite(GPUSVM_C, 'drm_gpusvm_range_evict', '\tif (!mmget_not_zero(mm))\n\t\treturn -EFAULT;\n\n\tpfns = kvmalloc_array(npages, sizeof(*pfns), GFP_KERNEL);\n\tif (!pfns)\n\t\treturn -ENOMEM;')],
      mayAlloc: true,
      reads: ['mmUsers'],
      writes: ['mmUsers'],
      choices: () => (cfg.allocFailures ? [0, 1] : [0]),
      effect: (g, l, c) => {
        g.mmUsers++;
        l.ret = c.choice === 1 ? ENOMEM : OK;
      },
      next: (_g, l) => (l.ret === ENOMEM ? done : P('hmm_fault')),
    },
    {
      label: P('hmm_fault'),
      kernelFn: 'drm_gpusvm_range_evict: hmm_range_fault(HMM_PFN_REQ_FAULT, dev_private_owner = NULL)',
      note: 'faults the first device-private page of the range (migrate_to_ram); none left: done',
      cite: [
        cite(GPUSVM_C, 'drm_gpusvm_range_evict', '\t\t.default_flags = HMM_PFN_REQ_FAULT,\n\t\t.notifier = notifier,\n\t\t.start = drm_gpusvm_range_start(range),\n\t\t.end = drm_gpusvm_range_end(range),\n\t\t.dev_private_owner = NULL,'),
        cite(GPUSVM_C, 'drm_gpusvm_range_evict', '\t\tmmap_read_lock(mm);\n\t\terr = hmm_range_fault(&hmm_range);\n\t\tmmap_read_unlock(mm);\n\t\tif (err != -EBUSY)\n\t\t\tbreak;'),
      ],
      locks: [acquire(MMAP, 'read')],
      reads: joined(['pages'], target.reads),
      guard: (g, l) => {
        const [s, e] = target(g, l);
        return g.pages.slice(s, e).every((p) => !p.locked);
      },
      effect: (g, l) => void (l.fpage = firstDevicePage(g, l)),
      next: (_g, l) => (l.fpage === NONE ? P('done') : P('lock_page')),
    },
    ...migrateToRamSteps(cfg, driver, prefix, P('retry')),
    {
      label: P('retry'),
      kernelFn: 'hmm_range_fault returned -EBUSY: mmap_read_unlock, call it again',
      cite: [cite(GPUSVM_C, 'drm_gpusvm_range_evict', '\twhile (!time_after(jiffies, timeout)) {\n\t\thmm_range.notifier_seq = mmu_interval_read_begin(notifier);')],
      locks: [release(MMAP, 'read')],
      next: P('hmm_fault'),
    },
    {
      label: P('done'),
      kernelFn: 'drm_gpusvm_range_evict: mmap_read_unlock + mmput',
      cite: [cite(GPUSVM_C, 'drm_gpusvm_range_evict', '\tkvfree(pfns);\n\tmmput(mm);\n\n\treturn err;')],
      locks: [release(MMAP, 'read')],
      reads: ['mmUsers'],
      writes: ['mmUsers'],
      effect: (g) => void g.mmUsers--,
      next: done,
    },
  ];
}

