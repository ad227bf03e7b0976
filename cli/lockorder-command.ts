// `svmcheck lockorder`: the lock-order graph of a scenario, built lockdep style over every
// transition of an exhaustive search, with its cycles (potential deadlocks, reachable or not),
// the lock-context rules it breaks, and the deadlocks the search actually reached.

import { explore, InputError, terminalProgress, type ExploreResult, type WitnessedEdge } from '../explorer/index.ts';
import { applyProposal } from '../proposals/api.ts';
import { loadProposal } from './check-command.ts';
import { findProtocol, findScenario } from './catalogue.ts';
import { EXIT } from './exit.ts';
import { formatSteps, formatViolation } from './format.ts';

export interface LockorderFlags {
  scenario: string;
  protocol?: string;
  proposal?: string;
  dot?: boolean;
  json?: boolean;
}

const mode = (m: string): string => (m === 'read' ? 'R' : 'W');
const edgeName = (e: WitnessedEdge): string => `${e.from.lock}(${mode(e.from.mode)}) -> ${e.to.lock}(${mode(e.to.mode)})`;

function witness(e: WitnessedEdge): string[] {
  if (e.primed) return [`      declared: ${e.primed}`];
  return formatSteps(e.witness, '      ');
}

function text(r: ExploreResult, scenario: string, protocol: string): string {
  const lo = r.lockOrder!;
  const out = [`svmcheck lockorder: scenario ${scenario}, protocol ${protocol}`];
  out.push(`  ${r.states.toLocaleString('en-US')} states, ${r.transitions.toLocaleString('en-US')} transitions${r.incomplete ? `; incomplete: ${r.incomplete}` : ', exhaustive'}`);
  out.push('', 'dependencies (held -> acquired), with the step that first made each:');
  for (const e of lo.edges) {
    const last = e.witness.steps.at(-1);
    out.push(`  ${edgeName(e).padEnd(44)} ${e.primed ? 'declared (lockdep priming)' : `${last!.process} ${last!.label}, step ${e.witness.steps.length}`}`);
  }
  out.push('', lo.cycles.length === 0 ? 'cycles: none' : `cycles (potential deadlocks): ${lo.cycles.length}`);
  for (const c of lo.cycles) {
    out.push(`  ${[...c.edges.map((e) => e.from.lock), c.edges[0]!.from.lock].join(' -> ')}`);
    for (const e of c.edges) out.push(`    ${edgeName(e)}:`, ...witness(e));
  }
  out.push('', lo.ruleBreaks.length === 0 ? 'rules: none broken' : `rules broken: ${lo.ruleBreaks.length}`);
  for (const b of lo.ruleBreaks) out.push(`  ${b.rule}: ${b.statement}`, `    ${edgeName(b.edge)}:`, ...witness(b.edge));
  const deadlocks = r.violations.filter((v) => v.invariant === 'deadlock');
  out.push('', deadlocks.length === 0 ? 'deadlocks reached: none' : 'deadlocks reached:');
  for (const v of deadlocks) out.push(...formatViolation(v).map((l) => `  ${l}`));
  return out.join('\n');
}

function dot(r: ExploreResult): string {
  const lo = r.lockOrder!;
  const inCycle = new Set(lo.cycles.flatMap((c) => c.edges.map(edgeName)));
  const lines = ['digraph lockorder {', '  node [shape=box];'];
  for (const e of lo.edges) {
    const attrs = [`label="${mode(e.from.mode)}->${mode(e.to.mode)}"`];
    if (inCycle.has(edgeName(e))) attrs.push('color=red');
    if (e.primed) attrs.push('style=dashed');
    lines.push(`  "${e.from.lock}" -> "${e.to.lock}" [${attrs.join(', ')}];`);
  }
  lines.push('}');
  return lines.join('\n');
}

export async function lockorderCommand(flags: LockorderFlags): Promise<number> {
  const scenario = findScenario(flags.scenario);
  const proposal = flags.proposal ? await loadProposal(flags.proposal) : undefined;
  if (proposal && flags.protocol && flags.protocol !== proposal.base) {
    throw new InputError(`${flags.proposal} patches ${proposal.base}, not ${flags.protocol}`);
  }
  const protocol = findProtocol(scenario, proposal?.base ?? flags.protocol);
  const progress = terminalProgress();
  const opts = {
    stopAtFirstViolation: false,
    lockOrder: true,
    ...(scenario.lockRules ? { lockRules: scenario.lockRules } : {}),
    ...(progress ? { progress } : {}),
  };
  let r: ExploreResult;
  if (proposal) {
    r = explore(applyProposal(proposal, scenario.name).patched, opts);
  } else {
    r = scenario.build(protocol).use((model) => explore(model, opts));
  }
  if (flags.json) process.stdout.write(`${JSON.stringify({ scenario: scenario.name, protocol, states: r.states, incomplete: r.incomplete, ...r.lockOrder, deadlocks: r.violations.filter((v) => v.invariant === 'deadlock') })}\n`);
  else if (flags.dot) process.stdout.write(`${dot(r)}\n`);
  else process.stdout.write(`${text(r, scenario.name, protocol)}\n`);
  const lo = r.lockOrder!;
  if (lo.cycles.length > 0 || lo.ruleBreaks.length > 0 || r.violations.some((v) => v.invariant === 'deadlock')) return EXIT.violation;
  return r.incomplete ? EXIT.incomplete : EXIT.pass;
}
