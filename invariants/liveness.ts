// Bounded liveness of GPU faults (DOMAIN.md §4 L1).

import type { LivenessProperty } from '../explorer/index.ts';
import type { SvmGlobals, SvmLocals } from '../model/state.ts';

/**
 * Every GPU fault ends (maps its page or returns an error code). Invalidations in a scenario are
 * finite, so a reachable cycle in which a fault has not finished is a livelock: the fault
 * retries forever without any invalidation driving it. `faults` are the fault processes' pids.
 */
export function faultsTerminate(faults: readonly { pid: number; name: string }[]): LivenessProperty<SvmGlobals, SvmLocals> {
  return {
    kind: 'liveness',
    id: 'faults-terminate',
    reads: ['ranges', 'pte'],
    statement: 'every GPU fault ends: no cycle of states keeps a fault unfinished (invalidations are finite)',
    justification:
      'DOMAIN.md §4 L1: "A GPU fault eventually either maps the faulting page or returns an error, provided invalidations are ' +
      'finite"; retry loops are unbounded in places (amdgpu handle_fault on -EAGAIN, D-4; xe goto retry) and gpusvm.rst ' +
      'warns of livelock by endless retries.',
    pending: (s) => faults.filter((f) => s.procs[f.pid]!.pc !== 'done').map((f) => f.name),
  };
}
