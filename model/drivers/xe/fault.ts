// The xe GPU page-fault handler (DOMAIN.md §3.1; xe_svm.c xe_svm_handle_pagefault).

import type { Program } from '../../../explorer/index.ts';
import { devices, type SvmConfig } from '../../config.ts';
import { wantsVram } from '../../devmem.ts';
import { driverLock, type Driver } from '../../driver.ts';
import { devicesOf, GPU0, suffix, type Gpu } from '../../gpu.ts';
import { acquire, release } from '../../locks.ts';
import { attrAt, attrValue, pagesOf, rangeInterval, rangeStarting } from '../../queries.ts';
import { EINVAL, LIVE, NONE, OK, type SvmGlobals, type SvmLocals } from '../../state.ts';
import { findOrInsertSteps } from '../../steps/find-or-insert.ts';
import { getPagesSteps } from '../../steps/get-pages.ts';
import { goto, type SvmStep } from '../../steps/types.ts';
import { cite } from '../../sources.ts';
import { allocVramSteps } from './alloc-vram.ts';
import { xeBindSteps } from './bind.ts';
import { XE_GT_PAGEFAULT_C, XE_SVM_C } from './sources.ts';

type P = Program<SvmGlobals, SvmLocals>;

/**
 * xe: xe_svm_handle_pagefault -> __xe_svm_handle_pagefault under vm->lock(W). GC first, then
 * find_or_insert bounded by the CPU-address-mirror VMA, the advisory validity check (no lock),
 * get_pages, and the bind whose pre-commit re-checks pages valid under the notifier lock.
 * Every failure goes back to `retry:` (no bound without devmem).
 */
export function xeFault(d: Driver, cfg: SvmConfig, gpu: Gpu = GPU0): P {
  const vm = driverLock(d, gpu.inst);
  const devmem = devices(cfg) > 0;
  return {
    name: `gpu_fault${suffix(gpu.dev)}`,
    start: 'lock_vm',
    steps: [
      {
        label: 'lock_vm',
        kernelFn: 'xe_svm_handle_pagefault: down_write(vm->lock)',
        cite: [
          cite(XE_GT_PAGEFAULT_C, 'handle_pagefault', '\t * TODO: Change to read lock? Using write lock for simplicity.\n\t */\n\tdown_write(&vm->lock);'),
          cite(XE_GT_PAGEFAULT_C, 'handle_pagefault', '\tif (xe_vm_is_closed(vm)) {\n\t\terr = -ENOENT;\n\t\tgoto unlock_vm;\n\t}'),
        ],
        locks: [acquire(vm)],
        // migrate_try_count = devmem_only ? 3 : 1 (faults here are not devmem_only).
        effect: (_g, l) => void (l.tries = cfg.migrateTries ?? 1),
        // `if (xe_vm_is_closed(vm)) { err = -ENOENT; goto unlock_vm; }` right after the lock:
        // vm->size is written under vm->lock(W), so the read belongs to this step.
        reads: ['life'],
        next: (g) => (g.life[gpu.inst] !== LIVE ? 'unlock_vm' : 'gc_dequeue'),
      },
      ...d.programs.gcLoop(d, cfg, 'vma_lookup', gpu.inst, devicesOf(cfg, gpu.inst)),
      {
        label: 'vma_lookup',
        kernelFn: 'xe_vm_find_vma_by_addr (CPU-address-mirror VMA)',
        note: 'its bounds bound any new range; not a mirror VMA: -EINVAL',
        cite: [
          cite(XE_GT_PAGEFAULT_C, 'handle_pagefault', '\tvma = xe_vm_find_vma_by_addr(vm, pf->page_addr);\n\tif (!vma) {\n\t\terr = -EINVAL;\n\t\tgoto unlock_vm;\n\t}'),
          cite(XE_SVM_C, 'xe_svm_range_find_or_insert', '\tr = drm_gpusvm_range_find_or_insert(&vm->svm.gpusvm, max(addr, xe_vma_start(vma)),\n\t\t\t\t\t    xe_vma_start(vma), xe_vma_end(vma), ctx);'),
        ],
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
      ...findOrInsertSteps(cfg, { found: goto('is_valid'), none: goto('unlock_vm') }, gpu, d.devmemPossible(cfg)),
      {
        label: 'is_valid',
        kernelFn: 'xe_svm_range_is_valid',
        note: 'tile_present & ~tile_invalidated, read without the notifier lock (advisory)',
        cite: [cite(XE_SVM_C, 'xe_svm_range_is_valid', '\treturn (xe_vm_has_valid_gpu_mapping(tile, range->tile_present,\n\t\t\t\t\t    range->tile_invalidated) &&\n\t\t(!devmem_only || xe_svm_range_in_vram(range)));')],
        reads: ['ranges'],
        effect: (g, l) => {
          const pg = pagesOf(rangeStarting(g, l.range, gpu.inst)!, gpu.slot);
          l.ret = pg.mapped && !pg.invalidated ? OK : EINVAL;
        },
        next: (_g, l) => (l.ret === OK ? 'unlock_vm' : devmem ? 'needs_migrate' : 'gp_read_begin'),
      },
      ...(devmem ? xeMigrateSteps(d, cfg, gpu) : []),
      ...getPagesSteps(cfg, { ok: goto('bind_lock_vm'), fail: goto('gc_dequeue') }, gpu, { cfg, driver: d }),
      ...xeBindSteps({ ok: goto('unlock_vm'), again: goto('gc_dequeue') }, gpu),
      {
        label: 'unlock_vm',
        kernelFn: 'up_write(vm->lock)',
        cite: [cite(XE_GT_PAGEFAULT_C, 'handle_pagefault', '\tif (!err)\n\t\tvm->usm.last_fault_vma = vma;\n\tup_write(&vm->lock);')],
        locks: [release(vm)],
        effect: (_g, l) => void (l.rid = NONE),
        next: 'done',
      },
    ],
  };
}

/**
 * xe with device memory: `--migrate_try_count >= 0 && xe_svm_range_needs_migrate_to_vram` runs
 * xe_svm_alloc_vram; an error goes back to `retry:` (timeslice doubled, not modeled), where the
 * exhausted try count then maps from system memory.
 */
function xeMigrateSteps(d: Driver, cfg: SvmConfig, gpu: Gpu): SvmStep[] {
  return [
    {
      label: 'needs_migrate',
      kernelFn: 'xe_svm_range_needs_migrate_to_vram (--migrate_try_count >= 0)',
      note: 'migrate_devmem, the preferred location is this device\'s VRAM, and the range is not already there',
      cite: [cite(XE_SVM_C, '__xe_svm_handle_pagefault', '\tif (--migrate_try_count >= 0 &&\n\t    xe_svm_range_needs_migrate_to_vram(range, vma, !!dpagemap || ctx.devmem_only)) {')],
      reads: ['ranges', 'attrs', 'pages', 'devmem'],
      effect: (_g, l) => {
        // `--migrate_try_count >= 0`: only whether the count is still >= 0 matters, so it stops at
        // -1 (an unbounded count would make every retry loop a new state).
        l.tries = Math.max(l.tries - 1, -1);
        l.dev = gpu.dev;
      },
      next: (g, l) => {
        const r = rangeStarting(g, l.range, gpu.inst)!;
        return l.tries >= 0 && wantsVram(g, r, d, attrValue(g, l.page), gpu.dev) ? 'av_lock_read' : 'gp_read_begin';
      },
    },
    ...allocVramSteps(d, cfg, rangeInterval(gpu.inst), { ok: goto('gp_read_begin'), fail: goto('gc_dequeue') }, [gpu.dev]),
  ];
}
