// amdgpu V3 teardown (DOMAIN.md §3.10; V3 10/12, 12/12): amdgpu_vm_fini calls amdgpu_svm_close
// (atomic_xchg(&exiting, 1), flush the GC work) and amdgpu_svm_fini (close again, a no-op;
// drm_gpusvm_fini under svm_lock(W); gc_fini; destroy the attribute tree; vm->svm = NULL). The
// PASID is released later in amdgpu_vm_fini, so GPU faults still find the SVM meanwhile, and
// they test `exiting` before taking svm_lock (fault.ts, svm_lookup). The GPU page tables are
// freed after all this by amdgpu_vm_fini, outside the model.

import type { Program } from '../../../explorer/index.ts';
import type { SvmConfig } from '../../config.ts';
import { driverLock, type Driver } from '../../driver.ts';
import { suffix } from '../../gpu.ts';
import { acquire, release } from '../../locks.ts';
import { queuedRange } from '../../queries.ts';
import { CLOSED, GONE, type SvmGlobals, type SvmLocals } from '../../state.ts';
import { gpusvmFiniSteps } from '../../steps/gpusvm-fini.ts';
import { cite } from '../../sources.ts';
import { V3_10, V3_12 } from './sources.ts';

const GC_FINI = cite(V3_10, 'amdgpu_svm_fini', '\tamdgpu_svm_gc_fini(svm);\n\tamdgpu_svm_attr_tree_destroy(svm->attr_tree);\n\tvm->svm = NULL;\n\tamdgpu_svm_put(svm);');

export function amdgpuTeardown(d: Driver, cfg: SvmConfig, inst: number): Program<SvmGlobals, SvmLocals> {
  const svm = driverLock(d, inst);
  return {
    name: `teardown${suffix(inst)}`,
    start: 'close_exiting',
    steps: [
      {
        label: 'close_exiting',
        kernelFn: 'amdgpu_vm_fini -> amdgpu_svm_close: atomic_xchg(&svm->exiting, 1)',
        note: 'from here the invalidation callback returns at once, and a fault that reads exiting gives up',
        cite: [
          cite(V3_12, 'amdgpu_vm_fini', '\tamdgpu_svm_close(vm);\n\tamdgpu_svm_fini(vm);'),
          cite(V3_10, 'amdgpu_svm_close', '\tif (atomic_xchg(&vm->svm->exiting, 1))\n\t\treturn;\n\n\tamdgpu_svm_gc_flush(vm->svm);'),
        ],
        writes: ['life'],
        effect: (g) => void (g.life[inst] = CLOSED),
        next: 'close_gc_flush',
      },
      {
        label: 'close_gc_flush',
        kernelFn: 'amdgpu_svm_close: amdgpu_svm_gc_flush (flush_work)',
        note: 'waits until the GC work is neither queued nor running; amdgpu_svm_fini\'s own amdgpu_svm_close then returns at the xchg',
        cite: [cite(V3_10, 'amdgpu_svm_fini', '\tamdgpu_svm_close(vm);\n\tdown_write(&svm->svm_lock);')],
        reads: ['gcPending', 'gcRunning'],
        guard: (g) => !g.gcPending[inst] && !g.gcRunning[inst],
        next: 'fini_lock',
      },
      {
        label: 'fini_lock',
        kernelFn: 'amdgpu_svm_fini: down_write(svm_lock)',
        cite: [cite(V3_10, 'amdgpu_svm_fini', '\tdown_write(&svm->svm_lock);\n\tdrm_gpusvm_fini(&svm->gpusvm);\n\tup_write(&svm->svm_lock);')],
        locks: [acquire(svm)],
        next: 'fini_mn_remove',
      },
      ...gpusvmFiniSteps(cfg, inst, 'fini_unlock'),
      {
        label: 'fini_unlock',
        kernelFn: 'amdgpu_svm_fini: up_write(svm_lock)',
        cite: [cite(V3_10, 'amdgpu_svm_fini', '\tdrm_gpusvm_fini(&svm->gpusvm);\n\tup_write(&svm->svm_lock);')],
        locks: [release(svm)],
        next: 'gc_fini',
      },
      {
        label: 'gc_fini',
        kernelFn: 'amdgpu_svm_gc_fini (flush_work, clean_queue, destroy_workqueue); attr tree destroyed; vm->svm = NULL',
        note: 'the GC list is emptied; from here a PASID lookup finds no SVM (-EOPNOTSUPP); the attribute tree is freed',
        cite: [GC_FINI],
        reads: ['gcPending', 'gcRunning'],
        writes: ['gcList', 'orphans', 'life'],
        guard: (g) => !g.gcPending[inst] && !g.gcRunning[inst],
        effect: (g) => {
          // amdgpu_svm_range_clean_queue drops the list's references: orphans are freed.
          g.gcList = g.gcList.filter((id) => queuedRange(g, id)?.inst !== inst);
          g.orphans = g.orphans.filter((r) => r.inst !== inst);
          g.life[inst] = GONE;
        },
        next: 'done',
      },
    ],
  };
}
