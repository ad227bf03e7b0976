// The amdgpu RFC V3 GPU page-fault handler (DOMAIN.md §3.1; V3 11/12 amdgpu_svm_fault.c).

import type { Program } from '../../../explorer/index.ts';
import type { SvmConfig } from '../../config.ts';
import { driverLock, type Driver } from '../../driver.ts';
import { devicesOf, GPU0, suffix, type Gpu } from '../../gpu.ts';
import { MMAP, acquire, notifierLock, release, section } from '../../locks.ts';
import { attrAt, attrHole, pagesOf, pagesValid, rangeStarting, vmaAt } from '../../queries.ts';
import { EFAULT, EINVAL, NONE, OK, type SvmGlobals, type SvmLocals } from '../../state.ts';
import { findOrInsertSteps } from '../../steps/find-or-insert.ts';
import { getPagesSteps } from '../../steps/get-pages.ts';
import { goto, type Exit } from '../../steps/types.ts';
import { ATTR } from './locks.ts';
import { amdgpuUpdateMappingSteps } from './update-mapping.ts';

type P = Program<SvmGlobals, SvmLocals>;

/**
 * amdgpu RFC V3: amdgpu_svm_handle_fault -> amdgpu_svm_range_map_fault. The PASID lookup and
 * the stale-fault filter, then everything under svm_lock(W). map_fault retries get_pages
 * failures and -EAGAIN from the commit while retry_count lasts; handle_fault then goes back to
 * its own `retry:` without a bound (D-4). Not modeled: the 2 ms validate_timestamp de-dup (it
 * only returns without mapping), migration (TODO in V3).
 */
export function amdgpuFault(d: Driver, cfg: SvmConfig, gpu: Gpu = GPU0): P {
  const svm = driverLock(d, gpu.inst);
  const NOTIFIER = notifierLock(gpu.inst);
  const retryMap: Exit = { effect: (l) => void l.tries--, to: (l) => (l.tries >= 0 ? 'gc_dequeue' : 'unlock_svm') };
  const retryFault: Exit = { effect: (l) => void l.tries--, to: (l) => (l.tries >= 0 ? 'gc_dequeue' : 'attr_bounds') };
  return {
    name: `gpu_fault${suffix(gpu.dev)}`,
    start: 'lookup',
    steps: [
      {
        label: 'lookup',
        kernelFn: 'amdgpu_svm_lookup_by_pasid + stale-fault filter (clear checkpoint_ts)',
        note: 'the fault is not older than the checkpoint: it clears checkpoint_ts and is handled',
        reads: ['checkpoint'],
        writes: ['checkpoint'],
        effect: (g) => void (g.checkpoint = false),
        next: 'lock_svm',
      },
      {
        label: 'drop_stale',
        at: 'lookup',
        kernelFn: 'stale-fault filter: amdgpu_gmc_filter_faults_remove, return 0',
        note: 'an UNMAP captured checkpoint_ts and the fault is at or after it: dropped (the GPU retries); the timestamp is not modeled, so both outcomes are explored',
        reads: ['checkpoint'],
        guard: (g) => g.checkpoint,
        next: 'done',
      },
      { label: 'lock_svm', kernelFn: 'amdgpu_svm_handle_fault: down_write(svm_lock)', locks: [acquire(svm)], next: 'attr_bounds' },
      {
        label: 'attr_bounds',
        kernelFn: 'amdgpu_svm_attr_get_bounds_locked',
        note: 'the attribute range around the fault bounds any new range; none: unregistered address',
        locks: section(ATTR),
        reads: ['attrs'],
        effect: (g, l) => {
          const a = attrAt(g, l.page);
          l.tries = cfg.mapRetries;
          l.ret = OK;
          if (a) {
            l.lo = a.start;
            l.hi = a.end;
          }
        },
        next: (g, l) => (attrAt(g, l.page) ? 'gc_dequeue' : 'unregistered_vma'),
      },
      {
        label: 'unregistered_vma',
        kernelFn: 'amdgpu_svm_range_get_unregistered_attrs (vma_lookup)',
        note: 'default bounds: the granularity-aligned block around the fault, clamped to the VMA; no VMA: return 0',
        locks: section(MMAP, 'read'),
        reads: ['pages'],
        effect: (g, l) => {
          const vma = vmaAt(g, l.page);
          if (!vma) {
            l.ret = EFAULT;
            return;
          }
          const block = Math.floor(l.page / cfg.granularity) * cfg.granularity;
          l.lo = Math.max(block, vma[0]);
          l.hi = Math.min(block + cfg.granularity, vma[1]);
        },
        next: (_g, l) => (l.ret === EFAULT ? 'unlock_svm' : 'unregistered_insert'),
      },
      {
        label: 'unregistered_insert',
        kernelFn: 'amdgpu_svm_range_get_unregistered_attrs (insert default attributes)',
        note: 'clamped to the hole around the fault; if a range appeared meanwhile, its bounds are used',
        locks: section(ATTR),
        reads: ['attrs', 'pages'],
        writes: ['attrs'],
        effect: (g, l) => {
          const a = attrAt(g, l.page);
          if (a) {
            l.lo = a.start;
            l.hi = a.end;
            return;
          }
          const [hs, he] = attrHole(g.attrs, l.page, g.pages.length);
          l.lo = Math.max(l.lo, hs);
          l.hi = Math.min(l.hi, he);
          const i = g.attrs.findIndex((x) => x.start > l.lo);
          g.attrs.splice(i < 0 ? g.attrs.length : i, 0, { start: l.lo, end: l.hi, value: 0 });
        },
        next: 'gc_dequeue',
      },
      ...d.programs.gcLoop(d, cfg, 'find_or_insert', gpu.inst, devicesOf(cfg, gpu.inst)),
      ...findOrInsertSteps(cfg, { found: goto('is_valid'), none: goto('unlock_svm') }, gpu, d.devmemPossible(cfg)),
      {
        label: 'is_valid',
        kernelFn: 'amdgpu_svm_range_is_valid',
        note: 'gpu_mapped and pages valid, read under notifier_lock(R): return 0 without mapping (R-4: the answer is stale once the lock drops)',
        locks: section(NOTIFIER, 'read'),
        reads: ['ranges'],
        effect: (g, l) => {
          const r = rangeStarting(g, l.range, gpu.inst)!;
          const pg = pagesOf(r, gpu.slot);
          l.ret = pg.mapped && pagesValid(pg) && !r.unmapped && !r.partialUnmap ? OK : EINVAL;
        },
        next: (_g, l) => (l.ret === OK ? 'unlock_svm' : 'gp_read_begin'),
      },
      // A peer GPU's device pages exist only where this driver can migrate at all.
      ...getPagesSteps({ ok: goto('um_lock_pd'), fail: retryMap }, gpu, d.devmemPossible(cfg) ? { cfg, driver: d } : undefined),
      ...amdgpuUpdateMappingSteps({ ok: goto('unlock_svm'), again: retryFault }, gpu),
      {
        label: 'unlock_svm',
        kernelFn: 'up_write(svm_lock); amdgpu_svm_put',
        locks: [release(svm)],
        effect: (_g, l) => void (l.rid = NONE),
        next: 'done',
      },
    ],
  };
}
