// What the invariants need to know of a configuration's GPUs and drm_gpusvm instances: which
// instance serves which device, and where each instance's locks sit in the state's lock table.

import { devices, type SvmConfig } from './config.ts';
import { driverLock, type Driver } from './driver.ts';
import { devicesOf, gpuOf, gpus, instances, type Gpu, GPU0 } from './gpu.ts';
import { notifierLock, SLOT, svmLocks } from './locks.ts';
import { notifierOf, notifierWindow } from './notifiers.ts';

export interface Topology {
  readonly gpus: number;
  readonly instances: number;
  /** The GPUs an instance serves, in slot order. */
  readonly devicesOf: (inst: number) => readonly number[];
  readonly gpuOf: (dev: number) => Gpu;
  /** Slot of an instance's notifier lock / driver lock in SysState.locks. */
  readonly notifierSlot: (inst: number) => number;
  readonly driverSlot: (inst: number) => number;
  /** The notifier (index into mniSeq and mnState) of a page in an instance. */
  readonly notifierOf: (inst: number, page: number) => number;
  /** The pages [start, end) of notifier window k (the same in every instance). */
  readonly notifierWindow: (k: number) => readonly [number, number];
}

export function topology(cfg: SvmConfig, driver: Driver): Topology {
  const names = svmLocks(driver, devices(cfg), instances(cfg)).map((l) => l.name);
  const slot = (name: string): number => names.indexOf(name);
  return {
    gpus: gpus(cfg),
    instances: instances(cfg),
    devicesOf: (inst) => devicesOf(cfg, inst),
    gpuOf: (dev) => gpuOf(cfg, dev),
    notifierSlot: (inst) => slot(notifierLock(inst)),
    driverSlot: (inst) => slot(driverLock(driver, inst)),
    notifierOf: (inst, page) => notifierOf(cfg, inst, page),
    notifierWindow: (k) => {
      const w = notifierWindow(cfg, k);
      return [w.start, w.end];
    },
  };
}

/** One GPU, one instance: what every configuration without device memory has. */
export const SINGLE: Topology = {
  gpus: 1,
  instances: 1,
  devicesOf: () => [0],
  gpuOf: () => GPU0,
  notifierSlot: () => SLOT.notifier,
  driverSlot: () => SLOT.driver,
  notifierOf: () => 0,
  notifierWindow: () => [0, Number.MAX_SAFE_INTEGER],
};
