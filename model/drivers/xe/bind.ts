// xe xe_vm_range_rebind (DOMAIN.md §2.3): under the VM resv, the pre-commit takes
// notifier_lock(R), checks pages valid, writes the PTEs and sets tile_present (clearing
// tile_invalidated) before the notifier lock is dropped at the end of xe_pt_update_ops_run.

import { GPU0, type Gpu } from '../../gpu.ts';
import { acquire, notifierLock, release, section, vmResv } from '../../locks.ts';
import { pagesOf, pagesValid, rangeStarting, writePtes } from '../../queries.ts';
import { EAGAIN, OK } from '../../state.ts';
import type { MapExits, SvmStep } from '../../steps/types.ts';

export function xeBindSteps(x: MapExits, gpu: Gpu = GPU0): SvmStep[] {
  const RESV = vmResv(gpu.dev);
  const NOTIFIER = notifierLock(gpu.inst);
  return [
    {
      label: 'bind_lock_vm',
      kernelFn: 'xe_vm_lock',
      locks: [acquire(RESV)],
      next: 'bind_commit',
    },
    {
      label: 'bind_commit',
      kernelFn: 'xe_vm_range_rebind: xe_pt_svm_pre_commit + xe_pt_update_ops_run',
      note: 'under notifier_lock(R): -EAGAIN unless pages valid; write PTEs, tile_present set, tile_invalidated cleared',
      locks: section(NOTIFIER, 'read'),
      reads: ['ranges', 'pages'],
      writes: ['pte', 'tlb', 'ranges', 'pteDev', 'tlbDev'],
      effect: (g, l) => {
        const r = rangeStarting(g, l.range, gpu.inst)!;
        const pg = pagesOf(r, gpu.slot);
        if (!pagesValid(pg)) {
          l.ret = EAGAIN;
          return;
        }
        writePtes(g, r, gpu);
        pg.mapped = true;
        pg.invalidated = false;
        l.ret = OK;
      },
      next: (_g, l) => (l.ret === OK ? 'bind_unlock_vm' : 'bind_unlock_vm_again'),
    },
    {
      label: 'bind_unlock_vm',
      kernelFn: 'xe_vm_unlock + dma_fence_wait',
      locks: [release(RESV)],
      reads: x.ok.reads,
      writes: x.ok.writes,
      effect: (g, l) => x.ok.effect?.(l, g),
      next: (_g, l) => x.ok.to(l),
    },
    {
      label: 'bind_unlock_vm_again',
      kernelFn: 'xe_vm_unlock (-EAGAIN)',
      locks: [release(RESV)],
      reads: x.again.reads,
      writes: x.again.writes,
      effect: (g, l) => x.again.effect?.(l, g),
      next: (_g, l) => x.again.to(l),
    },
  ];
}
