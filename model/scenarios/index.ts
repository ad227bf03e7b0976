// The SVM scenarios as the CLI lists them: every one runs under both protocols.

import { someModel, type Scenario } from '../../explorer/index.ts';
import { svmInvariants } from '../../invariants/index.ts';
import { svmModel } from '../build.ts';
import { PROTOCOLS, type Protocol } from '../config.ts';
import { SVM_SCENARIOS } from './configs.ts';

export const SVM_CATALOGUE: readonly Scenario[] = SVM_SCENARIOS.map((s) => ({
  name: s.name,
  description: s.description,
  protocols: PROTOCOLS,
  defaultProtocol: 'amdgpu-v3',
  invariants: svmInvariants,
  ...(s.expectedUntaken ? { expectedUntaken: s.expectedUntaken } : {}),
  build: (protocol: string) => someModel(svmModel(s.name, s.config, protocol as Protocol)),
}));
