// `svmcheck simulate`: random runs with the fast-check engine, for configurations too large to
// exhaust. A violation is shrunk by fast-check, then minimised; the seed reproduces the run.
// Finding nothing proves nothing, and the report says so.

import { minimize, simulate, type Model } from '../explorer/index.ts';
import { findProtocol, findScenario } from './catalogue.ts';
import { EXIT } from './exit.ts';
import { formatViolation } from './format.ts';

export interface SimulateFlags {
  scenario: string;
  protocol?: string;
  runs?: number;
  seed?: number;
  maxSteps?: number;
  json?: boolean;
}

export function simulateCommand(flags: SimulateFlags): number {
  const scenario = findScenario(flags.scenario);
  const protocol = findProtocol(scenario, flags.protocol);
  const out = scenario.build(protocol).use(<G, L>(model: Model<G, L>) => {
    const r = simulate(model, {
      ...(flags.runs !== undefined ? { runs: flags.runs } : {}),
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      ...(flags.maxSteps !== undefined ? { maxSteps: flags.maxSteps } : {}),
    });
    if (!r.violation) return { r, min: undefined };
    return { r, min: minimize(model, r.violation) };
  });
  const { r, min } = out;
  const head = `svmcheck simulate: scenario ${scenario.name}, protocol ${protocol}, seed ${r.seed}`;
  if (flags.json) {
    const violation = r.violation && min ? { ...r.violation, trace: { ...r.violation.trace, steps: min.steps }, sizeBefore: min.before, sizeAfter: min.after } : undefined;
    process.stdout.write(`${JSON.stringify({ scenario: scenario.name, protocol, seed: r.seed, runs: r.runs, maxSteps: r.maxSteps, steps: r.steps, violation })}\n`);
  } else if (!r.violation || !min) {
    process.stdout.write(`${head}\nno violation found in ${r.runs} random runs of at most ${r.maxSteps} moves (random search: not exhaustive)\n`);
  } else {
    const size = (s: { steps: number; contextSwitches: number; processes: number }) => `${s.steps} steps, ${s.contextSwitches} context switches, ${s.processes} processes`;
    const v = { ...r.violation, trace: { ...r.violation.trace, steps: min.steps } };
    process.stdout.write(
      [head, `violation found; shrunk, then minimised from ${size(min.before)} to ${size(min.after)}`, '', ...formatViolation(v), ''].join('\n'),
    );
  }
  return r.violation ? EXIT.violation : EXIT.pass;
}
