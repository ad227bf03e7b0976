// A CPU thread storing to a page (DOMAIN.md §3.7). A system page or a DEVICE_COHERENT page (the
// CPU maps device memory, seed 004) takes the store at once; a DEVICE_PRIVATE page faults
// (do_swap_page -> migrate_to_ram) and the store is retried once the fault returns. A page under
// migration waits on its migration entry.

import type { Program } from '../../explorer/index.ts';
import { memoryType, type SvmConfig } from '../config.ts';
import type { Driver } from '../driver.ts';
import { MMAP, acquire, release } from '../locks.ts';
import { setContent } from '../queries.ts';
import { EFAULT, NONE, OK, type SvmGlobals, type SvmLocals } from '../state.ts';
import { cite, DO_SWAP_PAGE_MAIL } from '../sources.ts';
import { migrateToRamSteps } from '../steps/migrate-to-ram.ts';

export function cpuFault(cfg: SvmConfig, driver: Driver): Program<SvmGlobals, SvmLocals> {
  // A present, unlocked system page or coherent device page takes a store without faulting.
  const stores = (g: SvmGlobals, l: SvmLocals): boolean => {
    const pg = g.pages[l.page]!;
    return pg.mapped && !pg.locked && (pg.dev === NONE || memoryType(cfg) === 'coherent');
  };
  return {
    name: 'cpu_fault',
    start: 'cpu_access',
    steps: [
      {
        label: 'cpu_store',
        at: 'cpu_access',
        kernelFn: 'the CPU store lands (a system page, or a DEVICE_COHERENT page the CPU maps)',
        note: 'a present page takes the store without a fault; one under migration has a migration entry instead',
        unsourced: 'a CPU store through a present PTE runs no kernel code (the hardware)',
        reads: ['pages'],
        writes: ['data', 'written', 'devmem'],
        guard: (g, l) => stores(g, l),
        effect: (g, l) => {
          setContent(g, l.page, l.value);
          g.written[l.page] = l.value;
        },
        next: 'done',
      },
      {
        label: 'cpu_fault',
        at: 'cpu_access',
        kernelFn: 'handle_mm_fault (mmap_lock(R) or the VMA lock)',
        note: 'no VMA: SIGSEGV; a device-private entry: do_swap_page; a migration entry: wait for it (migration_entry_wait)',
        // Under the per-VMA lock a device-private fault is retried under mmap_lock(R): the model's lock.
        cite: [
          cite(DO_SWAP_PAGE_MAIL, 'do_swap_page', '\t\tif (softleaf_is_migration(entry)) {\n\t\t\tmigration_entry_wait(vma->vm_mm, vmf->pmd,\n\t\t\t\t\t     vmf->address);'),
          cite(DO_SWAP_PAGE_MAIL, 'do_swap_page', '\t\t} else if (softleaf_is_device_private(entry)) {\n\t\t\tif (vmf->flags & FAULT_FLAG_VMA_LOCK) {'),
        ],
        locks: [acquire(MMAP, 'read')],
        reads: ['pages'],
        guard: (g, l) => !g.pages[l.page]!.locked && !stores(g, l),
        effect: (g, l) => {
          l.ret = g.pages[l.page]!.mapped ? OK : EFAULT;
          l.fpage = l.page;
        },
        next: (_g, l) => (l.ret === EFAULT ? 'cpu_sigsegv' : 'cf_lock_page'),
      },
      {
        label: 'cpu_sigsegv',
        kernelFn: 'no VMA: SIGSEGV',
        unsourced: 'the arch fault handler (lock_mm_and_find_vma, bad_area): arch/x86/mm/fault.c was not read; standard behaviour',
        locks: [release(MMAP, 'read')],
        next: 'done',
      },
      ...migrateToRamSteps(cfg, driver, 'cf_', 'cpu_refault'),
      {
        label: 'cpu_refault',
        kernelFn: 'the fault returns; the CPU retries the store',
        // Returning retries the access: that is the hardware's.
        cite: [cite(DO_SWAP_PAGE_MAIL, 'do_swap_page', '\t\t\t\tret = pgmap->ops->migrate_to_ram(vmf);')],
        locks: [release(MMAP, 'read')],
        next: 'cpu_access',
      },
    ],
  };
}
