// `svmcheck steps`: every step of every program a scenario runs, with the kernel function it
// stands for, the locks it takes or drops, its note, and the source lines it cites. For reviewers
// writing proposals, and the source of the step tables in docs/model.md (`--markdown`).

import type { Citation, Model, Scenario, Step } from '../explorer/index.ts';
import { findProtocol, findScenario, SCENARIOS } from './catalogue.ts';
import { EXIT } from './exit.ts';

export interface StepsFlags {
  scenario: string;
  protocol?: string;
  allScenarios?: boolean;
  markdown?: boolean;
  json?: boolean;
  /** Only the steps that cite no source and say no reason why. */
  uncited?: boolean;
}

export interface StepRow {
  program: string;
  label: string;
  kernelFn: string;
  locks: string;
  note: string;
  cite: readonly Citation[];
  unsourced?: string;
}

/** `+lock` taken, `-lock` dropped, `(R)` read mode; `alloc` if the step may allocate. */
function locks<G, L>(s: Step<G, L>): string {
  const ops = (s.locks ?? []).map((o) => (o.op === 'downgrade' ? `~${o.lock}(W->R)` : `${o.op === 'acquire' ? '+' : '-'}${o.lock}${o.mode === 'read' ? '(R)' : ''}`));
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
      out.push({ program: p.program.name, label: s.label, kernelFn: s.kernelFn, locks: locks(s), note: s.note ?? '', cite: s.cite ?? [], ...(s.unsourced ? { unsourced: s.unsourced } : {}) });
    }
  }
  return out;
}

/** A table cell: pipes escaped, lines joined (GFM tables are one line per row). */
const cell = (text: string): string => text.trim().replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ⏎ ');

/** The source column: each citation as `fn` (where): ``quote``; or why there is none. */
export function sourceCell(r: Pick<StepRow, 'cite' | 'unsourced'>): string {
  if (r.cite.length === 0) return r.unsourced ? cell(`no source: ${r.unsourced}`) : '**uncited**';
  return r.cite.map((c) => `\`${c.fn}\` (${cell(c.ref)}): \`\` ${cell(c.quote)} \`\``).join('; ');
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
  const all = flags.allScenarios ? protocolSteps(protocol) : stepRows([scenario], protocol);
  const table = flags.uncited ? all.filter((r) => r.cite.length === 0 && !r.unsourced) : all;
  if (flags.json) process.stdout.write(`${JSON.stringify(table)}\n`);
  else if (flags.markdown) process.stdout.write(stepsMarkdown(table, protocol));
  else {
    for (const r of table) process.stdout.write(`${`${r.program}/${r.label}`.padEnd(36)} ${r.kernelFn}${r.locks ? `  [${r.locks}]` : ''}\n`);
  }
  return EXIT.pass;
}

/** Every step of the given scenarios' programs under `protocol`, once each. */
function stepRows(scenarios: readonly Scenario[], protocol: string): StepRow[] {
  const seen = new Set<string>();
  return byProgram(scenarios.flatMap((s) => s.build(protocol).use((m) => rows(m, seen))));
}

/** Every step of every program of every scenario that runs under this protocol. */
export function protocolSteps(protocol: string): StepRow[] {
  return stepRows(
    SCENARIOS.filter((s) => s.protocols.some((p) => p.name === protocol)),
    protocol,
  );
}

/** The step reference of one protocol, as docs/model.md carries it. */
export function stepsMarkdown(table: readonly StepRow[], protocol: string): string {
  let program = '';
  const out: string[] = [];
  for (const r of table) {
    if (r.program !== program) {
      program = r.program;
      out.push('', `#### ${program} (${protocol})`, '', '| step | kernel function | locks | what it does | source |', '|---|---|---|---|---|');
    }
    out.push(`| \`${r.label}\` | \`${r.kernelFn}\` | ${r.locks} | ${r.note} | ${sourceCell(r)} |`);
  }
  return `${out.join('\n').trim()}\n`;
}
