// The GC work item (DOMAIN.md §3.3): queued by the UNMAP notifier, it takes the driver lock for
// write and drains the GC list. Idle between runs, which is not a deadlock.

import type { Program } from '../../explorer/index.ts';
import type { SvmConfig } from '../config.ts';
import { driverLock, type Driver } from '../driver.ts';
import { devicesOf, suffix } from '../gpu.ts';
import { acquire, release } from '../locks.ts';
import type { SvmGlobals, SvmLocals } from '../state.ts';

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
      ...driver.programs.gcLoop(driver, cfg, 'gc_unlock_driver', inst, devicesOf(cfg, inst)),
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
