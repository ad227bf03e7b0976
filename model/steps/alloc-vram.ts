// xe_svm_alloc_vram with "drm/xe/svm: Serialize migration to device if racing" (XE-SERIALIZE,
// DOMAIN.md §3.6 item 4): drm_pagemap_populate_mm under the module-wide driver_migrate_lock held
// for read; on -EBUSY the lock is dropped and taken for write, drm_gpusvm_range_evict moves the
// interval's device pages back to RAM, and the migration is tried once more.
//
// drm_gpusvm_range_evict (DOMAIN.md §3.9): hmm_range_fault over the interval with
// HMM_PFN_REQ_FAULT and no device-private owner, so every device-private page faults through
// migrate_to_ram; hmm_range_fault returns -EBUSY and is called again until none is left.

import type { SvmConfig } from '../config.ts';
import { DRIVER_MIGRATE, MMAP, acquire, release } from '../locks.ts';
import { memoryType } from '../config.ts';
import type { Interval } from '../queries.ts';
import { EBUSY, NONE, OK, type SvmGlobals, type SvmLocals } from '../state.ts';
import { migrateToDevmemSteps } from './migrate-to-devmem.ts';
import { migrateToRamSteps } from './migrate-to-ram.ts';
import { joined, type Exit, type SvmStep } from './types.ts';

export interface AllocVramExits {
  readonly ok: Exit;
  /** The migration failed (after the retry, or -ENOENT/-EINVAL). */
  readonly fail: Exit;
}

type Target = Interval;

/** drm_gpusvm_range_evict over target(g, l); `done` is where it goes when no device page is left. */
export function rangeEvictSteps(cfg: SvmConfig, target: Target, done: string): SvmStep[] {
  const firstDevicePage = (g: SvmGlobals, l: SvmLocals): number => {
    if (memoryType(cfg) === 'coherent') return NONE; // hmm_range_fault maps coherent pages as they are
    const [s, e] = target(g, l);
    for (let p = s; p < e; p++) if (g.pages[p]!.mapped && g.pages[p]!.dev !== NONE) return p;
    return NONE;
  };
  return [
    {
      label: 're_hmm_fault',
      kernelFn: 'drm_gpusvm_range_evict: hmm_range_fault(HMM_PFN_REQ_FAULT, dev_private_owner = NULL)',
      note: 'faults the first device-private page of the range (migrate_to_ram); none left: done',
      locks: [acquire(MMAP, 'read')],
      reads: joined(['pages'], target.reads),
      guard: (g, l) => {
        const [s, e] = target(g, l);
        return g.pages.slice(s, e).every((p) => !p.locked);
      },
      effect: (g, l) => void (l.fpage = firstDevicePage(g, l)),
      next: (_g, l) => (l.fpage === NONE ? 're_done' : 're_lock_page'),
    },
    ...migrateToRamSteps(cfg, 'xe', 're_', 're_retry'),
    {
      label: 're_retry',
      kernelFn: 'hmm_range_fault returned -EBUSY: mmap_read_unlock, call it again',
      locks: [release(MMAP, 'read')],
      next: 're_hmm_fault',
    },
    { label: 're_done', kernelFn: 'drm_gpusvm_range_evict: mmap_read_unlock + mmput', locks: [release(MMAP, 'read')], next: done },
  ];
}

/** xe_svm_alloc_vram for the interval target(g, l) to device l.dev (one of `devs`, default any). */
export function allocVramSteps(cfg: SvmConfig, target: Target, x: AllocVramExits, devs?: readonly number[]): SvmStep[] {
  // l.mtries: 1 while driver_migrate_lock is held for read (a retry left), 0 once it is held for write.
  const afterMigrate = (l: SvmLocals): string => (l.mtries > 0 ? (l.ret === EBUSY ? 'av_up_read' : 'av_unlock_read') : 'av_unlock_write');
  const leave = (l: SvmLocals): Exit => (l.ret === OK ? x.ok : x.fail);
  return [
    {
      label: 'av_lock_read',
      kernelFn: 'xe_svm_alloc_vram: down_read(driver_migrate_lock)',
      locks: [acquire(DRIVER_MIGRATE, 'read')],
      effect: (_g, l) => void (l.mtries = 1),
      next: 'mg_mmap_lock',
    },
    ...migrateToDevmemSteps(cfg, { prefix: 'mg_', target, protocol: 'xe', ...(devs ? { devs } : {}) }, { ok: { to: afterMigrate }, busy: { to: afterMigrate }, fail: { to: afterMigrate } }),
    { label: 'av_up_read', kernelFn: 'xe_svm_alloc_vram: -EBUSY, up_read(driver_migrate_lock)', locks: [release(DRIVER_MIGRATE, 'read')], next: 'av_down_write' },
    {
      label: 'av_down_write',
      kernelFn: 'xe_svm_alloc_vram: down_write(driver_migrate_lock)',
      note: 'no other device migrates now; evict the range to RAM and try once more',
      locks: [acquire(DRIVER_MIGRATE, 'write')],
      effect: (_g, l) => void (l.mtries = 0),
      next: 're_hmm_fault',
    },
    ...rangeEvictSteps(cfg, target, 'mg_mmap_lock'),
    {
      label: 'av_unlock_read',
      kernelFn: 'xe_svm_alloc_vram: up_read(driver_migrate_lock)',
      locks: [release(DRIVER_MIGRATE, 'read')],
      reads: joined(undefined, x.ok.reads, x.fail.reads),
      writes: joined(undefined, x.ok.writes, x.fail.writes),
      effect: (g, l) => leave(l).effect?.(l, g),
      next: (_g, l) => leave(l).to(l),
    },
    {
      label: 'av_unlock_write',
      kernelFn: 'xe_svm_alloc_vram: up_write(driver_migrate_lock)',
      locks: [release(DRIVER_MIGRATE, 'write')],
      reads: joined(undefined, x.ok.reads, x.fail.reads),
      writes: joined(undefined, x.ok.writes, x.fail.writes),
      effect: (g, l) => leave(l).effect?.(l, g),
      next: (_g, l) => leave(l).to(l),
    },
  ];
}
