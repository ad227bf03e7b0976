// What the invariants need to read off states and transitions. Read-only.

import type { SysState, TransitionView } from '../explorer/index.ts';
import { LOCK_SLOT } from '../model/locks.ts';
import { attrValue } from '../model/queries.ts';
import type { Range, SvmGlobals, SvmLocals } from '../model/state.ts';

export type S = SysState<SvmGlobals, SvmLocals>;
export type T = TransitionView<SvmGlobals, SvmLocals>;

/** Does the process hold `lock` during the step: held before it, or taken by it. */
export function heldDuring(before: S, t: T, slot: number, name: string, mode?: 'read' | 'write'): boolean {
  const h = before.locks[slot];
  if (h) {
    if ((mode === undefined || mode === 'write') && h.w === t.pid) return true;
    if ((mode === undefined || mode === 'read') && (h.r & (1 << t.pid)) !== 0) return true;
  }
  return (t.step.locks ?? []).some((o) => o.op === 'acquire' && o.lock === name && (mode === undefined || o.mode === mode));
}

export const holdsNotifier = (before: S, t: T): boolean => heldDuring(before, t, LOCK_SLOT.notifier_lock, 'notifier_lock');

/** The driver lock held for write before the step (it is never taken inside a tree change). */
export const holdsDriverWrite = (before: S, t: T): boolean => before.locks[LOCK_SLOT.driver]?.w === t.pid;

export const key = (r: Range): string => `${r.start}-${r.end}`;

type WithGlobals = { readonly g: SvmGlobals };

export function removed(before: WithGlobals, after: WithGlobals): Range[] {
  const now = new Set(after.g.ranges.map(key));
  return before.g.ranges.filter((r) => !now.has(key(r)));
}

export function inserted(before: WithGlobals, after: WithGlobals): Range[] {
  const then = new Set(before.g.ranges.map(key));
  return after.g.ranges.filter((r) => !then.has(key(r)));
}

/** Pages whose attribute value (NONE: none) differs between two states. */
export function attrChanged(before: S, after: S): number[] {
  return before.g.pages.map((_, p) => p).filter((p) => attrValue(before.g, p) !== attrValue(after.g, p));
}

export const locals = (s: S, t: T): SvmLocals => s.procs[t.pid]!.locals;

export const pages = (start: number, end: number): number[] => Array.from({ length: end - start }, (_, i) => start + i);
