// The engines checked against each other. Authoring mode (immer, fingerprints), fast mode
// (scratch copies, packed frontier, fingerprints) and the exact engine (whole keys, no hashing)
// must find the same states, the same transitions, the same verdicts with traces of the same
// length, and take every step the same number of times. A miscount by one state is a bug in one
// of them: a codec that merges two states, a hash-table slip, a recipe that behaves differently
// on a draft and on a plain copy.

import { ENGINES, explore, type Engine, type ExploreOptions, type ExploreResult } from './explore.ts';
import type { Model } from './model.ts';

export interface SelfCheck {
  readonly runs: readonly ExploreResult[];
  /** One line per disagreement, e.g. "states: authoring 10, fast 10, exact 12"; empty if none. */
  readonly differences: readonly string[];
}

export function selfCheck<G, L>(model: Model<G, L>, opts: Omit<ExploreOptions, 'engine'> = {}, engines: readonly Engine[] = ENGINES): SelfCheck {
  const runs = engines.map((engine) => explore(model, { stopAtFirstViolation: false, ...opts, engine }));
  // Coverage: only the steps whose counts differ, so a difference reads as a short line.
  const steps = Object.keys(runs[0]?.coverage.steps ?? {});
  const differing = steps.filter((k) => runs.some((r) => r.coverage.steps[k] !== runs[0]!.coverage.steps[k]));
  const aspects: [string, (r: ExploreResult) => string][] = [
    ['states', (r) => String(r.states)],
    ['transitions', (r) => String(r.transitions)],
    ['depth', (r) => String(r.maxDepth)],
    ['verdict', (r) => r.verdict],
    ['violations', (r) => r.violations.map((v) => `${v.invariant}/${v.trace.steps.length}`).sort().join(' ') || 'none'],
    ['coverage', (r) => differing.map((k) => `${k}=${r.coverage.steps[k]}`).join(' ')],
  ];
  const differences = aspects.flatMap(([name, of]) => {
    const values = runs.map(of);
    if (values.every((v) => v === values[0])) return [];
    return [`${name}: ${runs.map((r, i) => `${r.mode} ${values[i]}`).join(', ')}`];
  });
  return { runs, differences };
}
