// Reference configurations of the benchmark: the default SVM scenario under both protocols, the
// large SVM scenario (12 million states under xe), and one classic model. Each runs in its own
// process so that its peak memory is its own.

import type { Engine } from '../explorer/index.ts';

export interface BenchMode {
  readonly engine: Engine;
  /** Partial-order reduction, symmetry reduction (rows named e.g. fast+por). */
  readonly por?: boolean;
  readonly symmetry?: boolean;
  /** Worker threads (rows named e.g. fast/2 workers). */
  readonly workers?: number;
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

const NO_SYMMETRY = 'the scenario declares no interchangeable processes';
const REDUCED: readonly BenchMode[] = [
  { engine: 'fast', por: true },
  { engine: 'fast', symmetry: true, skip: NO_SYMMETRY },
];
const TWO_WORKERS: BenchMode = { engine: 'fast', workers: 2 };
const NO_SCHEMA: BenchMode = { ...TWO_WORKERS, skip: 'several workers need a model schema; the classic models declare none' };
const EVERY: readonly BenchMode[] = [{ engine: 'authoring' }, { engine: 'fast' }, { engine: 'exact' }, ...REDUCED, TWO_WORKERS];

/** The row name of a mode: the engine, then its reductions. */
export const modeName = (m: BenchMode): string =>
  [m.engine, ...(m.por ? ['por'] : []), ...(m.symmetry ? ['symmetry'] : [])].join('+') + (m.workers ? `/${m.workers} workers` : '');

export const BENCH_CONFIGS: readonly BenchConfig[] = [
  // xe violates F18 in default too: --all, so that every run explores the whole space.
  { scenario: 'default', protocol: 'xe', all: true, modes: EVERY },
  { scenario: 'default', protocol: 'amdgpu-v3', all: true, modes: EVERY },
  {
    scenario: 'default-large',
    protocol: 'xe',
    all: true,
    // Since F18's model (xe's queued TLB invalidations, madvise range by range) the space is past
    // 86 million states (depth 90 after 30 minutes, fast engine, unfinished): every mode runs two
    // minutes, and the bench compares the rates.
    modes: [
      { engine: 'authoring', timeLimit: 120 },
      { engine: 'fast', timeLimit: 120 },
      { engine: 'exact', skip: 'whole keys of more than 86 million states would not fit in memory' },
      ...REDUCED.map((m) => ({ ...m, timeLimit: 120 })),
      { ...TWO_WORKERS, timeLimit: 120 },
    ],
  },
  { scenario: 'philosophers-large', modes: [...EVERY.filter((m) => !m.workers), NO_SCHEMA] },
];
