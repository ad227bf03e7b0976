// Range lifetime (DOMAIN.md §4 item 15, refcount balance): no range is freed while a process
// still uses it. The kernel protects a fault's range pointer with the driver lock (every path
// that removes a range holds it for write) and a queued range with the GC list's kref; the
// model has no numeric kref, so it checks what the refcount protects against directly.

import type { StateInvariant } from '../explorer/index.ts';
import { NONE, type SvmGlobals, type SvmLocals } from '../model/state.ts';
import type { S } from './helpers.ts';

function freedWhileUsed(s: S): number | undefined {
  // An orphan (off the tree, still on a GC list) is alive: the list holds a reference to it.
  const alive = (id: number): boolean => s.g.ranges.some((r) => r.id === id) || s.g.orphans.some((r) => r.id === id);
  const pid = s.procs.findIndex((p) => p.locals.rid !== NONE && !alive(p.locals.rid));
  return pid < 0 ? undefined : pid;
}

export const rangeAliveWhileUsed: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'range-alive-while-used',
  reads: ['ranges', 'orphans'],
  readsProcesses: true,
  statement: 'a range a process still uses is in the tree (not freed under it)',
  justification:
    'DOMAIN.md §4 item 15 and §1.1: ranges carry a kref (the tree holds one, the GC queue another) and drm_gpusvm_range_remove ' +
    'drops the tree reference; a fault uses its range without a reference, safe only because removal needs the driver lock ' +
    '(drm_gpusvm_driver_lock_held in range_remove).',
  holds: (s) => freedWhileUsed(s) === undefined,
  explain: (s) => {
    const pid = freedWhileUsed(s)!;
    return `process ${pid} (at ${s.procs[pid]!.pc}) still uses range ${s.procs[pid]!.locals.rid}, which was removed`;
  },
};
