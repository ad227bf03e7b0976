// `svmcheck explore`: one exhaustive check of a scenario under a protocol.

import { explore, terminalProgress, type ExploreResult } from '../explorer/index.ts';
import { findProtocol, findScenario } from './catalogue.ts';
import { EXIT } from './exit.ts';
import { formatExplore } from './format.ts';
import { writeTraces } from './trace-file.ts';

export interface ExploreFlags {
  scenario: string;
  protocol?: string;
  depth?: number;
  maxStates?: number;
  timeLimit?: number;
  all?: boolean;
  liveness?: boolean;
  traceOut?: string;
  json?: boolean;
}

export function exploreCommand(flags: ExploreFlags): number {
  const scenario = findScenario(flags.scenario);
  const protocol = findProtocol(scenario, flags.protocol);
  const progress = terminalProgress();
  const result: ExploreResult = scenario.build(protocol).use((model) =>
    explore(model, {
      ...(flags.depth !== undefined ? { maxDepth: flags.depth } : {}),
      ...(flags.maxStates !== undefined ? { maxStates: flags.maxStates } : {}),
      ...(flags.timeLimit !== undefined ? { timeLimitMs: flags.timeLimit * 1000 } : {}),
      ...(progress ? { progress } : {}),
      ...(flags.all ? { stopAtFirstViolation: false } : {}),
      ...(flags.liveness ? { liveness: true } : {}),
      ...(scenario.expectedUntaken ? { expectedUntaken: scenario.expectedUntaken } : {}),
    }),
  );
  if (flags.traceOut) {
    const files = writeTraces(flags.traceOut, scenario.name, protocol, result.violations);
    if (!flags.json) for (const f of files) process.stderr.write(`trace written to ${f}\n`);
  }
  if (flags.json) process.stdout.write(`${JSON.stringify({ scenario: scenario.name, protocol, ...result })}\n`);
  else process.stdout.write(`${formatExplore(result, scenario.name, protocol)}\n`);
  return result.verdict === 'pass' ? EXIT.pass : result.verdict === 'violation' ? EXIT.violation : EXIT.incomplete;
}
