// `svmcheck explore`: one exhaustive check of a scenario under a protocol.

import { writeFileSync } from 'node:fs';
import { BUILTIN_PROPERTIES, explore, exploreParallel, InputError, minimize, terminalProgress, type Engine, type ExploreResult, type Fairness, type Model } from '../explorer/index.ts';
import { findProtocol, findScenario } from './catalogue.ts';
import { scenarioSource } from './scenario-source.ts';
import { EXIT } from './exit.ts';
import { formatExplore, formatViolation } from './format.ts';
import { htmlTrace } from './html-view.ts';
import { junit } from './junit.ts';
import { writeTraces } from './trace-file.ts';
import { lanes, mermaid } from './trace-views.ts';

export interface ExploreFlags {
  scenario: string;
  protocol?: string;
  depth?: number;
  maxStates?: number;
  timeLimit?: number;
  all?: boolean;
  liveness?: boolean;
  fairness?: Fairness;
  traceOut?: string;
  view?: string;
  junit?: string;
  minimize?: boolean;
  json?: boolean;
  engine?: Engine;
  por?: boolean;
  symmetry?: boolean;
  workers?: number;
  verifyFingerprints?: boolean;
}

const VIEWS = ['list', 'lanes', 'mermaid'] as const;

export async function exploreCommand(flags: ExploreFlags): Promise<number> {
  const scenario = findScenario(flags.scenario);
  const protocol = findProtocol(scenario, flags.protocol);
  const view = flags.view ?? 'list';
  if (!(VIEWS as readonly string[]).includes(view)) throw new InputError(`unknown view '${view}' (known: ${VIEWS.join(', ')})`);
  if (flags.fairness === 'weak' && !flags.liveness) throw new InputError('--fairness applies to the liveness search: add --liveness');
  const progress = terminalProgress();
  const output = await scenario.build(protocol).use(async <G, L>(model: Model<G, L>) => {
    const search = {
      engine: flags.engine ?? 'fast',
      ...(flags.por ? { partialOrder: true } : {}),
      ...(flags.symmetry ? { symmetry: true } : {}),
      ...(flags.verifyFingerprints ? { verifyFingerprints: true } : {}),
      ...(flags.depth !== undefined ? { maxDepth: flags.depth } : {}),
      ...(flags.maxStates !== undefined ? { maxStates: flags.maxStates } : {}),
      ...(flags.timeLimit !== undefined ? { timeLimitMs: flags.timeLimit * 1000 } : {}),
      ...(progress ? { progress } : {}),
      ...(flags.all ? { stopAtFirstViolation: false } : {}),
      ...(flags.liveness ? { liveness: true } : {}),
      ...(flags.fairness === 'weak' ? { fairness: 'weak' as const } : {}),
      ...(scenario.expectedUntaken ? { expectedUntaken: scenario.expectedUntaken } : {}),
    };
    const raw: ExploreResult =
      (flags.workers ?? 1) > 1 ? await exploreParallel(model, scenarioSource(scenario.name, protocol), { ...search, workers: flags.workers! }) : explore(model, search);
    // BFS traces are shortest in steps already; minimising can still cut context switches.
    const result: ExploreResult = flags.minimize
      ? {
          ...raw,
          violations: raw.violations.map((v) => {
            const m = minimize(model, v);
            return { ...v, trace: { ...v.trace, steps: m.steps }, minimized: { before: m.before, after: m.after } };
          }),
        }
      : raw;
    const views = result.violations.map((v) => ({
      v,
      list: formatViolation(v).join('\n'),
      lanes: () => lanes(model, v),
      mermaid: () => mermaid(model, v),
    }));
    if (flags.traceOut) {
      const files = writeTraces(flags.traceOut, scenario.name, protocol, result.violations);
      files.forEach((f, i) => {
        writeFileSync(f.replace(/\.json$/, '.txt'), `${views[i]!.lanes()}\n`);
        writeFileSync(f.replace(/\.json$/, '.mmd'), `${views[i]!.mermaid()}\n`);
        writeFileSync(f.replace(/\.json$/, '.html'), htmlTrace(model, views[i]!.v, `${scenario.name} / ${protocol}: ${views[i]!.v.invariant}`));
        if (!flags.json) process.stderr.write(`trace written to ${f} (.txt lanes, .mmd Mermaid, .html viewer)\n`);
      });
    }
    if (flags.junit) {
      const properties = [...BUILTIN_PROPERTIES.map((p) => p.id), ...scenario.invariants.filter((i) => i.kind !== 'liveness' || flags.liveness).map((i) => i.id)];
      const text = (id: string) => views.find((x) => x.v.invariant === id)?.list ?? '';
      // Properties not violated were checked to the end only if the search was exhaustive.
      const exhaustive = !result.incomplete && (flags.all === true || result.violations.length === 0);
      writeFileSync(flags.junit, junit(`${scenario.name}/${protocol}`, [...new Set(properties)], result, text, exhaustive));
    }
    const report =
      view === 'list'
        ? formatExplore(result, scenario.name, protocol)
        : [formatExplore(result, scenario.name, protocol, false), ...views.map((x) => (view === 'lanes' ? x.lanes() : x.mermaid()))].join('\n\n');
    return { result, report };
  });
  const { result, report } = output;
  if (flags.json) process.stdout.write(`${JSON.stringify({ scenario: scenario.name, protocol, ...result })}\n`);
  else process.stdout.write(`${report}\n`);
  return result.verdict === 'pass' ? EXIT.pass : result.verdict === 'violation' ? EXIT.violation : EXIT.incomplete;
}
