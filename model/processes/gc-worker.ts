// The GC work item (DOMAIN.md §3.3): queued by the UNMAP notifier, it takes the driver lock for
// write and drains the GC list. Idle between runs, which is not a deadlock.

import type { Program } from '../../explorer/index.ts';
import type { SvmConfig } from '../config.ts';
import { driverLock, type Driver } from '../driver.ts';
import { devicesOf, suffix } from '../gpu.ts';
import { acquire, release } from '../locks.ts';
import type { SvmGlobals, SvmLocals } from '../state.ts';
import { cite, GPUSVM_C } from '../sources.ts';

/** The GC work item of drm_gpusvm instance `inst` (its VM's). */
export function gcWorker(cfg: SvmConfig, driver: Driver, inst = 0): Program<SvmGlobals, SvmLocals> {
  const lock = driverLock(driver, inst);
  const work = driver.gcWork;
  return {
    name: `gc_worker${suffix(inst)}`,
    start: 'gc_idle',
    endLabels: ['gc_idle'],
    steps: [
      {
        label: 'gc_idle',
        kernelFn: `${work} (the queued work starts)`,
        unsourced: 'the workqueue running the work item the driver\'s GC add queued (its queue_work is in event_end); workqueue code is not modeled',
        reads: ['gcPending'],
        writes: ['gcPending', 'gcRunning'],
        guard: (g) => g.gcPending[inst]!,
        effect: (g) => {
          g.gcPending[inst] = false;
          g.gcRunning[inst] = true;
        },
        next: 'gc_lock_driver',
      },
      {
        label: 'gc_lock_driver',
        kernelFn: `${work}: down_write(${lock})`,
        // The lock is the driver's; drm_gpusvm requires it held around the GC (DOC: Examples).
        cite: [cite(GPUSVM_C, 'DOC: Examples (2) Garbage Collector', ' *\tvoid driver_garbage_collector(struct drm_gpusvm *gpusvm)\n *\t{\n *\t\tassert_driver_svm_locked(gpusvm);')],
        locks: [acquire(lock)],
        next: 'gc_dequeue',
      },
      ...driver.programs.gcLoop(driver, cfg, 'gc_unlock_driver', inst, devicesOf(cfg, inst)),
      {
        label: 'gc_unlock_driver',
        kernelFn: `${work}: up_write(${lock})`,
        unsourced: 'the driver\'s work function releasing its own lock: the drivers\' sources (kernelFn), not drm_gpusvm',
        locks: [release(lock)],
        writes: ['gcRunning'],
        effect: (g) => void (g.gcRunning[inst] = false),
        next: 'gc_idle',
      },
    ],
  };
}
