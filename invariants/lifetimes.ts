// Object lifetimes as reference counts (issue 15): the VRAM buffer object's kref and the mm's
// mm_users. The model counts the references each holder takes and puts (model/devmem.ts
// getBo/putBo/touchBo, the mmget_not_zero/mmput steps); these invariants judge the counts.

import type { StateInvariant } from '../explorer/index.ts';
import { pagesInUse } from '../model/devmem.ts';
import { BO_PUT_FREED, BO_USED_FREED, PAGE_FREED_HELD, type SvmGlobals, type SvmLocals } from '../model/state.ts';
import { quiescent } from './helpers.ts';

const boFault = (g: SvmGlobals, fault: number): number | undefined => g.devmem.find((d) => (d.boFault & fault) !== 0)?.id;

export const noUseAfterFree: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'no-use-after-free',
  reads: ['devmem'],
  statement: 'nothing touches a VRAM buffer object after its last reference was put (its kref reached 0), and no device page is freed while a CPU fault holds a reference to it',
  justification:
    'Issue 15 / DOMAIN.md §4 item 12: the buffer lives while a reference does (ttm_bo_put frees it at the last); ' +
    'drm_pagemap_migrate_to_devmem "consumes" the allocation\'s reference "even if it returns with an error" ' +
    "(drm_pagemap.c), so a caller that touches the buffer after it must hold one of its own (xe: xe_bo_get).",
  holds: (s) => boFault(s.g, BO_USED_FREED | PAGE_FREED_HELD) === undefined,
  explain: (s) => {
    const a = boFault(s.g, BO_USED_FREED);
    if (a !== undefined) return `allocation ${a}'s buffer object was touched (reserved, unlocked, read) after its last reference was put`;
    return `a migration freed a device page of allocation ${boFault(s.g, PAGE_FREED_HELD)} while a CPU fault still held a reference to it (do_swap_page's get_page)`;
  },
};

export const noDoublePut: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'no-double-put',
  reads: ['devmem', 'mmUsers'],
  statement: "no reference is put that is not held: a VRAM buffer's kref never goes below 0, mm_users never below the process's own",
  justification:
    'Issue 15: every put pairs with a get on the same path (kref_put / refcount_t warns "underflow; use-after-free"); ' +
    'devmem_release runs once per allocation, from drm_pagemap_zdd_destroy or from the err_out path of ' +
    'drm_pagemap_migrate_to_devmem, never from its caller as well.',
  holds: (s) => boFault(s.g, BO_PUT_FREED) === undefined && s.g.mmUsers >= 1,
  explain: (s) => {
    const a = boFault(s.g, BO_PUT_FREED);
    return a !== undefined ? `allocation ${a}'s buffer object was put after its last reference went` : `mm_users is ${s.g.mmUsers}: an mmput without its mmget_not_zero`;
  },
};

/** What is held when nothing runs, if it is not exactly what the remaining objects account for. */
function leak(g: SvmGlobals): string | undefined {
  if (g.mmUsers !== 1) return `mm_users is ${g.mmUsers} with nothing running: ${g.mmUsers - 1} mmget_not_zero without its mmput`;
  for (const d of g.devmem) {
    const used = pagesInUse(d).length;
    // Each device page in use holds a zdd reference; while one does, the allocation holds the buffer.
    if (d.zdd !== used) return `allocation ${d.id} has ${d.zdd} zdd reference(s) with nothing running, for ${used} device page(s) in use`;
    const want = d.zdd > 0 ? 1 : 0;
    if (d.bo > want) return `allocation ${d.id}'s buffer object has ${d.bo} reference(s) with nothing running (${want} accounted for)`;
  }
  return undefined;
}

/** `idle`: the end labels of the model's programs (a process waiting there counts as settled). */
export function noLeakedReference(idle: ReadonlySet<string>): StateInvariant<SvmGlobals, SvmLocals> {
  return {
    kind: 'state',
    id: 'no-leaked-reference',
    reads: ['devmem', 'mmUsers', 'pages', 'gcList', 'gcPending', 'gcRunning'],
    readsProcesses: true,
    statement: 'once everything settled, every reference still held is accounted for: mm_users is the process\'s own, a zdd reference per device page in use, the allocation\'s one on its buffer',
    justification:
      'Issue 15, DOMAIN.md §5 bug 2 ("drm/gpusvm: Fix MM reference leak in drm_gpusvm_range_evict": an -ENOMEM return ' +
      'after mmget_not_zero without mmput): every reference taken on a path is put on that path, error paths included.',
    holds: (s) => !quiescent(s, idle) || leak(s.g) === undefined,
    explain: (s) => leak(s.g)!,
  };
}
