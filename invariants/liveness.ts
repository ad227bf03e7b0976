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

/**
 * Every CPU fault on a device page ends (DOMAIN.md §4 L3). The timeslice makes migrate_to_ram
 * refuse for a while, and concurrent faults on one page wait for its lock; neither may go on
 * forever. `faults` are the CPU-access processes' pids.
 */
export function cpuFaultsTerminate(faults: readonly { pid: number; name: string }[]): LivenessProperty<SvmGlobals, SvmLocals> {
  return {
    kind: 'liveness',
    id: 'cpu-faults-terminate',
    reads: ['pages', 'devmem'],
    statement: 'every CPU fault on a device page ends: no cycle of states keeps a CPU access unfinished',
    justification:
      'DOMAIN.md §4 L3 and bugs 3, 8, 9: "A CPU fault on a device page eventually completes (no livelock between concurrent ' +
      'CPU faults / hmm_range_fault on the same device page)"; migrate_to_ram refuses only until timeslice_expiration ' +
      '(drm_pagemap.c), and only the thread holding the page lock migrates (mm: trylock device page in do_swap_page).',
    pending: (s) => faults.filter((f) => s.procs[f.pid]!.pc !== 'done').map((f) => f.name),
  };
}
