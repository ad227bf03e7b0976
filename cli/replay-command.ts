// `svmcheck replay FILE`: re-executes a trace file on the current model and says whether it
// still violates its invariant (exit 1) or no longer does (exit 0). A step that is no longer
// enabled is bad input: exit 2 with the first such step and why.

import { confirmViolation } from '../explorer/index.ts';
import { applyProposal } from '../proposals/api.ts';
import { findProtocol, findScenario } from './catalogue.ts';
import { loadProposal } from './check-command.ts';
import { EXIT } from './exit.ts';
import { readTraceFile } from './trace-file.ts';

export async function replayCommand(file: string, flags: { json?: boolean }): Promise<number> {
  const t = readTraceFile(file);
  const scenario = findScenario(t.scenario);
  const protocol = findProtocol(scenario, t.protocol);
  const trace = { initial: t.initial, steps: t.steps, ...(t.loopsFrom !== undefined ? { loopsFrom: t.loopsFrom } : {}), ...(t.fairness ? { fairness: t.fairness } : {}) };
  let still: boolean;
  if (t.proposal) {
    // A trace from `svmcheck check`: replay it on the protocol with the proposal applied.
    const model = applyProposal(await loadProposal(t.proposal), scenario.name).patched;
    still = confirmViolation(model, { invariant: t.invariant, trace });
  } else {
    still = scenario.build(protocol).use((m) => confirmViolation(m, { invariant: t.invariant, trace }));
  }
  const verdict = still ? `still violates ${t.invariant}` : `replays, but no longer violates ${t.invariant}`;
  if (flags.json) process.stdout.write(`${JSON.stringify({ file, scenario: t.scenario, protocol, invariant: t.invariant, steps: t.steps.length, stillViolates: still })}\n`);
  else process.stdout.write(`${file}: ${t.steps.length} steps on scenario ${t.scenario}, protocol ${protocol}${t.proposal ? ` with ${t.proposal}` : ''}: ${verdict}\n`);
  return still ? EXIT.violation : EXIT.pass;
}
