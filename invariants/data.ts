// No lost write (DOMAIN.md §4, "no lost write"; ghost state).

import type { StateInvariant } from '../explorer/index.ts';
import { content } from '../model/queries.ts';
import type { SvmGlobals, SvmLocals } from '../model/state.ts';

function lost(g: SvmGlobals): number | undefined {
  return g.pages.map((_, p) => p).find((p) => g.pages[p]!.mapped && !g.pages[p]!.locked && content(g, p) !== g.written[p]);
}

export const noLostWrite: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'no-lost-write',
  reads: ['data', 'written', 'tlb', 'pages', 'devmem'],
  statement: 'a mapped page holds the value last written to it, so a CPU or GPU read returns that value',
  justification:
    'DOMAIN.md §4 (no lost write; items 1-3): a GPU access goes through a translation to the page that backs the address; ' +
    'one to a page core mm freed or replaced after copying it (reclaim, migration) loses the write; a migration must copy ' +
    'the data before the new page is installed (drm_pagemap copy_to_devmem / copy_to_ram). Ghost state: `written`. Checked ' +
    'while no migration holds the page locked (its copy is in flight).',
  holds: (s) => lost(s.g) === undefined,
  explain: (s) => {
    const p = lost(s.g)!;
    const where = s.g.pages[p]!.dev < 0 ? 'the system page' : `device page ${p - s.g.devmem[s.g.pages[p]!.dev]!.start} of allocation ${s.g.pages[p]!.dev}`;
    return `page ${p} was last written ${s.g.written[p]}, but ${where} backing it holds ${content(s.g, p)}`;
  },
};
