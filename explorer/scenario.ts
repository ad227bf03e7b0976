// A scenario is a named, bounded configuration of a model (how many pages, processes, retries)
// that can be run under one of several protocol variants. The catalogue of scenarios lives with
// the CLI; the engine only knows this shape.

import type { LockRule } from './lockorder.ts';
import type { Model } from './model.ts';

export interface ProtocolInfo {
  readonly name: string;
  readonly description: string;
}

export interface InvariantInfo {
  readonly id: string;
  readonly statement: string;
  readonly kind?: 'state' | 'action' | 'liveness';
  readonly justification?: string;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly protocols: readonly ProtocolInfo[];
  readonly defaultProtocol: string;
  /** The properties the scenario's models check (beyond the engine's built-in ones). */
  readonly invariants: readonly InvariantInfo[];
  /**
   * Steps (`program/label`) this scenario cannot take, each with the reason; after an
   * exhaustive search they are not warned about. Steps a protocol does not have are ignored.
   */
  readonly expectedUntaken?: Readonly<Record<string, string>>;
  /** Lock-context rules every lock-order edge is checked against (`svmcheck lockorder`). */
  readonly lockRules?: readonly LockRule[];
  /** Builds the model for one protocol; the name is one of `protocols`. */
  build(protocol: string): SomeModel;
}

/**
 * A model whose state types are hidden (an existential type): scenarios of different models sit
 * in one catalogue, and whoever runs one gets the types back inside `use`.
 */
export interface SomeModel {
  readonly name: string;
  use<R>(f: <G, L>(m: Model<G, L>) => R): R;
}

export function someModel<G, L>(m: Model<G, L>): SomeModel {
  return { name: m.name, use: (f) => f(m) };
}
