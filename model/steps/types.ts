// Shorthands shared by the step factories.

import type { Draft } from 'immer';
import type { Step } from '../../explorer/index.ts';
import type { SvmGlobals, SvmLocals } from '../state.ts';

export type SvmStep = Step<SvmGlobals, SvmLocals>;

/**
 * Where a sub-flow (get_pages, find_or_insert, the GC loop) goes when it ends one way: a label,
 * computed on the locals after `effect` ran (e.g. a retry counter the caller keeps).
 */
export interface Exit {
  readonly to: (l: SvmLocals) => string;
  readonly effect?: (l: Draft<SvmLocals>, g: Draft<SvmGlobals>) => void;
  /** Top-level components of g the effect reads and writes: every step that runs it declares them. */
  readonly reads?: readonly string[];
  readonly writes?: readonly string[];
}

/** Where committing a range to the GPU page table goes: mapped, or -EAGAIN (pages no longer valid). */
export interface MapExits {
  readonly ok: Exit;
  readonly again: Exit;
}

/** A step that ends a sub-flow one way: its own kernel function, cite and locks, then the caller's Exit. */
export function exitStep(step: Omit<SvmStep, 'reads' | 'writes' | 'effect' | 'next'>, x: Exit): SvmStep {
  return { ...step, reads: x.reads, writes: x.writes, effect: (g, l) => x.effect?.(l, g), next: (_g, l) => x.to(l) };
}

export const goto = (label: string, effect?: Exit['effect']): Exit => (effect ? { to: () => label, effect } : { to: () => label });

/**
 * A step's footprint (its reads or writes) joined with what the caller-supplied functions it
 * runs touch (exits' effects, a target interval): each name once; undefined if there is none.
 */
export function joined(own: readonly string[] | undefined, ...more: (readonly string[] | undefined)[]): readonly string[] | undefined {
  const all = [...new Set([...(own ?? []), ...more.flatMap((m) => m ?? [])])];
  return all.length > 0 ? all : undefined;
}
