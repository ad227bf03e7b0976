// The copy engine (SDMA on amdgpu, the migrate engine on xe) running the jobs drivers queue: the
// clear of a fresh VRAM buffer (its fence is the buffer's pre_migrate_fence) and the migration
// copies. A copy job depends on the pre_migrate_fence, so the scheduler runs it only once the
// clear has signalled (DOMAIN.md §4 item 13; "drm/pagemap, drm/xe: Ensure that the devmem
// allocation is idle before use"). Idle between jobs, which is not a deadlock.

import type { Program } from '../../explorer/index.ts';
import { maskPages } from '../devmem.ts';
import { content } from '../queries.ts';
import type { SvmGlobals, SvmLocals } from '../state.ts';
import type { Driver } from '../driver.ts';

export function copyEngine(driver: Driver): Program<SvmGlobals, SvmLocals> {
  const clears = (g: SvmGlobals): number[] => g.devmem.flatMap((d) => (d.clearPending ? [d.id] : []));
  const copies = (g: SvmGlobals): number[] => g.devmem.flatMap((d) => (d.copyPending && (!driver.copyAfterClear || !d.clearPending) ? [d.id] : []));
  return {
    name: 'copy_engine',
    start: 'engine_idle',
    endLabels: ['engine_idle'],
    steps: [
      {
        label: 'engine_clear',
        at: 'engine_idle',
        kernelFn: 'the clear job of a new VRAM buffer runs; its fence (pre_migrate_fence) signals',
        unsourced: 'the copy engine (hardware) running the driver\'s clear job; drm_pagemap only passes its fence on as pre_migrate_fence',
        reads: ['devmem'],
        writes: ['devmem'],
        guard: (g) => clears(g).length > 0,
        choices: clears,
        effect: (g, _l, c) => {
          const d = g.devmem[c.choice]!;
          d.vdata.fill(0);
          d.clearPending = false;
        },
        next: 'engine_idle',
      },
      {
        label: 'engine_copy',
        at: 'engine_idle',
        kernelFn: driver.copyAfterClear ? 'copy_to_devmem job runs (after pre_migrate_fence); its fence signals' : 'copy_to_devmem job runs (no fence orders it after the clear); its fence signals',
        unsourced: 'the copy engine (hardware) running the copy job the driver\'s copy_to_devmem queued (behind pre_migrate_fence where the driver passes one)',
        note: 'reads the source pages now (they are locked: only a stale GPU translation could still write them)',
        reads: ['devmem', 'pages', 'data'],
        writes: ['devmem'],
        guard: (g) => copies(g).length > 0,
        choices: copies,
        effect: (g, _l, c) => {
          const d = g.devmem[c.choice]!;
          for (const p of maskPages(d.start, d.copyMask)) d.vdata[p - d.start] = content(g, p);
          d.copyPending = false;
          d.copyDone = true;
        },
        next: 'engine_idle',
      },
    ],
  };
}
