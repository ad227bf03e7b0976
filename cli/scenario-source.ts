// How a worker thread gets the model of a scenario: it imports this module and calls
// scenarioModel with the scenario's and protocol's names (functions cannot cross threads).

import type { Model, ModelSource } from '../explorer/index.ts';
import { findScenario } from './catalogue.ts';

export interface ScenarioArgs {
  readonly scenario: string;
  readonly protocol: string;
}

export function scenarioModel(args: ScenarioArgs): Model<unknown, unknown> {
  return findScenario(args.scenario)
    .build(args.protocol)
    .use((m) => m as unknown as Model<unknown, unknown>);
}

export function scenarioSource(scenario: string, protocol: string): ModelSource {
  return { module: import.meta.url, exportName: 'scenarioModel', args: { scenario, protocol } satisfies ScenarioArgs };
}
