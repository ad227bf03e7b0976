// The GC work item (DOMAIN.md §3.3): queued by the UNMAP notifier, it takes the driver lock for
// write and drains the GC list. Idle between runs, which is not a deadlock.

import type { Program } from '../../explorer/index.ts';
import { attrPolicy, type Protocol, type SvmConfig } from '../config.ts';
import { devicesOf, suffix } from '../gpu.ts';
import { acquire, driverLock, release } from '../locks.ts';
import type { SvmGlobals, SvmLocals } from '../state.ts';
import { gcLoopSteps } from '../steps/gc.ts';

/** The GC work item of drm_gpusvm instance `inst` (its VM's). */
export function gcWorker(cfg: SvmConfig, protocol: Protocol, inst = 0): Program<SvmGlobals, SvmLocals> {
  const lock = driverLock(protocol, inst);
  const work = protocol === 'xe' ? 'xe_svm_garbage_collector_work_func' : 'amdgpu_svm_garbage_collector_work';
  return {
    name: `gc_worker${suffix(inst)}`,
    start: 'gc_idle',
    endLabels: ['gc_idle'],
    steps: [
      {
        label: 'gc_idle',
        kernelFn: `${work} (the queued work starts)`,
        reads: ['gcPending'],
        writes: ['gcPending', 'gcRunning'],
        guard: (g) => g.gcPending[inst]!,
        effect: (g) => {
          g.gcPending[inst] = false;
          g.gcRunning[inst] = true;
        },
        next: 'gc_lock_driver',
      },
      { label: 'gc_lock_driver', kernelFn: `${work}: down_write(${lock})`, locks: [acquire(lock)], next: 'gc_dequeue' },
      ...gcLoopSteps(protocol, attrPolicy(cfg, protocol), 'gc_unlock_driver', inst, devicesOf(cfg, inst)),
      {
        label: 'gc_unlock_driver',
        kernelFn: `${work}: up_write(${lock})`,
        locks: [release(lock)],
        writes: ['gcRunning'],
        effect: (g) => void (g.gcRunning[inst] = false),
        next: 'gc_idle',
      },
    ],
  };
}
