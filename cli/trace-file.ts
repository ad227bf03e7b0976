// Counterexamples as JSON files that replay: `explore --trace-out DIR` writes one per violated
// invariant; `svmcheck replay FILE` re-executes one on the current model.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, type Violation } from '../explorer/index.ts';

export const TRACE_FORMAT = 'svmcheck-trace/1';

export interface TraceFile {
  readonly format: typeof TRACE_FORMAT;
  readonly scenario: string;
  readonly protocol: string;
  /** The proposal file applied to the protocol, if the trace comes from `svmcheck check`. */
  readonly proposal?: string;
  readonly invariant: string;
  readonly statement: string;
  readonly message: string;
  readonly initial: number;
  readonly loopsFrom?: number;
  /** The cycle was found under weak fairness: replay checks that it is fair. */
  readonly fairness?: 'weak';
  readonly steps: readonly { readonly process: string; readonly label: string; readonly kernelFn: string; readonly choice?: number }[];
}

export function writeTraces(dir: string, scenario: string, protocol: string, violations: readonly Violation[], proposal?: { file: string; name: string }): string[] {
  mkdirSync(dir, { recursive: true });
  return violations.map((v) => {
    const file: TraceFile = {
      format: TRACE_FORMAT,
      scenario,
      protocol,
      ...(proposal ? { proposal: proposal.file } : {}),
      invariant: v.invariant,
      statement: v.statement,
      message: v.message,
      initial: v.trace.initial,
      ...(v.trace.loopsFrom !== undefined ? { loopsFrom: v.trace.loopsFrom } : {}),
      ...(v.trace.fairness === 'weak' ? { fairness: 'weak' as const } : {}),
      steps: v.trace.steps.map((s) => ({ process: s.process, label: s.label, kernelFn: s.kernelFn, ...(s.choice !== undefined ? { choice: s.choice } : {}) })),
    };
    const path = join(dir, `${proposal ? `${proposal.name}.` : ''}${scenario}.${protocol}.${v.invariant}.json`);
    writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
    return path;
  });
}

export function readTraceFile(path: string): TraceFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(`${path}: no such trace file`);
  }
  let t: unknown;
  try {
    t = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const f = t as Partial<TraceFile>;
  if (typeof f !== 'object' || f === null || f.format !== TRACE_FORMAT) throw new InputError(`${path}: not an svmcheck trace (format ${TRACE_FORMAT})`);
  for (const k of ['scenario', 'protocol', 'invariant'] as const) if (typeof f[k] !== 'string') throw new InputError(`${path}: missing ${k}`);
  if (!Array.isArray(f.steps) || f.steps.some((s) => typeof s?.process !== 'string' || typeof s?.label !== 'string')) {
    throw new InputError(`${path}: steps must be a list of { process, label }`);
  }
  if (f.fairness !== undefined && f.fairness !== 'weak') throw new InputError(`${path}: fairness must be 'weak' when given`);
  return { ...f, initial: typeof f.initial === 'number' ? f.initial : 0 } as TraceFile;
}
