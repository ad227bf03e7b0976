// Teardown (DOMAIN.md §3.10): what drm_gpusvm_fini and mmu_interval_notifier_remove promise the
// driver that frees its structures afterwards.

import type { StateInvariant } from '../explorer/index.ts';
import { FINI, MN_REMOVED, type SvmGlobals, type SvmLocals } from '../model/state.ts';
import type { S } from './helpers.ts';

/** An instance whose drm_gpusvm_fini has returned but which holds a range. */
function rangeAfterFini(g: SvmGlobals): { inst: number; start: number } | undefined {
  const r = g.ranges.find((x) => g.life[x.inst]! >= FINI);
  return r && { inst: r.inst, start: r.start };
}

export const gpusvmEmptyAfterFini: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'gpusvm-empty-after-fini',
  reads: ['ranges', 'life'],
  statement: 'once drm_gpusvm_fini has returned, its gpusvm holds no range (nothing is inserted into a finalized gpusvm)',
  justification:
    'drm_gpusvm_fini ends with WARN_ON(!RB_EMPTY_ROOT(&gpusvm->root.rb_root)) and the driver frees the structure after it ' +
    '(amdgpu_svm_put, xe_vm_put): a range inserted later, with the notifier drm_gpusvm_range_find_or_insert registers for it, ' +
    'outlives the gpusvm, and the next invalidation of that address calls into freed memory.',
  holds: (s) => rangeAfterFini(s.g) === undefined,
  explain: (s) => {
    const x = rangeAfterFini(s.g)!;
    return `instance ${x.inst}'s drm_gpusvm_fini has returned, but a range at page ${x.start} is in its tree`;
  },
};

/**
 * Labels of a callback's steps after it took the notifier lock: the instance's suffix, then
 * `_k` for notifier window k > 0 (model/processes/invalidate.ts, notifierSuffix).
 */
const IN_CALLBACK = /(?:event_begin|event_end|inv_unlock)(\d*)(?:_(\d+))?$/;

function callbackAfterRemove(s: S): { pid: number; inst: number } | undefined {
  const slots = s.g.mnState.length / s.g.gcPending.length;
  for (const [pid, p] of s.procs.entries()) {
    const m = IN_CALLBACK.exec(p.pc);
    if (!m) continue;
    const inst = m[1] ? Number(m[1]) : 0;
    if (s.g.mnState[inst * slots + (m[2] ? Number(m[2]) : 0)] === MN_REMOVED) return { pid, inst };
  }
  return undefined;
}

export const noCallbackAfterNotifierRemoved: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'no-callback-after-notifier-removed',
  reads: ['mnState', 'gcPending'],
  readsProcesses: true,
  statement: 'once mmu_interval_notifier_remove has removed a notifier, none of its callbacks is running',
  justification:
    'mm/mmu_notifier.c, mmu_interval_notifier_remove: "Once this returns ops callbacks are no longer running on other CPUs and ' +
    'will not be called in future." drm_gpusvm_fini relies on it ("Remove notifier first to avoid racing with any ' +
    'invalidation") before it removes the ranges and the driver frees them.',
  holds: (s) => callbackAfterRemove(s) === undefined,
  explain: (s) => {
    const x = callbackAfterRemove(s)!;
    return `process ${x.pid} (at ${s.procs[x.pid]!.pc}) runs instance ${x.inst}'s invalidation callback after its notifier was removed`;
  },
};
