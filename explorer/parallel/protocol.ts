// The messages between the coordinator (parallel.ts) and its worker threads (worker.ts).

import type { PackedParts } from '../frontier.ts';

/**
 * Where a worker gets the model: functions cannot cross threads, so each thread builds the
 * model itself, by calling `exportName(args)` of the module at `module` (a file URL).
 */
export interface ModelSource {
  readonly module: string;
  readonly exportName: string;
  readonly args: unknown;
}

export interface InitMessage {
  readonly kind: 'init';
  readonly source: ModelSource;
  readonly worker: number;
  readonly workers: number;
  readonly stopAtFirstViolation: boolean;
  /** Int32 [0]: distinct states so far, shared by every thread. */
  readonly counter: SharedArrayBuffer;
}

export interface LevelMessage {
  readonly kind: 'level';
  readonly table: SharedArrayBuffer;
  readonly frontier: PackedParts;
  /** The depth bound is reached: look for new states, keep none. */
  readonly atBound: boolean;
}

export interface LevelDone {
  readonly kind: 'done';
  readonly transitions: number;
  readonly coverage: number[];
  /** Properties violated in this level (their traces come from a sequential re-run). */
  readonly violated: string[];
  /** A new state was seen beyond the depth bound. */
  readonly beyondBound: boolean;
  /** Entries for each worker's next level, by worker. */
  readonly outboxes: PackedParts[];
  /** Entries of this level not expanded: the table got too full (the coordinator grows it). */
  readonly leftover: PackedParts;
}

export interface Failed {
  readonly kind: 'failed';
  readonly message: string;
  readonly input: boolean;
}
