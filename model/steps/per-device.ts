// Steps whose lock depends on the device a process works for (a VRAM buffer's reservation, a
// VM's driver lock). Lock operations are static on a step, so there is one step per device at the
// same location, each enabled only for the device in l.dev.

import type { StepContext } from '../../explorer/index.ts';
import type { SvmConfig } from '../config.ts';
import type { SvmGlobals, SvmLocals } from '../state.ts';
import type { SvmStep } from './types.ts';

/**
 * Device 0's step is `label`; device d's is `label` + d, at the same location. `devs` are the
 * devices the program can work for (default: every device of the configuration).
 */
export function perDevice(cfg: SvmConfig, label: string, make: (d: number) => Omit<SvmStep, 'label' | 'at'>, devs?: readonly number[]): SvmStep[] {
  const list = devs ?? Array.from({ length: Math.max(1, cfg.devices ?? 1) }, (_, d) => d);
  return list.map((d) => {
    const s = make(d);
    const guard = s.guard;
    return {
      ...s,
      label: d === 0 ? label : `${label}${d}`,
      ...(d === 0 ? {} : { at: label }),
      guard: (g: SvmGlobals, l: SvmLocals, c: StepContext) => l.dev === d && (guard?.(g, l, c) ?? true),
    };
  });
}

