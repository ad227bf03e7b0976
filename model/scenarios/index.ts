// The SVM scenarios as the CLI lists them: every one runs under both protocols.

import { someModel, type InvariantInfo, type Scenario } from '../../explorer/index.ts';
import { cpuFaultsTerminate, faultsTerminate } from '../../invariants/liveness.ts';
import { SVM_LOCK_RULES } from '../../invariants/lock-rules.ts';
import { svmInvariants } from '../../invariants/index.ts';
import { svmModel } from '../build.ts';
import { PROTOCOLS, type Protocol } from '../config.ts';
import { SVM_SCENARIOS } from './configs.ts';

/** What `svmcheck list` says of the SVM invariants (the policy only changes a statement's wording). */
const INVARIANT_INFO: readonly InvariantInfo[] = [...svmInvariants('clear'), faultsTerminate([]), cpuFaultsTerminate([])].map((i) => ({
  id: i.id,
  statement: i.statement,
  kind: i.kind,
  ...(i.justification ? { justification: i.justification } : {}),
}));

export const SVM_CATALOGUE: readonly Scenario[] = SVM_SCENARIOS.map((s) => ({
  name: s.name,
  description: s.description,
  protocols: PROTOCOLS,
  defaultProtocol: 'amdgpu-v3',
  invariants: INVARIANT_INFO,
  lockRules: SVM_LOCK_RULES,
  ...(s.expectedUntaken ? { expectedUntaken: s.expectedUntaken } : {}),
  build: (protocol: string) => someModel(svmModel(s.name, s.config, protocol as Protocol)),
}));
