// xe teardown (DOMAIN.md §3.10; xe_vm_close_and_put at XE-C): xe_vm_close under vm->lock(W)
// and the notifier lock sets vm->size = 0 (xe_vm_is_closed), clears the page tables and
// invalidates the TLBs; xe_svm_close flushes the GC work; then under vm->lock(W) the VMAs and
// page tables are destroyed and xe_svm_fini runs drm_gpusvm_fini. Faults test the closed VM
// under vm->lock (fault.ts lock_vm), the callback still DMA-unmaps (notifier.ts), the GC stops.

import type { Program } from '../../../explorer/index.ts';
import type { SvmConfig } from '../../config.ts';
import { driverLock, type Driver } from '../../driver.ts';
import { devicesOf, suffix } from '../../gpu.ts';
import { acquire, notifierLock, release } from '../../locks.ts';
import { flushTlb, pteIndex } from '../../queries.ts';
import { CLOSED, NONE, type SvmGlobals, type SvmLocals } from '../../state.ts';
import { gpusvmFiniSteps } from '../../steps/gpusvm-fini.ts';
import { cite } from '../../sources.ts';
import { XE_SVM_C, XE_VM_C } from './sources.ts';

export function xeTeardown(d: Driver, cfg: SvmConfig, inst: number): Program<SvmGlobals, SvmLocals> {
  const vm = driverLock(d, inst);
  const notifier = notifierLock(inst);
  const devs = devicesOf(cfg, inst);
  return {
    name: `teardown${suffix(inst)}`,
    start: 'close_lock_vm',
    steps: [
      {
        label: 'close_lock_vm',
        kernelFn: 'xe_vm_close_and_put -> xe_vm_close: down_write(vm->lock); xe_svm_notifier_lock',
        cite: [
          cite(XE_VM_C, 'xe_vm_close_and_put', '\txe_vm_close(vm);'),
          cite(XE_VM_C, 'xe_vm_close', '\tdown_write(&vm->lock);\n\tif (xe_vm_in_fault_mode(vm))\n\t\txe_svm_notifier_lock(vm);'),
        ],
        locks: [acquire(vm), acquire(notifier, 'read')],
        next: 'close_clear_pts',
      },
      {
        label: 'close_clear_pts',
        kernelFn: 'xe_vm_close: vm->size = 0; wait for binds; xe_pt_clear; xe_tlb_inval_vm',
        note: 'the VM is closed; every PTE of it is cleared and the TLBs invalidated (binds are synchronous in the model, so none is pending)',
        cite: [
          cite(XE_VM_C, 'xe_vm_close', '\tvm->size = 0;'),
          cite(XE_VM_C, 'xe_vm_close', '\t\t\tfor_each_tile(tile, xe, id)\n\t\t\t\tif (vm->pt_root[id])\n\t\t\t\t\txe_pt_clear(xe, vm->pt_root[id]);\n\n\t\t\tfor_each_gt(gt, xe, id)\n\t\t\t\txe_tlb_inval_vm(&gt->tlb_inval, vm);'),
        ],
        // (pages: only its length, the page-table size)
        reads: ['pages'],
        writes: ['life', 'pte', 'pteDev', 'tlb', 'tlbDev'],
        effect: (g) => {
          g.life[inst] = CLOSED;
          for (const dev of devs) {
            for (let p = 0; p < g.pages.length; p++) {
              const i = pteIndex(g, dev, p);
              g.pte[i] = NONE;
              g.pteDev[i] = NONE;
            }
            flushTlb(g, dev);
          }
        },
        next: 'close_unlock_vm',
      },
      {
        label: 'close_unlock_vm',
        kernelFn: 'xe_vm_close: xe_svm_notifier_unlock; up_write(vm->lock)',
        cite: [cite(XE_VM_C, 'xe_vm_close', '\tif (xe_vm_in_fault_mode(vm))\n\t\txe_svm_notifier_unlock(vm);\n\tup_write(&vm->lock);')],
        locks: [release(notifier, 'read'), release(vm)],
        next: 'close_gc_flush',
      },
      {
        label: 'close_gc_flush',
        kernelFn: 'xe_svm_close: flush_work(&vm->svm.garbage_collector.work)',
        note: 'waits until the GC work is neither queued nor running (it finds the VM closed and stops)',
        cite: [
          cite(XE_VM_C, 'xe_vm_close_and_put', '\tif (xe_vm_in_fault_mode(vm))\n\t\txe_svm_close(vm);'),
          cite(XE_SVM_C, 'xe_svm_close', '\txe_assert(vm->xe, xe_vm_is_closed(vm));\n\tflush_work(&vm->svm.garbage_collector.work);'),
        ],
        reads: ['gcPending', 'gcRunning'],
        guard: (g) => !g.gcPending[inst] && !g.gcRunning[inst],
        next: 'fini_lock_vm',
      },
      {
        label: 'fini_lock_vm',
        kernelFn: 'xe_vm_close_and_put: down_write(vm->lock); VMAs and page tables destroyed; xe_svm_fini',
        note: 'the page tables are already clear (close_clear_pts): destroying them changes nothing the model sees',
        cite: [
          cite(XE_VM_C, 'xe_vm_close_and_put', '\tdown_write(&vm->lock);\n\txe_vm_lock(vm, false);\n\tdrm_gpuvm_for_each_va_safe(gpuva, next, &vm->gpuvm) {'),
          cite(XE_VM_C, 'xe_vm_close_and_put', '\txe_svm_fini(vm);\n\n\tup_write(&vm->lock);'),
          cite(XE_SVM_C, 'xe_svm_fini', '\txe_assert(vm->xe, xe_vm_is_closed(vm));\n\n\tdrm_gpusvm_fini(&vm->svm.gpusvm);'),
        ],
        locks: [acquire(vm)],
        next: 'fini_mn_remove',
      },
      ...gpusvmFiniSteps(cfg, inst, 'fini_unlock_vm'),
      {
        label: 'fini_unlock_vm',
        kernelFn: 'xe_vm_close_and_put: up_write(vm->lock)',
        cite: [cite(XE_VM_C, 'xe_vm_close_and_put', '\txe_svm_fini(vm);\n\n\tup_write(&vm->lock);')],
        locks: [release(vm)],
        next: 'done',
      },
    ],
  };
}
