// The xe VM_BIND prefetch of a CPU-address-mirror interval (DOMAIN.md §3.5), its own ioctl after
// madvise, in xe_vm_bind_ioctl's three phases, all under vm->lock(W):
//   1. vm_bind_ioctl_ops_create: find_or_insert each range of the interval; a range
//      xe_svm_range_validate finds bound and in the preferred place is skipped, the others are
//      collected (an address with no CPU VMA jumps to the next VMA);
//   2. prefetch_ranges: per collected range, the eviction to RAM (a prefetch to system memory of
//      a range in VRAM) or the migration to VRAM, and get_pages; any failure
//      returns, and nothing is bound;
//   3. vm_bind_ioctl_ops_execute: one page-table update binds every collected range, its
//      pre-commit failing the whole op (-ENODATA) if any range's pages are no longer valid.
// -ENODATA ends the ioctl successfully with nothing bound. Ranges cannot leave the tree while
// vm->lock is held (removal is the GC's, madvise's and teardown's, all under vm->lock), so the
// collected set is a bitmask of range start pages (l.collected). Once the walk of phase 1 is
// over, l.page is NONE and l.range is phase 2's cursor.

import type { Draft } from 'immer';
import type { SvmConfig } from '../../config.ts';
import { maskPages, wantsVram } from '../../devmem.ts';
import { driverLock, type Driver } from '../../driver.ts';
import { GPU0 } from '../../gpu.ts';
import { MMAP, NOTIFIER, RESV, acquire, release, section } from '../../locks.ts';
import { attrValue, boundByAttrs, pagesOf, pagesValid, rangeInterval, rangeStarting, vmaAt } from '../../queries.ts';
import { ENODATA, ENOENT, LIVE, NONE, OK, type Range, type SvmGlobals, type SvmLocals } from '../../state.ts';
import { findOrInsertSteps } from '../../steps/find-or-insert.ts';
import { getPagesSteps } from '../../steps/get-pages.ts';
import { rangeEvictSteps } from '../../steps/range-evict.ts';
import { exitStep, goto, type Exit, type SvmStep } from '../../steps/types.ts';
import { cite } from '../../sources.ts';
import { allocVramSteps } from './alloc-vram.ts';
import { xeRangeBound } from './bind.ts';
import { XE_PT_PREFETCH_PRE_COMMIT, XE_SVM_C, XE_VM_C } from './sources.ts';

/** The lowest collected range start at or after `from`, NONE if none (bit p of the set: page p). */
const nextCollected = (collected: number, from: number): number => maskPages(0, collected).find((p) => p >= from) ?? NONE;

/** The first page of [from, to) some CPU VMA covers (xe_svm_find_vma_start), NONE if none. */
function nextVmaStart(g: SvmGlobals, from: number, to: number): number {
  for (let p = from; p < to; p++) if (vmaAt(g, p)) return p;
  return NONE;
}

/** The VM_BIND prefetch steps, from `vb_flush` to `done`. */
export function vmBindPrefetchSteps(d: Driver, cfg: SvmConfig, done: string): SvmStep[] {
  const vm = driverLock(d);
  const decide = d.devmemPossible(cfg);
  // !!tile: DRM_XE_CONSULT_MEM_ADVISE_PREF_LOC resolves the preferred location at `page` to VRAM.
  const devmemPreferred = (g: SvmGlobals, page: number): boolean => decide && d.prefersVram(attrValue(g, page), 0);
  const range = (g: SvmGlobals, l: SvmLocals): Range => rangeStarting(g, l.range)!;
  // Phase 1 is over: l.range NONE, so that phase 2's loop head starts at the first collected range.
  const endPhase1 = (l: Draft<SvmLocals>): void => {
    l.page = l.end;
    l.range = NONE;
  };
  const phase1Next = (l: SvmLocals): string => (l.page < l.end ? 'vb_bounds' : 'vb_prefetch_ranges');
  const abort: Exit = { effect: (l) => void (l.collected = 0), to: () => 'vb_unlock_vm' };
  return [
    {
      label: 'vb_flush',
      kernelFn: 'xe_vm_bind_ioctl: xe_svm_flush (flush_work of the GC work)',
      note: 'a second ioctl after madvise: waits until the GC work is neither queued nor running; vm->lock is not held',
      cite: [cite(XE_VM_C, 'xe_vm_bind_ioctl', '\t/* Ensure all UNMAPs visible */\n\txe_svm_flush(vm);\n\n\terr = down_write_killable(&vm->lock);')],
      reads: ['gcPending', 'gcRunning'],
      guard: (g) => !g.gcPending[0] && !g.gcRunning[0],
      next: 'vb_lock_vm',
    },
    {
      label: 'vb_lock_vm',
      kernelFn: 'xe_vm_bind_ioctl: down_write(vm->lock); closed or banned: -ENOENT',
      cite: [
        cite(XE_VM_C, 'xe_vm_bind_ioctl', '\terr = down_write_killable(&vm->lock);\n\tif (err)\n\t\tgoto put_exec_queue;'),
        cite(XE_VM_C, 'xe_vm_bind_ioctl', '\tif (XE_IOCTL_DBG(xe, xe_vm_is_closed_or_banned(vm))) {\n\t\terr = -ENOENT;\n\t\tgoto release_vm_lock;\n\t}'),
      ],
      locks: [acquire(vm)],
      reads: ['life'],
      effect: (_g, l) => void (l.collected = 0),
      next: (g) => (g.life[0] !== LIVE ? 'vb_unlock_vm' : 'vb_bounds'),
    },
    {
      label: 'vb_bounds',
      kernelFn: 'vm_bind_ioctl_ops_create (PREFETCH): the GPU VMA bounds',
      note: "xe's mirror VMA is split at attribute bounds (madvise), so its bounds are the attribute range's",
      cite: [cite(XE_VM_C, 'vm_bind_ioctl_ops_create', 'alloc_next_range:\n\t\t\tsvm_range = xe_svm_range_find_or_insert(vm, addr, vma, &ctx);')],
      reads: ['attrs'],
      effect: boundByAttrs,
      next: 'find_or_insert',
    },
    // -ENOENT (no CPU VMA): the next VMA; -EINVAL: `goto unwind_prefetch_ops`, the ioctl fails.
    ...findOrInsertSteps(cfg, { found: { to: () => 'vb_validate' }, none: { to: (l) => (l.ret === ENOENT ? 'vb_next_vma' : 'vb_unlock_vm') } }, GPU0, d.devmemPossible(cfg)),
    {
      label: 'vb_next_vma',
      kernelFn: 'vm_bind_ioctl_ops_create: -ENOENT, xe_svm_find_vma_start (find_vma_intersection)',
      note: 'no CPU VMA at the address: go on at the next VMA inside the interval, or end the walk',
      cite: [
        cite(XE_VM_C, 'vm_bind_ioctl_ops_create', '\t\t\tif (PTR_ERR(svm_range) == -ENOENT) {\n\t\t\t\tu64 ret = xe_svm_find_vma_start(vm, addr, range_end, vma);'),
        cite(XE_SVM_C, 'xe_svm_find_vma_start', '\treturn drm_gpusvm_find_vma_start(&vm->svm.gpusvm,\n\t\t\t\t\t max(start, xe_vma_start(vma)),\n\t\t\t\t\t min(end, xe_vma_end(vma)));'),
      ],
      locks: [acquire(MMAP, 'read'), release(MMAP, 'read')],
      reads: ['pages'],
      effect: (g, l) => {
        const p = nextVmaStart(g, l.page, l.end);
        if (p !== NONE) l.page = p;
        else endPhase1(l);
      },
      next: (_g, l) => phase1Next(l),
    },
    {
      label: 'vb_validate',
      kernelFn: 'xe_svm_range_validate (under notifier_lock(R))',
      note: 'bound, not invalidated, and in VRAM exactly when VRAM is preferred: skipped; otherwise collected. Then the next range, if inside the interval',
      cite: [
        cite(XE_VM_C, 'vm_bind_ioctl_ops_create', '\t\t\tif (xe_svm_range_validate(vm, svm_range, tile_mask, !!tile)) {\n\t\t\t\txe_svm_range_debug(svm_range, "PREFETCH - RANGE IS VALID");\n\t\t\t\tgoto check_next_range;\n\t\t\t}'),
        cite(XE_SVM_C, 'xe_svm_range_validate', '\tret = (range->tile_present & ~range->tile_invalidated & tile_mask) == tile_mask &&\n\t       (devmem_preferred == range->base.pages.flags.has_devmem_pages);'),
        cite(XE_VM_C, 'vm_bind_ioctl_ops_create', 'check_next_range:\n\t\t\tif (range_end > xe_svm_range_end(svm_range) &&\n\t\t\t    xe_svm_range_end(svm_range) < xe_vma_end(vma)) {\n\t\t\t\taddr = xe_svm_range_end(svm_range);\n\t\t\t\tgoto alloc_next_range;'),
      ],
      locks: section(NOTIFIER, 'read'),
      reads: ['ranges', 'attrs'],
      effect: (g, l) => {
        const r = range(g, l);
        const pg = pagesOf(r, 0);
        if (!(pg.mapped && !pg.invalidated && devmemPreferred(g, l.page) === pg.hasDevmem)) l.collected |= 1 << r.start;
        l.page = r.end;
        if (l.page >= l.end) endPhase1(l);
      },
      next: (_g, l) => phase1Next(l),
    },
    {
      label: 'vb_prefetch_ranges',
      kernelFn: 'prefetch_ranges: xa_for_each(&op->prefetch_range.range, i, svm_range)',
      note: 'the next collected range, in address order; none left: bind them all (nothing collected: nothing to bind)',
      cite: [
        cite(XE_VM_C, 'xe_vm_bind_ioctl', '\terr = vm_bind_ioctl_ops_prefetch_ranges(vm, &vops);\n\tif (err)\n\t\tgoto unwind_ops;\n\n\tfence = vm_bind_ioctl_ops_execute(vm, &vops);'),
        cite(XE_VM_C, 'prefetch_ranges', '\t/* TODO: Threading the migration */\n\txa_for_each(&op->prefetch_range.range, i, svm_range) {\n\t\tif (!tile)\n\t\t\txe_svm_range_migrate_to_smem(vm, svm_range);'),
        cite(XE_SVM_C, 'xe_svm_range_migrate_to_smem', '\tif (xe_svm_range_in_vram(range))\n\t\tdrm_gpusvm_range_evict(&vm->svm.gpusvm, &range->base);'),
      ],
      reads: ['attrs', 'ranges'],
      effect: (_g, l) => void (l.range = nextCollected(l.collected, l.range === NONE ? 0 : l.range + 1)),
      next: (g, l) => {
        if (l.range === NONE) return l.collected ? 'vb_lock_resv' : 'vb_unlock_vm';
        if (!decide) return 'gp_read_begin';
        // No tile (the preferred location is not VRAM): xe_svm_range_migrate_to_smem, which
        // evicts a range with device pages (xe_svm_range_in_vram: has_devmem_pages).
        const toSmem = !devmemPreferred(g, l.range) && pagesOf(rangeStarting(g, l.range)!, 0).hasDevmem;
        return toSmem ? 'ps_start' : 'pf_decide';
      },
    },
    ...(decide ? rangeEvictSteps(cfg, d, rangeInterval(0), 'pf_decide', 'ps_') : []),
    ...(decide ? prefetchDecision(d, cfg) : []),
    ...getPagesSteps(cfg, { ok: goto('vb_prefetch_ranges'), fail: abort }),
    exitStep(
      {
        label: 'vb_abort',
        kernelFn: 'prefetch_ranges: xe_svm_alloc_vram failed, return -ENODATA',
        note: 'the ioctl ends with success and nothing bound',
        cite: [cite(XE_VM_C, 'prefetch_ranges', '\t\t\terr = xe_svm_alloc_vram(tile, svm_range, &ctx);\n\t\t\tif (err) {')],
      },
      abort,
    ),
    {
      label: 'vb_lock_resv',
      kernelFn: 'vm_bind_ioctl_ops_execute: drm_exec_lock_obj(VM resv)',
      cite: [cite(XE_VM_C, 'vm_bind_ioctl_ops_lock_and_prep', '\terr = drm_exec_lock_obj(exec, xe_vm_obj(vm));\n\tif (err)\n\t\treturn err;')],
      locks: [acquire(RESV)],
      next: 'vb_commit',
    },
    {
      label: 'vb_commit',
      kernelFn: 'ops_execute -> xe_pt_update_ops_run: pre-commit + PTE writes, under notifier_lock(R)',
      note: "every collected range's pages still valid: all are bound (tile_present set, tile_invalidated cleared); any not: -ENODATA, none is",
      cite: [
        cite(XE_PT_PREFETCH_PRE_COMMIT, 'op_check_svm_userptr', '\t\t\txa_for_each(&op->prefetch_range.range, i, range) {\n\t\t\t\txe_svm_range_debug(range, "PRE-COMMIT");\n\n\t\t\t\tif (!xe_svm_range_pages_valid(range)) {\n\t\t\t\t\txe_svm_range_debug(range, "PRE-COMMIT - RETRY");\n\t\t\t\t\treturn -ENODATA;'),
        cite(XE_VM_C, 'vm_bind_ioctl_ops_execute', '\t\tif (IS_ERR(fence)) {\n\t\t\tif (PTR_ERR(fence) == -ENODATA)\n\t\t\t\tvm_bind_ioctl_ops_fini(vm, vops, NULL);\n\t\t\tgoto unlock;'),
      ],
      locks: section(NOTIFIER, 'read'),
      reads: ['ranges', 'pages'],
      writes: ['pte', 'tlb', 'ranges', 'pteDev', 'tlbDev'],
      effect: (g, l) => {
        const starts = maskPages(0, l.collected);
        l.ret = starts.every((p) => pagesValid(pagesOf(rangeStarting(g, p)!, 0))) ? OK : ENODATA;
        if (l.ret === OK) {
          for (const p of starts) xeRangeBound(g, rangeStarting(g, p)!);
        }
        l.collected = 0;
      },
      next: 'vb_unlock_resv',
    },
    {
      label: 'vb_unlock_resv',
      kernelFn: 'vm_bind_ioctl_ops_execute: drm_exec_fini',
      cite: [cite(XE_VM_C, 'vm_bind_ioctl_ops_execute', 'unlock:\n\tdrm_exec_fini(&exec);\n\treturn fence;')],
      locks: [release(RESV)],
      next: 'vb_unlock_vm',
    },
    {
      label: 'vb_unlock_vm',
      kernelFn: 'xe_vm_bind_ioctl: up_write(vm->lock)',
      cite: [cite(XE_VM_C, 'xe_vm_bind_ioctl', 'release_vm_lock:\n\tup_write(&vm->lock);')],
      locks: [release(vm)],
      // The collected ranges are pointers in op->prefetch_range (no reference): vm->lock kept
      // them in the tree until here, and xe_vma_ops_fini drops them.
      effect: (_g, l) => void (l.rid = NONE),
      next: done,
    },
  ];
}

/** prefetch_ranges' migration: xe_svm_alloc_vram when the range needs VRAM; a failure aborts (vb_abort). */
function prefetchDecision(d: Driver, cfg: SvmConfig): SvmStep[] {
  return [
    {
      label: 'pf_decide',
      kernelFn: 'xe_svm_range_needs_migrate_to_vram (prefetch region)',
      note: "the attributes name this device's VRAM, the range may use device memory and is not there yet: migrate",
      cite: [cite(XE_VM_C, 'prefetch_ranges', '\t\tif (xe_svm_range_needs_migrate_to_vram(svm_range, vma, !!tile)) {\n\t\t\terr = xe_svm_alloc_vram(tile, svm_range, &ctx);')],
      reads: ['attrs', 'ranges', 'pages', 'devmem'],
      effect: (_g, l) => void (l.dev = 0),
      next: (g, l) => (wantsVram(g, rangeStarting(g, l.range)!, d, attrValue(g, l.range), 0) ? 'av_lock_read' : 'gp_read_begin'),
    },
    ...allocVramSteps(d, cfg, rangeInterval(0), { ok: goto('gp_read_begin'), fail: goto('vb_abort') }, [0]),
  ];
}
