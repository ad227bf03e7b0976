// amdgpu V3 amdgpu_svm_range_update_mapping (V3 07/12; DOMAIN.md §2.3): lock the VM PD; under
// notifier_lock(R) check pages valid (and not unmapped / partially unmapped) and write the PTEs;
// drop the notifier lock; wait, update PDEs, flush the TLB, and only then
// WRITE_ONCE(gpu_mapped, true).

import { GPU0, type Gpu } from '../../gpu.ts';
import { acquire, notifierLock, release, section, vmResv } from '../../locks.ts';
import { pagesOf, pagesValid, rangeStarting, writePtes } from '../../queries.ts';
import { EAGAIN, OK } from '../../state.ts';
import { exitStep, type MapExits, type SvmStep } from '../../steps/types.ts';
import { cite } from '../../sources.ts';
import { V3_07 } from './sources.ts';

export function amdgpuUpdateMappingSteps(x: MapExits, gpu: Gpu = GPU0): SvmStep[] {
  const RESV = vmResv(gpu.dev);
  const NOTIFIER = notifierLock(gpu.inst);
  return [
    {
      label: 'um_lock_pd',
      kernelFn: 'amdgpu_svm_range_lock_vm_pd (drm_exec)',
      cite: [cite(V3_07, 'amdgpu_svm_range_update_mapping', '\tret = amdgpu_svm_range_lock_vm_pd(svm, &exec, intr);\n\tif (ret)\n\t\treturn ret;')],
      locks: [acquire(RESV)],
      next: 'um_commit',
    },
    {
      label: 'um_commit',
      kernelFn: 'amdgpu_svm_range_update_mapping: notifier_lock, pages_valid, amdgpu_vm_update_range',
      cite: [
        cite(V3_07, 'amdgpu_svm_range_update_mapping', '\tflags = memalloc_noreclaim_save();\n\tdrm_gpusvm_notifier_lock(&svm->gpusvm);'),
        cite(V3_07, 'amdgpu_svm_range_update_mapping', '\tif (!amdgpu_svm_range_pages_valid(svm, range)) {\n\t\trange_invalidate_gpu_mapping(range);\n\t\tret = -EAGAIN;\n\t} else {\n\t\tret = amdgpu_svm_range_update_gpu_range(svm, range, pte_flags,'),
        cite(V3_07, 'amdgpu_svm_range_update_mapping', '\tdrm_gpusvm_notifier_unlock(&svm->gpusvm);\n\tmemalloc_noreclaim_restore(flags);'),
      ],
      note: 'memalloc_noreclaim; -EAGAIN (and gpu_mapped = false) unless pages valid and not unmapped; else write PTEs',
      locks: section(NOTIFIER, 'read'),
      reads: ['ranges', 'pages'],
      writes: ['pte', 'tlb', 'ranges', 'pteDev', 'tlbDev'],
      effect: (g, l) => {
        const r = rangeStarting(g, l.range, gpu.inst)!;
        const pg = pagesOf(r, gpu.slot);
        if (!pagesValid(pg) || r.unmapped || r.partialUnmap) {
          pg.mapped = false;
          l.ret = EAGAIN;
          return;
        }
        writePtes(g, r, gpu);
        l.ret = OK;
      },
      next: (_g, l) => (l.ret === OK ? 'um_publish' : 'um_unlock_pd_again'),
    },
    {
      label: 'um_publish',
      kernelFn: 'amdgpu_vm_update_pdes + WRITE_ONCE(range->gpu_mapped, true)',
      cite: [
        cite(V3_07, 'amdgpu_svm_range_update_mapping', '\tif (!ret)\n\t\tret = amdgpu_vm_update_pdes(svm->adev, svm->vm, false);'),
        cite(V3_07, 'amdgpu_svm_range_update_mapping', '\t\tWRITE_ONCE(range->pte_flags, pte_flags);\n\t\tWRITE_ONCE(range->attr_flags, attrs_flags);\n\t\tWRITE_ONCE(range->gpu_mapped, true);'),
      ],
      note: 'after the notifier lock is dropped (V3 07/12): PDE update, then the mapped flag is published; the fault path passes flush_tlb = false',
      writes: ['ranges'],
      effect: (g, l) => {
        pagesOf(rangeStarting(g, l.range, gpu.inst)!, gpu.slot).mapped = true;
      },
      next: 'um_unlock_pd',
    },
    exitStep(
      {
        label: 'um_unlock_pd',
        kernelFn: 'drm_exec_fini',
        cite: [cite(V3_07, 'amdgpu_svm_range_update_mapping', '\tdrm_exec_fini(&exec);\n\treturn ret;')],
        locks: [release(RESV)],
      },
      x.ok,
    ),
    exitStep(
      {
        label: 'um_unlock_pd_again',
        kernelFn: 'drm_exec_fini (-EAGAIN)',
        cite: [cite(V3_07, 'amdgpu_svm_range_update_mapping', '\tdrm_exec_fini(&exec);\n\treturn ret;')],
        locks: [release(RESV)],
      },
      x.again,
    ),
  ];
}
