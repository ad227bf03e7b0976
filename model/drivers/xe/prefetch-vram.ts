// xe prefetch to one device's VRAM (DOMAIN.md §3.5, §3.6): a VM_BIND prefetch op: xe_svm_flush,
// then under that GPU's vm->lock(W) xe_svm_alloc_vram with driver_migrate_lock. The mapping
// afterwards is left to GPU faults (the code's prefetch collects ranges, skips valid ones, and
// binds them all at once; see docs/model.md).

import type { Program } from '../../../explorer/index.ts';
import type { SvmConfig } from '../../config.ts';
import { inVram } from '../../devmem.ts';
import { driverLock, type Driver } from '../../driver.ts';
import { gpuOf } from '../../gpu.ts';
import { acquire, release } from '../../locks.ts';
import { OK, type SvmGlobals, type SvmLocals } from '../../state.ts';
import { perDevice } from '../../steps/per-device.ts';
import { cite } from '../../sources.ts';
import { allocVramSteps } from './alloc-vram.ts';
import { XE_SVM_C, XE_VM_C } from './sources.ts';

const interval = (_g: SvmGlobals, l: SvmLocals): readonly [number, number] => [l.page, l.end];

export function xePrefetchVram(d: Driver, cfg: SvmConfig): Program<SvmGlobals, SvmLocals> {
  // The driver lock of the GPU's instance (with one instance, the GPUs share it).
  const lock = (dev: number): string => driverLock(d, gpuOf(cfg, dev).inst);
  return {
    name: 'prefetch_vram',
    start: 'pv_flush',
    steps: [
      {
        label: 'pv_flush',
        kernelFn: 'xe_vm_bind_ioctl: xe_svm_flush (flush_work of the GC work)',
        note: "waits until the GC work of the GPU's instance is neither queued nor running; vm->lock is not held",
        cite: [cite(XE_VM_C, 'xe_vm_bind_ioctl', '\t/* Ensure all UNMAPs visible */\n\txe_svm_flush(vm);\n\n\terr = down_write_killable(&vm->lock);')],
        reads: ['gcPending', 'gcRunning'],
        guard: (g, l) => !g.gcPending[gpuOf(cfg, l.dev).inst] && !g.gcRunning[gpuOf(cfg, l.dev).inst],
        next: 'pv_lock',
      },
      ...perDevice(cfg, 'pv_lock', (dev) => ({ kernelFn: 'xe_vm_bind prefetch op: down_write(vm->lock)', cite: [cite(XE_VM_C, 'xe_vm_bind_ioctl', '\terr = down_write_killable(&vm->lock);\n\tif (err)\n\t\tgoto put_exec_queue;')], locks: [acquire(lock(dev))], next: 'pv_decide' })),
      {
        label: 'pv_decide',
        kernelFn: 'xe_svm_range_needs_migrate_to_vram',
        note: "migrate unless the interval is already in this device's VRAM",
        cite: [
          cite(XE_VM_C, 'prefetch_ranges', '\t\tif (xe_svm_range_needs_migrate_to_vram(svm_range, vma, !!tile)) {\n\t\t\terr = xe_svm_alloc_vram(tile, svm_range, &ctx);'),
          cite(XE_SVM_C, 'xe_svm_range_needs_migrate_to_vram', '\tif (preferred_region_is_vram && xe_svm_range_in_vram(range)) {'),
        ],
        reads: ['pages', 'devmem'],
        effect: (_g, l) => void (l.ret = OK),
        next: (g, l) => (inVram(g, l.dev, l.page, l.end) ? 'pv_unlock' : 'av_lock_read'),
      },
      ...allocVramSteps(d, cfg, interval, { ok: { to: () => 'pv_unlock' }, fail: { to: () => 'pv_unlock' } }),
      ...perDevice(cfg, 'pv_unlock', (dev) => ({ kernelFn: 'up_write(vm->lock)', cite: [cite(XE_VM_C, 'xe_vm_bind_ioctl', 'release_vm_lock:\n\tup_write(&vm->lock);')], locks: [release(lock(dev))], next: 'done' })),
    ],
  };
}
