// What the invariants need to read off states and transitions. Read-only.

import type { SysState, TransitionView } from '../explorer/index.ts';
import { notifierLock } from '../model/locks.ts';
import { attrValue, pagesOf } from '../model/queries.ts';
import type { DevPages, Range, SvmGlobals, SvmLocals } from '../model/state.ts';
import { SINGLE, type Topology } from '../model/topology.ts';

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

/** The notifier lock of instance `inst` is held during the step. */
export const holdsNotifier = (before: S, t: T, topo: Topology = SINGLE, inst = 0): boolean =>
  heldDuring(before, t, topo.notifierSlot(inst), notifierLock(inst));

/** The driver lock of instance `inst` held for write before the step (never taken inside a tree change). */
export const holdsDriverWrite = (before: S, t: T, topo: Topology = SINGLE, inst = 0): boolean =>
  before.locks[topo.driverSlot(inst)]?.w === t.pid;

/** A range's identity in its tree: instance and bounds. */
export const key = (r: Range): string => `${r.inst}:${r.start}-${r.end}`;

/** A range's pages sets with the GPU each belongs to. */
export function pagesSets(r: Range, topo: Topology): { dev: number; pages: DevPages }[] {
  return topo.devicesOf(r.inst).map((dev, slot) => ({ dev, pages: pagesOf(r, slot) }));
}

type WithGlobals = { readonly g: SvmGlobals };

/** The two trees hold the same ranges in the same order (most steps do not touch the tree). */
function sameTree(a: readonly Range[], b: readonly Range[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.inst !== y.inst || x.start !== y.start || x.end !== y.end) return false;
  }
  return true;
}

export function removed(before: WithGlobals, after: WithGlobals): Range[] {
  if (sameTree(before.g.ranges, after.g.ranges)) return [];
  const now = new Set(after.g.ranges.map(key));
  return before.g.ranges.filter((r) => !now.has(key(r)));
}

export function inserted(before: WithGlobals, after: WithGlobals): Range[] {
  if (sameTree(before.g.ranges, after.g.ranges)) return [];
  const then = new Set(before.g.ranges.map(key));
  return after.g.ranges.filter((r) => !then.has(key(r)));
}

/** Pages whose attribute value (NONE: none) differs between two states. */
export function attrChanged(before: S, after: S): number[] {
  return before.g.pages.map((_, p) => p).filter((p) => attrValue(before.g, p) !== attrValue(after.g, p));
}

export const locals = (s: S, t: T): SvmLocals => s.procs[t.pid]!.locals;

export const pages = (start: number, end: number): number[] => Array.from({ length: end - start }, (_, i) => start + i);

/**
 * Every process has finished or waits at one of its end labels (`idle`: where a worker waits for
 * work forever, e.g. gc_idle), and the GC has nothing left to do.
 */
export const quiescent = (s: { g: SvmGlobals; procs: readonly { pc: string }[] }, idle: ReadonlySet<string>): boolean =>
  s.g.gcList.length === 0 && !s.g.gcPending.some((x) => x) && !s.g.gcRunning.some((x) => x) && s.procs.every((p) => p.pc === 'done' || idle.has(p.pc));
