// The drivers the model knows, by protocol name. A new driver or revision is a module under
// model/drivers/ and a line here; no shared file changes.

import type { Driver } from '../driver.ts';
import { amdgpuV3 } from './amdgpu-v3/index.ts';
import { amdgpuV3Vram } from './amdgpu-v3-vram/index.ts';
import { xe } from './xe/index.ts';

export const DRIVERS: readonly Driver[] = [amdgpuV3, amdgpuV3Vram, xe];

export type Protocol = 'amdgpu-v3' | 'amdgpu-v3-vram' | 'xe';

export const PROTOCOLS: readonly { name: Protocol; description: string }[] = DRIVERS.map((d) => ({ name: d.name as Protocol, description: d.description }));

/** The driver a protocol name stands for (callers have checked the name against the scenario's protocols). */
export function driverNamed(name: string): Driver {
  const d = DRIVERS.find((x) => x.name === name);
  if (!d) throw new Error(`no driver named ${name}`);
  return d;
}
