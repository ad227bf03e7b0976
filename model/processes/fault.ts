// The GPU page-fault handler (DOMAIN.md §3.1), one program per protocol.

import type { Program } from '../../explorer/index.ts';
import { attrPolicy, devices, type SvmConfig } from '../config.ts';
import { wantsVram } from '../devmem.ts';
import { devicesOf, GPU0, suffix, type Gpu } from '../gpu.ts';
import { ATTR, MMAP, acquire, driverLock, notifierLock, release, section } from '../locks.ts';
import { attrAt, attrHole, attrValue, pagesOf, pagesValid, rangeInterval, rangeStarting, vmaAt } from '../queries.ts';
import { EFAULT, EINVAL, NONE, OK, type SvmGlobals, type SvmLocals } from '../state.ts';
import { allocVramSteps } from '../steps/alloc-vram.ts';
import { findOrInsertSteps } from '../steps/find-or-insert.ts';
import { gcLoopSteps } from '../steps/gc.ts';
import { getPagesSteps } from '../steps/get-pages.ts';
import { amdgpuUpdateMappingSteps, xeBindSteps } from '../steps/map.ts';
import { goto, type Exit, type SvmStep } from '../steps/types.ts';

type P = Program<SvmGlobals, SvmLocals>;

/**
 * amdgpu RFC V3: amdgpu_svm_handle_fault -> amdgpu_svm_range_map_fault. The PASID lookup and
 * the stale-fault filter, then everything under svm_lock(W). map_fault retries get_pages
 * failures and -EAGAIN from the commit while retry_count lasts; handle_fault then goes back to
 * its own `retry:` without a bound (D-4). Not modeled: the 2 ms validate_timestamp de-dup (it
 * only returns without mapping), migration (TODO in V3).
 */
export function amdgpuFault(cfg: SvmConfig, gpu: Gpu = GPU0): P {
  const svm = driverLock('amdgpu-v3', gpu.inst);
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
      ...gcLoopSteps('amdgpu-v3', attrPolicy(cfg, 'amdgpu-v3'), 'find_or_insert', gpu.inst, devicesOf(cfg, gpu.inst)),
      ...findOrInsertSteps(cfg, { found: goto('is_valid'), none: goto('unlock_svm') }, gpu),
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
      ...getPagesSteps({ ok: goto('um_lock_pd'), fail: retryMap }, gpu, { cfg, protocol: 'amdgpu-v3' }),
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

/**
 * xe: xe_svm_handle_pagefault -> __xe_svm_handle_pagefault under vm->lock(W). GC first, then
 * find_or_insert bounded by the CPU-address-mirror VMA, the advisory validity check (no lock),
 * get_pages, and the bind whose pre-commit re-checks pages valid under the notifier lock.
 * Every failure goes back to `retry:` (no bound without devmem).
 */
export function xeFault(cfg: SvmConfig, gpu: Gpu = GPU0): P {
  const vm = driverLock('xe', gpu.inst);
  const devmem = devices(cfg) > 0;
  return {
    name: `gpu_fault${suffix(gpu.dev)}`,
    start: 'lock_vm',
    steps: [
      {
        label: 'lock_vm',
        kernelFn: 'xe_svm_handle_pagefault: down_write(vm->lock)',
        locks: [acquire(vm)],
        // migrate_try_count = devmem_only ? 3 : 1 (faults here are not devmem_only).
        effect: (_g, l) => void (l.tries = cfg.migrateTries ?? 1),
        next: 'gc_dequeue',
      },
      ...gcLoopSteps('xe', attrPolicy(cfg, 'xe'), 'vma_lookup', gpu.inst, devicesOf(cfg, gpu.inst)),
      {
        label: 'vma_lookup',
        kernelFn: 'xe_vm_find_vma_by_addr (CPU-address-mirror VMA)',
        note: 'its bounds bound any new range; not a mirror VMA: -EINVAL',
        reads: ['attrs'],
        effect: (g, l) => {
          const a = attrAt(g, l.page);
          l.ret = a ? OK : EINVAL;
          if (a) {
            l.lo = a.start;
            l.hi = a.end;
          }
        },
        next: (_g, l) => (l.ret === OK ? 'find_or_insert' : 'unlock_vm'),
      },
      ...findOrInsertSteps(cfg, { found: goto('is_valid'), none: goto('unlock_vm') }, gpu),
      {
        label: 'is_valid',
        kernelFn: 'xe_svm_range_is_valid',
        note: 'tile_present & ~tile_invalidated, read without the notifier lock (advisory)',
        reads: ['ranges'],
        effect: (g, l) => {
          const pg = pagesOf(rangeStarting(g, l.range, gpu.inst)!, gpu.slot);
          l.ret = pg.mapped && !pg.invalidated ? OK : EINVAL;
        },
        next: (_g, l) => (l.ret === OK ? 'unlock_vm' : devmem ? 'needs_migrate' : 'gp_read_begin'),
      },
      ...(devmem ? xeMigrateSteps(cfg, gpu) : []),
      ...getPagesSteps({ ok: goto('bind_lock_vm'), fail: goto('gc_dequeue') }, gpu, { cfg, protocol: 'xe' }),
      ...xeBindSteps({ ok: goto('unlock_vm'), again: goto('gc_dequeue') }, gpu),
      { label: 'unlock_vm', kernelFn: 'up_write(vm->lock)', locks: [release(vm)], effect: (_g, l) => void (l.rid = NONE), next: 'done' },
    ],
  };
}

/**
 * xe with device memory: `--migrate_try_count >= 0 && xe_svm_range_needs_migrate_to_vram` runs
 * xe_svm_alloc_vram; an error goes back to `retry:` (timeslice doubled, not modeled), where the
 * exhausted try count then maps from system memory.
 */
function xeMigrateSteps(cfg: SvmConfig, gpu: Gpu): SvmStep[] {
  return [
    {
      label: 'needs_migrate',
      kernelFn: 'xe_svm_range_needs_migrate_to_vram (--migrate_try_count >= 0)',
      note: 'migrate_devmem, the preferred location is this device\'s VRAM, and the range is not already there',
      reads: ['ranges', 'attrs', 'pages', 'devmem'],
      effect: (_g, l) => {
        l.tries--;
        l.dev = gpu.dev;
      },
      next: (g, l) => {
        const r = rangeStarting(g, l.range, gpu.inst)!;
        return l.tries >= 0 && wantsVram(g, r, 'xe', attrValue(g, l.page), gpu.dev) ? 'av_lock_read' : 'gp_read_begin';
      },
    },
    ...allocVramSteps(cfg, rangeInterval(gpu.inst), { ok: goto('gp_read_begin'), fail: goto('gc_dequeue') }, [gpu.dev]),
  ];
}
