// What a proposal file exports (default export): a name, one line on what it changes, the
// protocol it patches, optionally the scenarios to compare on (default: every SVM scenario),
// locks it adds, and patches by step label (explorer/patch.ts lists the operations).

import { InputError, patchModel, type LockDecl, type Model, type StepPatch } from '../explorer/index.ts';
import { svmModel } from '../model/build.ts';
import type { Protocol } from '../model/drivers/index.ts';
import { SVM_SCENARIOS } from '../model/scenarios/configs.ts';
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

/**
 * The base model of an SVM scenario under the proposal's protocol, and the same model with the
 * proposal applied. A patch applies where its program runs (a scenario without that process
 * is left as it is).
 */
export function applyProposal(p: Proposal, scenario: string): { base: Model<SvmGlobals, SvmLocals>; patched: Model<SvmGlobals, SvmLocals>; programs: Set<string> } {
  const s = SVM_SCENARIOS.find((x) => x.name === scenario);
  if (!s) throw new InputError(`proposals patch SVM protocols; ${scenario} is not an SVM scenario`);
  const base = svmModel(s.name, s.config, p.base);
  const programs = new Set(base.processes.map((x) => x.program.name));
  const patched = patchModel(base, p.patches.filter((x) => programs.has(x.program)), `${scenario}/${p.name}`, p.addLocks ?? []);
  return { base, patched, programs };
}
