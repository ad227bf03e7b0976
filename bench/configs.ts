// Reference configurations of the benchmark. Each runs in its own process so that its peak
// memory is its own. The SVM scenarios join this list when the model exists (issue 8 sizes the
// large one); engine modes join as they are built.

export interface BenchConfig {
  readonly scenario: string;
  readonly protocol?: string;
  readonly mode: 'authoring';
}

export const BENCH_CONFIGS: readonly BenchConfig[] = [
  { scenario: 'mutex', mode: 'authoring' },
  { scenario: 'philosophers', mode: 'authoring' },
  { scenario: 'philosophers-large', mode: 'authoring' },
];
