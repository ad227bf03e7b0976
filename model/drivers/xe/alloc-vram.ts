// xe_svm_alloc_vram with "drm/xe/svm: Serialize migration to device if racing" (XE-SERIALIZE,
// DOMAIN.md §3.6 item 4): drm_pagemap_populate_mm under the module-wide driver_migrate_lock held
// for read; on -EBUSY the lock is dropped and taken for write, drm_gpusvm_range_evict moves the
// interval's device pages back to RAM, and the migration is tried once more.
// XE-SERIALIZE is a posted series, not merged into any stored xe_svm.c: at XE-C (0131514f)
// xe_svm_alloc_vram is a single drm_pagemap_populate_mm call with no retry and no lock. Its base
// (the multi-device series) also adds a drm_gpusvm_scan_mm "already migrated" shortcut before the
// lock, not modeled (its outcome equals mg_cpages finding every page already in this pagemap).

import type { SvmConfig } from '../../config.ts';
import type { Driver } from '../../driver.ts';
import { acquire, release } from '../../locks.ts';
import type { Interval } from '../../queries.ts';
import { EBUSY, OK, type SvmLocals } from '../../state.ts';
import { migrateToDevmemSteps } from '../../steps/migrate-to-devmem.ts';
import { rangeEvictSteps } from '../../steps/range-evict.ts';
import { exitStep, joined, type Exit, type SvmStep } from '../../steps/types.ts';
import { cite } from '../../sources.ts';
import { DRIVER_MIGRATE } from './locks.ts';
import { XE_SERIALIZE } from './sources.ts';

export interface AllocVramExits {
  readonly ok: Exit;
  /** The migration failed (after the retry, or -ENOENT/-EINVAL). */
  readonly fail: Exit;
}

/** xe_svm_alloc_vram for the interval target(g, l) to device l.dev (one of `devs`, default any). */
export function allocVramSteps(d: Driver, cfg: SvmConfig, target: Interval, x: AllocVramExits, devs?: readonly number[]): SvmStep[] {
  // l.mtries: 1 while driver_migrate_lock is held for read (a retry left), 0 once it is held for write.
  const afterMigrate = (l: SvmLocals): string => (l.mtries > 0 ? (l.ret === EBUSY ? 'av_up_read' : 'av_unlock_read') : 'av_unlock_write');
  const leave = (l: SvmLocals): Exit => (l.ret === OK ? x.ok : x.fail);
  // Either way out: the caller's ok or fail exit, chosen by the migration's return code.
  const out: Exit = {
    reads: joined(undefined, x.ok.reads, x.fail.reads),
    writes: joined(undefined, x.ok.writes, x.fail.writes),
    effect: (l, g) => leave(l).effect?.(l, g),
    to: (l) => leave(l).to(l),
  };
  return [
    {
      label: 'av_lock_read',
      kernelFn: 'xe_svm_alloc_vram: down_read(driver_migrate_lock)',
      cite: [cite(XE_SERIALIZE, 'xe_svm_alloc_vram', '\terr = down_read_interruptible(&driver_migrate_lock);\n\tif (err)\n\t\treturn err;')],
      locks: [acquire(DRIVER_MIGRATE, 'read')],
      effect: (_g, l) => void (l.mtries = 1),
      next: 'mg_mmap_lock',
    },
    ...migrateToDevmemSteps(cfg, { prefix: 'mg_', target, driver: d, ...(devs ? { devs } : {}) }, { ok: { to: afterMigrate }, busy: { to: afterMigrate }, fail: { to: afterMigrate } }),
    {
      label: 'av_up_read',
      kernelFn: 'xe_svm_alloc_vram: -EBUSY, up_read(driver_migrate_lock)',
      cite: [cite(XE_SERIALIZE, 'xe_svm_alloc_vram', '\t\tif (err == -EBUSY && retries) {\n\t\t\tif (!write_locked) {\n\t\t\t\tint lock_err;\n\n\t\t\t\tup_read(&driver_migrate_lock);')],
      locks: [release(DRIVER_MIGRATE, 'read')],
      next: 'av_down_write',
    },
    {
      label: 'av_down_write',
      kernelFn: 'xe_svm_alloc_vram: down_write(driver_migrate_lock)',
      note: 'no other device migrates now; evict the range to RAM and try once more',
      cite: [
        cite(XE_SERIALIZE, 'xe_svm_alloc_vram', '\t\t\t\tlock_err = down_write_killable(&driver_migrate_lock);\n\t\t\t\tif (lock_err)\n\t\t\t\t\treturn lock_err;\n\t\t\t\twrite_locked = true;'),
        cite(XE_SERIALIZE, 'xe_svm_alloc_vram', '\t\t\tdrm_gpusvm_range_evict(range->base.gpusvm, &range->base);\n\t\t}\n\t} while (err == -EBUSY && retries--);'),
      ],
      locks: [acquire(DRIVER_MIGRATE, 'write')],
      effect: (_g, l) => void (l.mtries = 0),
      next: 're_start',
    },
    ...rangeEvictSteps(cfg, d, target, 'mg_mmap_lock'),
    exitStep(
      {
        label: 'av_unlock_read',
        kernelFn: 'xe_svm_alloc_vram: up_read(driver_migrate_lock)',
        cite: [cite(XE_SERIALIZE, 'xe_svm_alloc_vram', '\tif (write_locked)\n\t\tup_write(&driver_migrate_lock);\n\telse\n\t\tup_read(&driver_migrate_lock);')],
        locks: [release(DRIVER_MIGRATE, 'read')],
      },
      out,
    ),
    exitStep(
      {
        label: 'av_unlock_write',
        kernelFn: 'xe_svm_alloc_vram: up_write(driver_migrate_lock)',
        cite: [cite(XE_SERIALIZE, 'xe_svm_alloc_vram', '\tif (write_locked)\n\t\tup_write(&driver_migrate_lock);')],
        locks: [release(DRIVER_MIGRATE, 'write')],
      },
      out,
    ),
  ];
}
