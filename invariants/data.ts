// No lost write (DOMAIN.md §4, "no lost write"; ghost state).

import type { StateInvariant } from '../explorer/index.ts';
import type { SvmGlobals, SvmLocals } from '../model/state.ts';

function lost(g: SvmGlobals): number | undefined {
  return g.pages.map((_, p) => p).find((p) => g.pages[p]!.mapped && g.data[p] !== g.written[p]);
}

export const noLostWrite: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'no-lost-write',
  reads: ['data', 'written', 'tlb', 'pages'],
  statement: 'a mapped page holds the value last written to it, so a CPU or GPU read returns that value',
  justification:
    'DOMAIN.md §4 (no lost write; items 1-3): a GPU access goes through a translation to the page that backs the address; ' +
    'one to a page core mm freed or replaced after copying it (reclaim, migration) loses the write. Ghost state: `written`.',
  holds: (s) => lost(s.g) === undefined,
  explain: (s) => {
    const p = lost(s.g)!;
    return `page ${p} was last written ${s.g.written[p]}, but the page backing it holds ${s.g.data[p]}`;
  },
};
