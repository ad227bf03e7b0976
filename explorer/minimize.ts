// Minimising a counterexample, whichever engine found it: keep a violation of the same
// invariant while reducing, in this order, the number of steps, the number of context switches
// (consecutive steps by different processes) and the number of processes that act. Each
// candidate is checked by replaying it and evaluating the invariant where it ends
// (confirmViolation), so the result is as trustworthy as the input.

import { confirmViolation, type ReplayableViolation, type ReplayStep } from './confirm.ts';
import { InputError } from './errors.ts';
import type { Model } from './model.ts';

export interface TraceSize {
  readonly steps: number;
  readonly contextSwitches: number;
  readonly processes: number;
}

function chunkSizes(n: number): number[] {
  const sizes: number[] = [];
  for (let s = 1 << 30; s > 16; s >>= 1) if (s < n) sizes.push(s);
  for (let s = Math.min(16, n - 1); s >= 1; s--) sizes.push(s);
  return sizes;
}

export function sizeOf(steps: readonly ReplayStep[]): TraceSize {
  let switches = 0;
  for (let i = 1; i < steps.length; i++) if (steps[i]!.process !== steps[i - 1]!.process) switches++;
  return { steps: steps.length, contextSwitches: switches, processes: new Set(steps.map((s) => s.process)).size };
}

function holds<G, L>(model: Model<G, L>, v: ReplayableViolation, steps: readonly ReplayStep[]): boolean {
  try {
    return confirmViolation(model, { ...v, trace: { ...v.trace, steps } });
  } catch (e) {
    if (e instanceof InputError) return false;
    throw e;
  }
}

export function minimize<G, L, T extends ReplayStep>(
  model: Model<G, L>,
  v: ReplayableViolation & { readonly trace: { readonly steps: readonly T[] } },
): { steps: T[]; before: TraceSize; after: TraceSize } {
  let steps = [...v.trace.steps];
  const before = sizeOf(steps);
  // A lasso must keep its cycle where it is; only finite traces are minimised.
  if (v.trace.loopsFrom !== undefined || !holds(model, v, steps)) return { steps, before, after: before };

  // 1. Fewer steps: drop contiguous chunks while the violation remains, largest first, to a
  //    fixpoint. A process's loop only goes away whole, so every chunk size up to 16 is tried,
  //    and powers of two above that (as delta debugging does).
  for (let changed = true; changed; ) {
    changed = false;
    for (const size of chunkSizes(steps.length)) {
      for (let i = steps.length - size; i >= 0; i--) {
        const shorter = [...steps.slice(0, i), ...steps.slice(i + size)];
        if (holds(model, v, shorter)) {
          steps = shorter;
          changed = true;
        }
      }
    }
  }
  // 2. Fewer context switches: move a step back to just after the previous step of its process.
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 1; i < steps.length; i++) {
      const p = steps[i]!.process;
      let j = i - 1;
      while (j >= 0 && steps[j]!.process !== p) j--;
      if (j === i - 1 || j < 0) continue;
      const moved = [...steps.slice(0, j + 1), steps[i]!, ...steps.slice(j + 1, i), ...steps.slice(i + 1)];
      if (sizeOf(moved).contextSwitches < sizeOf(steps).contextSwitches && holds(model, v, moved)) {
        steps = moved;
        changed = true;
      }
    }
  }
  // 3. Fewer processes: drop every step of one process at a time.
  for (const p of [...new Set(steps.map((s) => s.process))]) {
    const without = steps.filter((s) => s.process !== p);
    if (without.length < steps.length && holds(model, v, without)) steps = without;
  }
  return { steps, before, after: sizeOf(steps) };
}
