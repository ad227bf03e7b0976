// What a proposal file exports (default export): a name, one line on what it changes, the
// protocol it patches, optionally the scenarios to compare on (default: every SVM scenario),
// locks it adds, and patches by step label (explorer/patch.ts lists the operations).

import type { LockDecl, StepPatch } from '../explorer/index.ts';
import type { Protocol } from '../model/config.ts';
import type { SvmGlobals, SvmLocals } from '../model/state.ts';

export interface Proposal {
  readonly name: string;
  readonly title: string;
  readonly base: Protocol;
  readonly scenarios?: readonly string[];
  readonly addLocks?: readonly LockDecl[];
  readonly patches: readonly StepPatch<SvmGlobals, SvmLocals>[];
}

/** Identity, for type checking in the proposal file. */
export const defineProposal = (p: Proposal): Proposal => p;
