// Lock semantics: who may acquire, and the bookkeeping of holders. Blocking is a guard: an acquire
// that conflicts with the current holders is simply not enabled. Readers are a bitmask of pids,
// so a model has at most 31 processes.
//
// rwsem readers here never wait for a queued writer (no writer preference). Real rwsems do block
// new readers behind a waiting writer; deadlocks that need that rule are the lock-order
// analysis's to report (lockdep treats rwsem read acquisitions as non-recursive).

import type { LockHold, LockMode } from './model.ts';

export const MAX_PROCESSES = 31;

export const FREE: LockHold = { w: -1, r: 0 };

/** Can `pid` take the lock in `mode` now? (Whether it already holds it is checked separately.) */
export function available(h: LockHold, mode: LockMode): boolean {
  return mode === 'read' ? h.w === -1 : h.w === -1 && h.r === 0;
}

export function holds(h: LockHold, pid: number, mode?: LockMode): boolean {
  const asWriter = h.w === pid;
  const asReader = (h.r & (1 << pid)) !== 0;
  if (mode === 'write') return asWriter;
  if (mode === 'read') return asReader;
  return asWriter || asReader;
}

/** The mode in which `pid` holds the lock, if it does. */
export function heldMode(h: LockHold, pid: number): LockMode | undefined {
  if (h.w === pid) return 'write';
  if ((h.r & (1 << pid)) !== 0) return 'read';
  return undefined;
}

/** Mutates a draft or a scratch copy of a lock hold. */
export function acquire(h: { w: number; r: number }, pid: number, mode: LockMode): void {
  if (mode === 'write') h.w = pid;
  else h.r |= 1 << pid;
}

export function release(h: { w: number; r: number }, pid: number, mode: LockMode): void {
  if (mode === 'write') h.w = -1;
  else h.r &= ~(1 << pid);
}

export function holdsAny(locks: readonly LockHold[], pid: number): boolean {
  for (const h of locks) if (holds(h, pid)) return true;
  return false;
}
