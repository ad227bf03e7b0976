// Changing attributes of an interval (DOMAIN.md §3.4, §3.5).
//   amdgpu V3 SET_ATTR ioctl: gc_flush; validate the VMAs (mmap_lock(R)); head/tail split under
//     attr_tree->lock, which is dropped; then under svm_lock(W) the change is applied:
//     invalidate_interval zaps mapped ranges and removes those crossing the new boundary. With
//     the PREFETCH trigger, every page of the interval is then mapped (find_or_insert, get_pages,
//     update_mapping), migration excluded. The split and the apply are not atomic (D-3).
//   xe madvise: the whole change under vm->lock(W): split the VMAs and set the attributes,
//     zap the PTEs of ranges in the interval, remove the ranges the new boundaries cross
//     (xe_svm_unmap_address_range). Prefetch is a VM_BIND prefetch op under vm->lock.

import type { Draft } from 'immer';
import type { Program } from '../../explorer/index.ts';
import { devices, type Protocol, type SvmConfig } from '../config.ts';
import { wantsVram } from '../devmem.ts';
import { devicesOf } from '../gpu.ts';
import { ATTR, MMAP, NOTIFIER, RESV, acquire, driverLock, release, section } from '../locks.ts';
import { attrAt, attrValue, flushTlb, overlapping, pagesOf, rangeInterval, rangeStarting, tree, recordAttrSet, removeRange, setAttrs, unmapPages, zapMapped, zapPtes } from '../queries.ts';
import { EINVAL, NONE, OK, type Range, type SvmGlobals, type SvmLocals } from '../state.ts';
import { findOrInsertSteps } from '../steps/find-or-insert.ts';
import { getPagesSteps } from '../steps/get-pages.ts';
import { amdgpuUpdateMappingSteps, xeBindSteps } from '../steps/map.ts';
import { allocVramSteps } from '../steps/alloc-vram.ts';
import { migrateToDevmemSteps } from '../steps/migrate-to-devmem.ts';
import { goto, type Exit, type SvmStep } from '../steps/types.ts';

type P = Program<SvmGlobals, SvmLocals>;

const crosses = (r: Range, l: SvmLocals): boolean => r.start < l.page || r.end > l.end;

/** Set the new attributes on [l.page, l.end), remembering whether an attribute range split. */
function setAttributes(g: Draft<SvmGlobals>, l: Draft<SvmLocals>): void {
  l.split = setAttrs(g.attrs, l.page, l.end, l.value);
  recordAttrSet(g, l.page, l.end, l.value);
}

/** What setAttributes touches: the ghost record reads the CPU mappings, and on unmapped VA resets attrAtUnmap. */
const SET_ATTRIBUTES = { reads: ['pages'], writes: ['attrs', 'attrSetVma', 'attrSetValue', 'attrAtUnmap'] } as const;

/** Prefetch: map page by page from l.page to l.end; each page skips past the range it mapped. */
function prefetchSteps(cfg: SvmConfig, protocol: Protocol, done: string): SvmStep[] {
  // With device memory, each range may be migrated before it is mapped.
  const decide = devices(cfg) > 0;
  const nextRange: Exit = {
    reads: ['ranges'],
    effect: (l, g) => {
      l.page = rangeStarting(g, l.range)?.end ?? l.page + 1;
      l.rid = NONE;
    },
    to: (l) => (l.page < l.end ? 'pf_bounds' : done),
  };
  const skipPage: Exit = {
    effect: (l) => {
      l.page++;
      l.rid = NONE;
    },
    to: (l) => (l.page < l.end ? 'pf_bounds' : done),
  };
  return [
    {
      label: 'pf_bounds',
      kernelFn: protocol === 'xe' ? 'xe_vm_bind prefetch: VMA bounds' : 'amdgpu_svm_range_map_attr_range: attribute bounds',
      locks: protocol === 'xe' ? [] : section(ATTR),
      reads: ['attrs'],
      effect: (g, l) => {
        const a = attrAt(g, l.page);
        l.lo = a ? a.start : l.page;
        l.hi = a ? a.end : l.page + 1;
      },
      next: 'find_or_insert',
    },
    ...findOrInsertSteps(cfg, { found: { to: () => (decide ? 'pf_decide' : 'gp_read_begin') }, none: skipPage }),
    ...(decide ? decisionSteps(cfg, protocol) : []),
    ...getPagesSteps({ ok: { to: () => (protocol === 'xe' ? 'bind_lock_vm' : 'um_lock_pd') }, fail: skipPage }),
    ...(protocol === 'xe' ? xeBindSteps({ ok: nextRange, again: skipPage }) : amdgpuUpdateMappingSteps({ ok: nextRange, again: skipPage })),
  ];
}

/** The SET_ATTR ioctl of GPU 0's VM (instance 0: with one instance, every device's pages). */
export function amdgpuSetAttr(cfg: SvmConfig, prefetch: boolean): P {
  const svm = driverLock('amdgpu-v3');
  const devs = devicesOf(cfg, 0);
  const afterApply = prefetch ? 'pf_bounds' : 'unlock_svm';
  return {
    name: prefetch ? 'set_attr_prefetch' : 'set_attr',
    start: 'gc_flush',
    steps: [
      {
        label: 'gc_flush',
        kernelFn: 'amdgpu_svm_gc_flush (flush_work)',
        note: 'waits until the GC work is neither queued nor running',
        reads: ['gcPending', 'gcRunning'],
        guard: (g) => !g.gcPending[0] && !g.gcRunning[0],
        next: 'attr_validate',
      },
      {
        label: 'attr_validate',
        kernelFn: 'amdgpu_svm_attr_validate_range_vma',
        note: 'every page must be covered by a VMA, else -EINVAL',
        locks: section(MMAP, 'read'),
        reads: ['pages'],
        effect: (g, l) => void (l.ret = g.pages.slice(l.page, l.end).every((p) => p.mapped) ? OK : EINVAL),
        next: (_g, l) => (l.ret === OK ? 'attr_set' : 'done'),
      },
      {
        label: 'attr_set',
        kernelFn: 'amdgpu_svm_attr_set_range (head/tail split)',
        locks: section(ATTR),
        reads: SET_ATTRIBUTES.reads,
        writes: SET_ATTRIBUTES.writes,
        effect: setAttributes,
        next: 'lock_svm',
      },
      {
        label: 'lock_svm',
        kernelFn: 'amdgpu_svm_attr_apply_change: down_write(svm_lock)',
        locks: [acquire(svm)],
        next: (_g, l) => (l.split ? 'ii_lock_pd' : afterApply),
      },
      { label: 'ii_lock_pd', kernelFn: 'amdgpu_svm_range_invalidate_interval: lock VM PD', locks: [acquire(RESV)], next: 'ii_zap' },
      {
        label: 'ii_zap',
        kernelFn: 'amdgpu_svm_range_invalidate_interval: amdgpu_vm_update_range (clear PTEs)',
        note: 'the PTEs of every gpu_mapped range overlapping the interval are cleared (no notifier lock)',
        reads: ['ranges', 'pages'],
        writes: ['pte', 'pteDev'],
        effect: (g, l) => {
          for (const r of overlapping(tree(g, 0), l.page, l.end)) devs.forEach((d, slot) => pagesOf(r, slot).mapped && zapPtes(g, r, d));
        },
        next: 'ii_remove',
      },
      {
        label: 'ii_remove',
        kernelFn: 'amdgpu_svm_range_remove (boundary-crossing ranges) / gpu_mapped = false',
        note: 'ranges crossing the interval bounds are unmapped and removed; the others only lose gpu_mapped',
        locks: section(NOTIFIER, 'read'),
        writes: ['ranges', 'gcList'],
        effect: (g, l) => {
          for (const r of overlapping(tree(g, 0), l.page, l.end)) {
            devs.forEach((_d, slot) => (pagesOf(r, slot).mapped = false));
            if (!crosses(r, l)) continue;
            unmapPages(r);
            removeRange(g, r.id);
          }
        },
        next: 'ii_unlock_pd',
      },
      {
        label: 'ii_unlock_pd',
        kernelFn: 'flush_tlb + drm_exec_fini',
        locks: [release(RESV)],
        reads: ['pages', 'pte', 'pteDev'],
        writes: ['tlb', 'tlbDev'],
        effect: (g) => devs.forEach((d) => flushTlb(g, d)),
        next: afterApply,
      },
      ...(prefetch ? prefetchSteps(cfg, 'amdgpu-v3', 'unlock_svm') : []),
      { label: 'unlock_svm', kernelFn: 'up_write(svm_lock)', locks: [release(svm)], next: 'done' },
    ],
  };
}

export function xeSetAttr(cfg: SvmConfig, prefetch: boolean): P {
  const vm = driverLock('xe');
  const devs = devicesOf(cfg, 0);
  return {
    name: prefetch ? 'madvise_prefetch' : 'madvise',
    start: 'lock_vm',
    steps: [
      { label: 'lock_vm', kernelFn: 'xe_vm_madvise_ioctl: down_write(vm->lock)', locks: [acquire(vm)], next: 'madvise_set' },
      {
        label: 'madvise_set',
        kernelFn: 'xe_vm_madvise (split the VMAs, set the attributes)',
        reads: SET_ATTRIBUTES.reads,
        writes: SET_ATTRIBUTES.writes,
        effect: setAttributes,
        next: 'madvise_zap',
      },
      {
        label: 'madvise_zap',
        kernelFn: 'xe_svm_ranges_zap_ptes_in_range',
        note: 'under notifier_lock(R): zap the PTEs of present ranges in the interval, tile_invalidated = true',
        locks: section(NOTIFIER, 'read'),
        reads: ['pages'],
        writes: ['pte', 'tlb', 'ranges', 'pteDev', 'tlbDev'],
        effect: (g, l) => {
          zapMapped(g, overlapping(tree(g, 0), l.page, l.end), devs, (pg) => void (pg.invalidated = true));
        },
        next: 'madvise_unbind',
      },
      {
        label: 'madvise_unbind',
        kernelFn: 'xe_svm_unmap_address_range: xe_vm_range_unbind of ranges the new bounds cross',
        locks: section(RESV),
        reads: ['pages'],
        writes: ['pte', 'tlb', 'ranges', 'pteDev', 'tlbDev'],
        effect: (g, l) => {
          for (const r of overlapping(tree(g, 0), l.page, l.end)) {
            if (!crosses(r, l)) continue;
            devs.forEach((d, slot) => {
              zapPtes(g, r, d);
              pagesOf(r, slot).mapped = false;
            });
          }
          devs.forEach((d) => flushTlb(g, d));
        },
        next: 'madvise_remove',
      },
      {
        label: 'madvise_remove',
        kernelFn: 'xe_svm_unmap_address_range: drm_gpusvm_range_remove',
        locks: section(NOTIFIER, 'read'),
        writes: ['ranges', 'gcList'],
        effect: (g, l) => {
          for (const r of overlapping(tree(g, 0), l.page, l.end)) {
            if (!crosses(r, l)) continue;
            unmapPages(r);
            removeRange(g, r.id);
          }
        },
        next: prefetch ? 'pf_bounds' : 'unlock_vm',
      },
      ...(prefetch ? prefetchSteps(cfg, 'xe', 'unlock_vm') : []),
      { label: 'unlock_vm', kernelFn: 'up_write(vm->lock)', locks: [release(vm)], next: 'done' },
    ],
  };
}

/**
 * Migration before mapping a range of the prefetch interval.
 *   amdgpu VRAM migration series (MIG-V3-0 patches 3 and 5): the decision layer reads the range's
 *     attributes; a prefetch location in this device's VRAM migrates it (drm_pagemap_populate_mm).
 *   xe VM_BIND prefetch to a VRAM region: xe_svm_alloc_vram (with driver_migrate_lock).
 * A failed migration is not fatal: the range is mapped from wherever its pages are.
 */
function decisionSteps(cfg: SvmConfig, protocol: Protocol): SvmStep[] {
  const range = rangeInterval(0);
  const xe = protocol === 'xe';
  const migrate: SvmStep[] = xe
    ? allocVramSteps(cfg, range, { ok: goto('gp_read_begin'), fail: goto('gp_read_begin') }, [0])
    : migrateToDevmemSteps(cfg, { prefix: 'mg_', target: range, protocol, devs: [0] }, { ok: goto('gp_read_begin'), busy: goto('gp_read_begin'), fail: goto('gp_read_begin') });
  return [
    {
      label: 'pf_decide',
      kernelFn: xe ? 'xe_svm_range_needs_migrate_to_vram (prefetch region)' : 'amdgpu_svm_range_migrate: migration decision layer (prefetch_loc / preferred_loc)',
      note: 'the attributes name this device\'s VRAM, the range may use device memory and is not there yet: migrate',
      locks: xe ? [] : section(ATTR),
      reads: ['attrs', 'ranges', 'pages', 'devmem'],
      effect: (_g, l) => void (l.dev = 0),
      next: (g, l) => {
        const r = rangeStarting(g, l.range)!;
        return wantsVram(g, r, protocol, attrValue(g, r.start), 0) ? (xe ? 'av_lock_read' : 'mg_mmap_lock') : 'gp_read_begin';
      },
    },
    ...migrate,
  ];
}
