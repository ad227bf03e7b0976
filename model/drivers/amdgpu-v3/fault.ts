// The amdgpu RFC V3 GPU page-fault handler (DOMAIN.md §3.1; V3 11/12 amdgpu_svm_fault.c).

import type { Program } from '../../../explorer/index.ts';
import { tearsDown, type SvmConfig } from '../../config.ts';
import { driverLock, type Driver } from '../../driver.ts';
import { devicesOf, GPU0, suffix, type Gpu } from '../../gpu.ts';
import { MMAP, acquire, notifierLock, release, section } from '../../locks.ts';
import { attrAt, attrHole, rangeStarting, vmaAt } from '../../queries.ts';
import { CLOSED, EFAULT, EINVAL, NONE, OK, type SvmGlobals, type SvmLocals } from '../../state.ts';
import type { SvmStep } from '../../steps/types.ts';
import { findOrInsertSteps } from '../../steps/find-or-insert.ts';
import { getPagesSteps } from '../../steps/get-pages.ts';
import { goto, type Exit } from '../../steps/types.ts';
import { cite } from '../../sources.ts';
import { ATTR } from './locks.ts';
import { V3_04, V3_05, V3_11 } from './sources.ts';
import { amdgpuUpdateMappingSteps } from './update-mapping.ts';
import { IS_VALID_CITES, rangeIsValid } from './is-valid.ts';

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
  // `int retry_count = 3;` ... `--retry_count > 0`: mapRetries (3) attempts in all, 2 retries,
  // shared by get_pages failures and -EAGAIN from update_mapping. Spent on a get_pages failure:
  // `goto out` (return 0) and handle_fault unlocks. Spent on -EAGAIN: map_fault returns it and
  // handle_fault does `amdgpu_gmc_filter_faults_remove(...); goto retry;` with svm_lock still
  // held, back to the attribute lookup and a new map_fault call (retry_count = 3 again): no bound.
  const retryMap: Exit = { effect: (l) => void l.tries--, to: (l) => (l.tries > 0 ? 'gc_dequeue' : 'unlock_svm') };
  const retryFault: Exit = { effect: (l) => void l.tries--, to: (l) => (l.tries > 0 ? 'gc_dequeue' : 'attr_bounds') };
  return {
    name: `gpu_fault${suffix(gpu.dev)}`,
    start: tearsDown(cfg) ? 'svm_lookup' : 'lookup',
    steps: [
      // Only where a VM is torn down: elsewhere both tests always pass.
      ...(tearsDown(cfg) ? [svmLookupStep(gpu.inst)] : []),
      {
        label: 'lookup',
        kernelFn: 'amdgpu_svm_lookup_by_pasid + stale-fault filter (READ_ONCE(checkpoint_ts))',
        cite: [cite(V3_11, 'amdgpu_svm_handle_fault', '\tckpt = READ_ONCE(svm->checkpoint_ts);\n\tif (ckpt != 0) {\n\t\tif (amdgpu_ih_ts_after_or_equal(ts, ckpt)) {')],
        note: 'checkpoint_ts is 0 (go on), or the fault is newer than it (ts > ckpt): it will clear checkpoint_ts and be handled',
        reads: ['checkpoint'],
        next: (g) => (g.checkpoint ? 'ckpt_clear' : 'lock_svm'),
      },
      {
        label: 'drop_stale',
        at: 'lookup',
        kernelFn: 'stale-fault filter: amdgpu_gmc_filter_faults_remove, return 0',
        cite: [cite(V3_11, 'amdgpu_svm_handle_fault', '\t\t\tamdgpu_gmc_filter_faults_remove(\n\t\t\t\tadev, fault_addr >> PAGE_SHIFT, pasid);\n\t\t\tret = 0;\n\t\t\tgoto out_put;')],
        note: 'an UNMAP captured checkpoint_ts and the fault\'s IH timestamp is at or before it (a stale retry fault): dropped, return 0; the timestamp is not modeled, so both outcomes are explored',
        reads: ['checkpoint'],
        guard: (g) => g.checkpoint,
        next: 'done',
      },
      {
        label: 'ckpt_clear',
        kernelFn: 'stale-fault filter: WRITE_ONCE(checkpoint_ts, 0)',
        cite: [cite(V3_11, 'amdgpu_svm_handle_fault', '\t\t} else {\n\t\t\tWRITE_ONCE(svm->checkpoint_ts, 0);\n\t\t}')],
        note: 'a separate unlocked store: a checkpoint an UNMAP captured since the read is wiped',
        writes: ['checkpoint'],
        effect: (g) => void (g.checkpoint = false),
        next: 'lock_svm',
      },
      {
        label: 'lock_svm',
        kernelFn: 'amdgpu_svm_handle_fault: down_write(svm_lock)',
        cite: [cite(V3_11, 'amdgpu_svm_handle_fault', '\tdown_write(&svm->svm_lock);\n\nretry:')],
        locks: [acquire(svm)],
        next: 'attr_bounds',
      },
      {
        label: 'attr_bounds',
        kernelFn: 'amdgpu_svm_attr_get_bounds_locked',
        cite: [
          cite(V3_11, 'amdgpu_svm_handle_fault', '\tmutex_lock(&svm->attr_tree->lock);\n\tattr_range = amdgpu_svm_attr_get_bounds_locked(svm->attr_tree,\n\t\t\t\t\t\t       fault_page,\n\t\t\t\t\t\t       &attr_start_page, &attr_last_page);\n\tmutex_unlock(&svm->attr_tree->lock);'),
          cite(V3_04, 'amdgpu_svm_attr_get_bounds_locked', '\t*start_page = 0;\n\t*last_page = ULONG_MAX;'),
          cite(V3_11, 'amdgpu_svm_range_map_fault', '\tint retry_count = 3;'),
        ],
        note: 'the attribute range around the fault bounds any new range; none: unregistered address',
        locks: section(ATTR),
        reads: ['attrs', 'pages'],
        effect: (g, l) => {
          const a = attrAt(g, l.page);
          l.tries = cfg.mapRetries;
          l.ret = OK;
          // Found: its bounds. None: the hole around the fault (`*start_page = 0; *last_page =
          // ULONG_MAX;` narrowed by the neighbours), which get_unregistered_attrs uses later
          // without reading the tree again.
          [l.lo, l.hi] = a ? [a.start, a.end] : attrHole(g.attrs, l.page, g.pages.length);
          l.attrGone = false;
        },
        next: (g, l) => (attrAt(g, l.page) ? 'gc_dequeue' : 'unregistered_vma'),
      },
      {
        label: 'unregistered_vma',
        kernelFn: 'amdgpu_svm_range_get_unregistered_attrs (vma_lookup)',
        cite: [
          cite(V3_11, 'amdgpu_svm_range_get_unregistered_attrs', '\tmmap_read_lock(mm);\n\n\tvma = amdgpu_svm_check_vma(mm, fault_addr);\n\tif (IS_ERR(vma)) {'),
          cite(V3_11, 'amdgpu_svm_range_get_unregistered_attrs', '\tstart_page = max(vma_start_page,\n\t\t    (unsigned long)ALIGN_DOWN(fault_page, 1UL << attrs.granularity));'),
          cite(V3_11, 'amdgpu_svm_handle_fault', '\t\t\tif (ret == -EFAULT)\n\t\t\t\tgoto out_no_vma;'),
        ],
        note: 'default bounds: the granularity-aligned block around the fault, clamped to the VMA; no VMA: return 0',
        locks: section(MMAP, 'read'),
        reads: ['pages'],
        effect: (g, l) => {
          const vma = vmaAt(g, l.page);
          if (!vma) {
            l.ret = EFAULT;
            return;
          }
          // The granularity block around the fault, clamped to the VMA and then to the hole
          // attr_bounds found (`start_page = max(start_page, attr_start_page);`, computed here:
          // it reads no shared state).
          const block = Math.floor(l.page / cfg.granularity) * cfg.granularity;
          l.lo = Math.max(block, vma[0], l.lo);
          l.hi = Math.min(block + cfg.granularity, vma[1], l.hi);
        },
        next: (_g, l) => (l.ret === EFAULT ? 'unlock_svm' : 'unregistered_insert'),
      },
      {
        label: 'unregistered_insert',
        kernelFn: 'amdgpu_svm_range_get_unregistered_attrs (insert default attributes)',
        cite: [
          cite(V3_11, 'amdgpu_svm_range_get_unregistered_attrs', '\tstart_page = max(start_page, attr_start_page);\n\tlast_page = min(last_page, attr_last_page);\n\n\tmutex_lock(&attr_tree->lock);'),
          cite(V3_11, 'amdgpu_svm_range_get_unregistered_attrs', '\tamdgpu_svm_attr_range_insert_locked(attr_tree, range);\n\tmutex_unlock(&attr_tree->lock);'),
          cite(V3_04, 'amdgpu_svm_attr_range_insert_locked', '\tinterval_tree_insert(&range->it_node, &attr_tree->tree);'),
        ],
        note: 'inserts the default range computed from the hole attr_bounds found, without reading the tree again (insert_locked checks no overlap): a range SET_ATTR inserted meanwhile is overlapped',
        locks: section(ATTR),
        reads: ['attrs'],
        writes: ['attrs'],
        effect: (g, l) => {
          const i = g.attrs.findIndex((x) => x.start > l.lo);
          g.attrs.splice(i < 0 ? g.attrs.length : i, 0, { start: l.lo, end: l.hi, value: 0 });
        },
        next: 'gc_dequeue',
      },
      ...d.programs.gcLoop(d, cfg, 'find_or_insert', gpu.inst, devicesOf(cfg, gpu.inst)).map(heldAttrRange),
      ...findOrInsertSteps(cfg, { found: goto('is_valid'), none: goto('unlock_svm') }, gpu, d.devmemPossible(cfg)),
      {
        label: 'is_valid',
        kernelFn: 'amdgpu_svm_range_is_valid',
        cite: IS_VALID_CITES,
        note: 'gpu_mapped and pages valid, read under notifier_lock(R): return 0 without mapping (R-4: the answer is stale once the lock drops)',
        locks: section(NOTIFIER, 'read'),
        reads: ['ranges'],
        effect: (g, l) => {
          l.ret = rangeIsValid(rangeStarting(g, l.range, gpu.inst)!, [gpu.slot]) ? OK : EINVAL;
        },
        next: (_g, l) => (l.ret === OK ? 'unlock_svm' : 'gp_read_begin'),
      },
      // A peer GPU's device pages exist only where this driver can migrate at all.
      ...getPagesSteps(cfg, { ok: goto('um_lock_pd'), fail: retryMap }, gpu, d.devmemPossible(cfg) ? { cfg, driver: d } : undefined),
      ...amdgpuUpdateMappingSteps({ ok: goto('unlock_svm'), again: retryFault }, gpu),
      {
        label: 'unlock_svm',
        kernelFn: 'up_write(svm_lock); amdgpu_svm_put',
        cite: [cite(V3_11, 'amdgpu_svm_handle_fault', 'out_unlock:\n\tup_write(&svm->svm_lock);\n\nout_put:\n\tamdgpu_svm_put(svm);')],
        locks: [release(svm)],
        effect: (_g, l) => void (l.rid = NONE),
        next: 'done',
      },
    ],
  };
}

/**
 * amdgpu_svm_lookup_by_pasid (a kref on the SVM under the PASID xarray's lock) and the exiting
 * test, before svm_lock is taken and never again under it: a teardown that sets exiting and
 * runs drm_gpusvm_fini after this test is not seen (finding F12). The two reads are one step:
 * teardown sets exiting before it clears vm->svm, so the outcomes are the same (no SVM, or an
 * SVM exiting, both return without touching it).
 */
function svmLookupStep(inst: number): SvmStep {
  return {
    label: 'svm_lookup',
    kernelFn: 'amdgpu_svm_handle_fault: amdgpu_svm_lookup_by_pasid; atomic_read(&svm->exiting)',
    note: 'no SVM for the PASID any more (-EOPNOTSUPP) or exiting (-EAGAIN): return; else go on (svm_lock is not held)',
    cite: [
      cite(V3_11, 'amdgpu_svm_handle_fault', '\tsvm = amdgpu_svm_lookup_by_pasid(adev, pasid);\n\tif (!svm) {'),
      cite(V3_11, 'amdgpu_svm_handle_fault', '\tif (atomic_read(&svm->exiting)) {\n\t\tAMDGPU_SVM_ERR("handle_fault: SVM context is exiting for pasid %u\\n", pasid);\n\t\tret = -EAGAIN;\n\t\tgoto out_put;\n\t}'),
    ],
    reads: ['life'],
    next: (g) => (g.life[inst]! >= CLOSED ? 'done' : 'lookup'),
  };
}

/** amdgpu_svm_attr_clear_pages as it touches one node: the bounds it keeps, or undefined when it frees it. */
function clearedNode(a: number, b: number, s: number, e: number): readonly [number, number] | undefined {
  if (e <= a || b <= s) return [a, b];
  if (a < s) return [a, s]; // `attr_set_interval(range, range_start, start_page - 1)` (a tail, if any, is a new node)
  if (b > e) return [e, b]; // `attr_set_interval(range, last_page + 1, range_last)`
  return undefined; // `attr_remove_range_locked(attr_tree, range, true)`
}

/**
 * The fault's GC clears attributes while the fault holds `attr_range`, the node it read at
 * attr_bounds (or inserted at unregistered_insert), whose bounds find_or_insert reads afterwards
 * (`amdgpu_svm_attr_start_page(attr_range)`): the GC trims that node in place, or frees it.
 * The node is the one with the bounds the fault read, if the tree still has it.
 */
function heldAttrRange(st: SvmStep): SvmStep {
  if (st.label !== 'gc_clear_attrs') return st;
  return {
    ...st,
    cite: [
      ...(st.cite ?? []),
      cite(V3_11, 'amdgpu_svm_range_map_fault', '\tconst struct amdgpu_svm_attrs *attrs = &attr_range->attrs;'),
      cite(V3_05, 'amdgpu_svm_attr_clear_pages', '\t\t} else if (range_start < start_page) {\n\t\t\tattr_remove_range_locked(attr_tree, range, false);\n\t\t\tattr_set_interval(range, range_start, start_page - 1);'),
      cite(V3_05, 'amdgpu_svm_attr_clear_pages', '\t\t} else {\n\t\t\tattr_remove_range_locked(attr_tree, range, true);\n\t\t}'),
    ],
    note: `${st.note ?? ''}; the attribute range the fault holds is trimmed in place, or freed if it lies inside`,
    effect: (g, l, ctx) => {
      const held = !l.attrGone && g.attrs.some((a) => a.start === l.lo && a.end === l.hi);
      st.effect!(g, l, ctx);
      if (!held) return;
      const kept = clearedNode(l.lo, l.hi, l.is, l.ie);
      if (kept) [l.lo, l.hi] = kept;
      else l.attrGone = true;
    },
  };
}
