// Symmetry reduction over interchangeable processes: instances of one program with the same
// initial locals, which the model declares interchangeable (`Model.symmetric`). Two states that
// differ only by a permutation of such processes are one state for the visited set: before a
// state is fingerprinted, the processes of each group are sorted by their (location, locals),
// and the lock table's holders are renamed to follow.
//
// The model vouches that nothing else tells the processes of a group apart: no global
// component stores their pids, and every property treats them alike. The engine checks the
// same program and equal initial locals here, and the rest on the states the search expands
// (symmetry-check.ts), by comparing each with its images under `swap`.

import { GenericCodec } from './codec/generic.ts';
import type { CompiledModel } from './compile.ts';
import { InputError } from './errors.ts';
import type { LockHold, ProcState, SysState } from './model.ts';

export class SymmetryGroups<G, L> {
  /** Each group's pids, in increasing order. */
  readonly groups: readonly (readonly number[])[];
  private readonly codec = new GenericCodec();

  constructor(cm: CompiledModel<G, L>) {
    const m = cm.model;
    this.groups = (m.symmetric ?? []).map((names) => {
      const pids = names.map((n) => {
        const pid = m.processes.findIndex((p) => p.name === n);
        if (pid < 0) throw new InputError(`model ${m.name}: symmetric group names unknown process ${n}`);
        return pid;
      });
      const first = m.processes[pids[0]!]!;
      const initial = [...this.codec.encode(first.locals)].join();
      for (const pid of pids.slice(1)) {
        const p = m.processes[pid]!;
        if (p.program !== first.program) throw new InputError(`model ${m.name}: ${p.name} and ${first.name} run different programs, so they are not interchangeable`);
        if ([...this.codec.encode(p.locals)].join() !== initial) throw new InputError(`model ${m.name}: ${p.name} and ${first.name} start with different locals, so they are not interchangeable`);
      }
      return [...pids].sort((a, b) => a - b);
    });
  }

  get active(): boolean {
    return this.groups.length > 0;
  }

  /** The representative of `s`'s class: `s` itself when its groups are already in order. */
  canonical(s: SysState<G, L>): SysState<G, L> {
    let procs: ProcState<L>[] | undefined;
    const rename = new Int32Array(s.procs.length).map((_, i) => i);
    for (const group of this.groups) {
      const keys = group.map((pid) => this.codec.encode(s.procs[pid]).slice());
      const order = group.map((_, k) => k).sort((a, b) => compareWords(keys[a]!, keys[b]!) || a - b);
      if (order.every((k, i) => k === i)) continue;
      procs ??= [...s.procs];
      order.forEach((k, i) => {
        procs![group[i]!] = s.procs[group[k]!]!;
        rename[group[k]!] = group[i]!;
      });
    }
    if (!procs) return s;
    return { g: s.g, locks: s.locks.map((h) => renameHolders(h, rename)), procs };
  }
}

/**
 * `s` with processes `a` and `b` exchanged, lock holders renamed to follow, and the globals
 * kept: the state the reduction takes to be equivalent to `s`.
 */
export function swap<G, L>(s: SysState<G, L>, a: number, b: number): SysState<G, L> {
  const procs = [...s.procs];
  procs[a] = s.procs[b]!;
  procs[b] = s.procs[a]!;
  const rename = new Int32Array(s.procs.length).map((_, i) => (i === a ? b : i === b ? a : i));
  return { g: s.g, locks: s.locks.map((h) => renameHolders(h, rename)), procs };
}

function renameHolders(h: LockHold, rename: Int32Array): LockHold {
  let r = 0;
  for (let pid = 0; pid < rename.length; pid++) if ((h.r & (1 << pid)) !== 0) r |= 1 << rename[pid]!;
  return { w: h.w < 0 ? h.w : rename[h.w]!, r };
}

function compareWords(a: Int32Array, b: Int32Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
