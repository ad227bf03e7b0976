// Reference configurations of the benchmark: the default SVM scenario under both protocols, the
// large SVM scenario (12 million states under xe), and one classic model. Each runs in its own
// process so that its peak memory is its own.

import type { Engine } from '../explorer/index.ts';

export interface BenchMode {
  readonly engine: Engine;
  /** Seconds after which the run stops (and is reported incomplete, its rate still measured). */
  readonly timeLimit?: number;
  /** Why this mode is not run on this configuration (printed in the table instead of numbers). */
  readonly skip?: string;
}

export interface BenchConfig {
  readonly scenario: string;
  readonly protocol?: string;
  /** Search on past violations, so a protocol with a finding is measured on its whole space. */
  readonly all?: boolean;
  readonly modes: readonly BenchMode[];
}

const EVERY: readonly BenchMode[] = [{ engine: 'authoring' }, { engine: 'fast' }, { engine: 'exact' }];

export const BENCH_CONFIGS: readonly BenchConfig[] = [
  { scenario: 'default', protocol: 'xe', modes: EVERY },
  { scenario: 'default', protocol: 'amdgpu-v3', all: true, modes: EVERY },
  {
    scenario: 'default-large',
    protocol: 'xe',
    modes: [
      // About 8 minutes to the end; the rate over the first two is what the bench compares.
      { engine: 'authoring', timeLimit: 120 },
      { engine: 'fast' },
      { engine: 'exact', skip: 'whole keys of 12 million states would take about 15 GB' },
    ],
  },
  { scenario: 'philosophers-large', modes: EVERY },
];
