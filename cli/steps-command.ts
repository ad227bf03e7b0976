// `svmcheck steps`: every step of every program a scenario runs, with the kernel function it
// stands for, the locks it takes or drops, and its note. For reviewers writing proposals, and
// the source of the step tables in docs/model.md (`--markdown`).

import type { Model, Step } from '../explorer/index.ts';
import { findProtocol, findScenario, SCENARIOS } from './catalogue.ts';
import { EXIT } from './exit.ts';

export interface StepsFlags {
  scenario: string;
  protocol?: string;
  allScenarios?: boolean;
  markdown?: boolean;
  json?: boolean;
}

interface StepRow {
  program: string;
  label: string;
  kernelFn: string;
  locks: string;
  note: string;
}

/** `+lock` taken, `-lock` dropped, `(R)` read mode; `alloc` if the step may allocate. */
function locks<G, L>(s: Step<G, L>): string {
  const ops = (s.locks ?? []).map((o) => `${o.op === 'acquire' ? '+' : '-'}${o.lock}${o.mode === 'read' ? '(R)' : ''}`);
  return [...ops, ...(s.mayAlloc ? ['alloc'] : [])].join(' ');
}

/**
 * The steps of every program of `m` not listed yet. A program can differ between scenarios (the
 * xe fault gains its migration steps when the scenario has device memory), so a program already
 * seen still contributes the steps it did not have before, and a step whose kernel function
 * differs with a parameter (the eviction with or without the driver's hook) is listed each way.
 */
function rows<G, L>(m: Model<G, L>, seen: Set<string>): StepRow[] {
  const out: StepRow[] = [];
  for (const p of m.processes) {
    for (const s of p.program.steps) {
      const key = `${p.program.name}/${s.label}/${s.kernelFn}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ program: p.program.name, label: s.label, kernelFn: s.kernelFn, locks: locks(s), note: s.note ?? '' });
    }
  }
  return out;
}

/** Rows grouped by program, in the order programs first appear. */
function byProgram(table: StepRow[]): StepRow[] {
  const order = [...new Set(table.map((r) => r.program))];
  return order.flatMap((p) => table.filter((r) => r.program === p));
}

export function stepsCommand(flags: StepsFlags): number {
  // With --all-scenarios, the protocol is checked against the first scenario that runs it.
  const named = flags.allScenarios && flags.protocol ? SCENARIOS.find((s) => s.protocols.some((p) => p.name === flags.protocol)) : undefined;
  const scenario = named ?? findScenario(flags.scenario);
  const protocol = findProtocol(scenario, flags.protocol);
  // With --all-scenarios: every program of every scenario that runs under this protocol, once.
  const scenarios = flags.allScenarios ? SCENARIOS.filter((s) => s.protocols.some((p) => p.name === protocol)) : [scenario];
  const seen = new Set<string>();
  const table = byProgram(scenarios.flatMap((s) => s.build(protocol).use((m) => rows(m, seen))));
  if (flags.json) process.stdout.write(`${JSON.stringify(table)}\n`);
  else if (flags.markdown) {
    let program = '';
    const out: string[] = [];
    for (const r of table) {
      if (r.program !== program) {
        program = r.program;
        out.push('', `#### ${program} (${protocol})`, '', '| step | kernel function | locks | what it does |', '|---|---|---|---|');
      }
      out.push(`| \`${r.label}\` | \`${r.kernelFn}\` | ${r.locks} | ${r.note} |`);
    }
    process.stdout.write(`${out.join('\n').trim()}\n`);
  } else {
    for (const r of table) process.stdout.write(`${`${r.program}/${r.label}`.padEnd(36)} ${r.kernelFn}${r.locks ? `  [${r.locks}]` : ''}\n`);
  }
  return EXIT.pass;
}
