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
}

export const goto = (label: string, effect?: Exit['effect']): Exit => (effect ? { to: () => label, effect } : { to: () => label });
