// Which GPU a process works for, and what that means for the drm_gpusvm instance it uses
// (DOMAIN.md §6): with one instance per device (xe, amdgpu V3: one gpusvm per VM) each GPU has
// its own range tree, notifier, notifier lock, GC and driver lock; with one instance for the CPU
// mm and per-device pages (Brost's proposal, the [SPLIT] series' first step) the GPUs share the
// tree, the notifier and the locks, and each range holds one pages set per device.

import type { Instances, SvmConfig } from './config.ts';

export interface Gpu {
  /** The GPU: its page tables, its VM (vm_resv), its VRAM. */
  readonly dev: number;
  /** The drm_gpusvm instance it uses. */
  readonly inst: number;
  /** Which pages set of a range is its own (0 with one instance per device). */
  readonly slot: number;
}

export const GPU0: Gpu = { dev: 0, inst: 0, slot: 0 };

/** GPUs with page tables: every device with VRAM, and at least one. */
export const gpus = (cfg: SvmConfig): number => Math.max(1, cfg.devices ?? 0);

export const instanceMode = (cfg: SvmConfig): Instances => cfg.instances ?? 'per-device';

/** How many drm_gpusvm instances there are. */
export const instances = (cfg: SvmConfig): number => (instanceMode(cfg) === 'shared' ? 1 : gpus(cfg));

export function gpuOf(cfg: SvmConfig, dev: number): Gpu {
  return instanceMode(cfg) === 'shared' ? { dev, inst: 0, slot: dev } : { dev, inst: dev, slot: 0 };
}

/** The GPUs an instance serves, in slot order. */
export function devicesOf(cfg: SvmConfig, inst: number): number[] {
  return instanceMode(cfg) === 'shared' ? Array.from({ length: gpus(cfg) }, (_, d) => d) : [inst];
}

/** Names of a second instance's or device's objects: `notifier_lock1`, `gpu_fault1`, `inv_lock1`. */
export const suffix = (n: number): string => (n === 0 ? '' : String(n));
