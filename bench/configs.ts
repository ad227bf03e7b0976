// Reference configurations of the benchmark. Each runs in its own process so that its peak
// memory is its own. The large SVM scenario comes with the performance issue; engine modes join
// as they are built.

export interface BenchConfig {
  readonly scenario: string;
  readonly protocol?: string;
  /** Search on past violations, so a protocol with a finding is measured on its whole space. */
  readonly all?: boolean;
  readonly mode: 'authoring';
}

export const BENCH_CONFIGS: readonly BenchConfig[] = [
  { scenario: 'default', protocol: 'xe', mode: 'authoring' },
  { scenario: 'default', protocol: 'amdgpu-v3', all: true, mode: 'authoring' },
  { scenario: 'mutex', mode: 'authoring' },
  { scenario: 'philosophers', mode: 'authoring' },
  { scenario: 'philosophers-large', mode: 'authoring' },
];
