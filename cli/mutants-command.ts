// `svmcheck mutants`: runs every broken variant and shows that the checker catches each as the
// invariant it breaks, with a trace that replays to where that invariant fails, while the
// unpatched protocol on the same configuration keeps it. Exit 1 if any mutant escapes.

import { confirmViolation, explore } from '../explorer/index.ts';
import { MUTANTS, mutantModel, soundModel, type Mutant } from '../invariants/mutants.ts';
import { EXIT } from './exit.ts';

export interface MutantRow {
  invariant: string;
  mutant: string;
  protocol: string;
  caught: boolean;
  traceLength: number | null;
  states: number;
  /** The unpatched protocol keeps the invariant on the same configuration. */
  soundHolds: boolean;
}

export function runMutant(m: Mutant): MutantRow {
  const opts = { stopAtFirstViolation: false, liveness: m.liveness ?? false };
  const model = mutantModel(m);
  const r = explore(model, opts);
  const v = r.violations.find((x) => x.invariant === m.invariant);
  const caught = v !== undefined && confirmViolation(model, v);
  const sound = explore(soundModel(m), opts);
  return {
    invariant: m.invariant,
    mutant: m.name,
    protocol: m.protocol,
    caught,
    traceLength: v ? v.trace.steps.length : null,
    states: r.states,
    soundHolds: !sound.violations.some((x) => x.invariant === m.invariant),
  };
}

export function mutantsCommand(flags: { json?: boolean }): number {
  const rows = MUTANTS.map(runMutant);
  if (flags.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
  else {
    const head = ['invariant', 'mutant', 'caught', 'trace', 'states', 'unpatched'];
    const cells = rows.map((r) => [r.invariant, r.mutant, r.caught ? 'yes' : 'NO', String(r.traceLength ?? '-'), String(r.states), r.soundHolds ? 'holds' : 'VIOLATES']);
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
    for (const line of [head, ...cells]) process.stdout.write(`${line.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}\n`);
    const escaped = rows.filter((r) => !r.caught || !r.soundHolds).length;
    process.stdout.write(`${rows.length} mutants, ${rows.length - escaped} caught, ${escaped} escaped\n`);
  }
  return rows.every((r) => r.caught && r.soundHolds) ? EXIT.pass : EXIT.violation;
}
