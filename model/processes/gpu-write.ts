// The GPU writing to a page through its cached translation (the TLB, filled from the PTE). A
// write through a translation to a page core mm has since freed or replaced lands in that old
// page: the program wrote it, the page now backing the address never sees it. Without a
// translation the access would fault; the fault processes stand for that, so it ends here.

import type { Program } from '../../explorer/index.ts';
import { suffix } from '../gpu.ts';
import { pteIndex, setContent } from '../queries.ts';
import { NONE, type SvmGlobals, type SvmLocals } from '../state.ts';

/** GPU `dev` storing through its own TLB. */
export function gpuWrite(dev = 0): Program<SvmGlobals, SvmLocals> {
  return {
    name: `gpu_write${suffix(dev)}`,
    start: 'gpu_store',
    steps: [
      {
        label: 'gpu_store',
        kernelFn: 'GPU store through the TLB (no kernel function: the device)',
        unsourced: 'the GPU (hardware) storing through its cached translation; no kernel code runs',
        note: 'with a translation: the value goes to the page it points to, lost if that page was freed; without one the access faults',
        reads: ['tlb', 'pages', 'devmem', 'tlbDev'],
        writes: ['data', 'written', 'devmem'],
        effect: (g, l) => {
          const i = pteIndex(g, dev, l.page);
          const gen = g.tlb[i]!;
          if (gen === NONE) return;
          g.written[l.page] = l.value;
          // Into VRAM the memory manager took back, the store lands in somebody else's memory.
          const a = g.tlbDev[i]!;
          if (gen === g.pages[l.page]!.gen && (a === NONE || g.devmem[a]!.backed)) setContent(g, l.page, l.value);
        },
        next: 'done',
      },
    ],
  };
}
