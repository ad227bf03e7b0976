// The xe madvise ioctl (DOMAIN.md §3.4): the whole change under vm->lock(W): split the VMAs and
// set the attributes, zap the PTEs of ranges in the interval, remove the ranges the new
// boundaries cross (xe_svm_unmap_address_range). Prefetch is a VM_BIND prefetch op under
// vm->lock, with xe_svm_alloc_vram before each range is mapped when there is device memory.

import type { Program } from '../../../explorer/index.ts';
import type { SvmConfig } from '../../config.ts';
import { wantsVram } from '../../devmem.ts';
import { driverLock, type Driver } from '../../driver.ts';
import { devicesOf } from '../../gpu.ts';
import { NOTIFIER, RESV, acquire, release, section } from '../../locks.ts';
import { attrValue, flushTlb, overlapping, pagesOf, rangeInterval, rangeStarting, removeRange, tree, unmapPages, zapMapped, zapPtes } from '../../queries.ts';
import type { SvmGlobals, SvmLocals } from '../../state.ts';
import { crosses, prefetchSteps, SET_ATTRIBUTES, setAttributes } from '../../steps/prefetch.ts';
import { goto, type SvmStep } from '../../steps/types.ts';
import { allocVramSteps } from './alloc-vram.ts';
import { xeBindSteps } from './bind.ts';

type P = Program<SvmGlobals, SvmLocals>;

export function xeSetAttr(d: Driver, cfg: SvmConfig, prefetch: boolean): P {
  const vm = driverLock(d);
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
      ...(prefetch
        ? prefetchSteps(
            cfg,
            { bounds: { kernelFn: 'xe_vm_bind prefetch: VMA bounds' }, decide: xePrefetchDecision(d, cfg), commit: (x) => xeBindSteps(x), commitStart: 'bind_lock_vm', devmemPossible: d.devmemPossible(cfg) },
            'unlock_vm',
          )
        : []),
      { label: 'unlock_vm', kernelFn: 'up_write(vm->lock)', locks: [release(vm)], next: 'done' },
    ],
  };
}


/** xe VM_BIND prefetch to a VRAM region: xe_svm_alloc_vram before the range is mapped; a failure is not fatal. */
function xePrefetchDecision(d: Driver, cfg: SvmConfig): SvmStep[] {
  return [
    {
      label: 'pf_decide',
      kernelFn: 'xe_svm_range_needs_migrate_to_vram (prefetch region)',
      note: "the attributes name this device's VRAM, the range may use device memory and is not there yet: migrate",
      reads: ['attrs', 'ranges', 'pages', 'devmem'],
      effect: (_g, l) => void (l.dev = 0),
      next: (g, l) => (wantsVram(g, rangeStarting(g, l.range)!, d, attrValue(g, l.range), 0) ? 'av_lock_read' : 'gp_read_begin'),
    },
    ...allocVramSteps(d, cfg, rangeInterval(0), { ok: goto('gp_read_begin'), fail: goto('gp_read_begin') }, [0]),
  ];
}
