// The SVM scenarios as the CLI lists them: each runs under every driver that can run its
// configuration (RFC V3 has no device memory, so a VRAM scenario runs amdgpu-v3-vram and xe).

import { someModel, type InvariantInfo, type Scenario } from '../../explorer/index.ts';
import { cpuFaultsTerminate, faultsTerminate } from '../../invariants/liveness.ts';
import { SVM_LOCK_RULES } from '../../invariants/lock-rules.ts';
import { svmInvariants } from '../../invariants/index.ts';
import { svmModel } from '../build.ts';
import type { Driver } from '../driver.ts';
import { DRIVERS } from '../drivers/index.ts';
import { SVM_SCENARIOS, type SvmScenario } from './configs.ts';

/** What `svmcheck list` says of the SVM invariants (the policy only changes a statement's wording). */
const INVARIANT_INFO: readonly InvariantInfo[] = [...svmInvariants('clear'), faultsTerminate([]), cpuFaultsTerminate([])].map((i) => ({
  id: i.id,
  statement: i.statement,
  kind: i.kind,
  ...(i.justification ? { justification: i.justification } : {}),
}));

/** The drivers that can run a configuration, in registry order (amdgpu first: the default). */
export const driversFor = (s: SvmScenario): readonly Driver[] => DRIVERS.filter((d) => d.refuses?.(s.config) === undefined);

export const SVM_CATALOGUE: readonly Scenario[] = SVM_SCENARIOS.map((s) => ({
  name: s.name,
  description: s.description,
  protocols: driversFor(s).map((d) => ({ name: d.name, description: d.description })),
  defaultProtocol: driversFor(s)[0]!.name,
  invariants: INVARIANT_INFO,
  lockRules: SVM_LOCK_RULES,
  ...(s.expectedUntaken ? { expectedUntaken: s.expectedUntaken } : {}),
  build: (protocol: string) => someModel(svmModel(s.name, s.config, protocol)),
}));
