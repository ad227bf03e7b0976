// The shape of the SVM state (state.ts), declared for the engine's schema codec. TypeScript
// checks it against the interfaces: a field added to state.ts without a line here does not
// compile, so no field can be left out of a state's key.

import type { StateSchema } from '../explorer/index.ts';
import type { DevPages, SvmGlobals, SvmLocals } from './state.ts';

const ints = { array: 'int' } as const;
const bools = { array: 'bool' } as const;

const devPages = {
  hasDma: 'bool',
  hasDevmem: 'bool',
  dmaAlloc: 'bool',
  dma: ints,
  dmaDev: ints,
  mapped: 'bool',
  invalidated: 'bool',
} as const satisfies { [K in keyof DevPages]-?: unknown };

const range = {
  object: {
    ...devPages,
    id: 'int',
    inst: 'int',
    start: 'int',
    end: 'int',
    unmapped: 'bool',
    partialUnmap: 'bool',
    migrateDevmem: 'bool',
    pendingStart: 'int',
    pendingEnd: 'int',
    peers: { array: { object: devPages } },
  },
} as const;

export const SVM_SCHEMA: StateSchema<SvmGlobals, SvmLocals> = {
  globals: {
    object: {
      pages: { array: { object: { mapped: 'bool', vma: 'int', gen: 'int', dev: 'int', locked: 'bool' } } },
      nextVma: 'int',
      attrs: { array: { object: { start: 'int', end: 'int', value: 'int' } } },
      ranges: { array: range },
      nextRangeId: 'int',
      subSeq: 'int',
      activeInvs: 'int',
      mniSeq: ints,
      pte: ints,
      tlb: ints,
      pteDev: ints,
      tlbDev: ints,
      tlbInval: ints,
      devmem: {
        array: {
          object: {
            id: 'int',
            dev: 'int',
            start: 'int',
            used: bools,
            vdata: ints,
            refs: ints,
            zdd: 'int',
            clearPending: 'bool',
            copyPending: 'bool',
            copyMask: 'int',
            copyDone: 'bool',
            timeslice: 'bool',
            backed: 'bool',
            released: 'bool',
            bo: 'int',
            boFault: 'int',
          },
        },
      },
      mmUsers: 'int',
      gcList: ints,
      orphans: { array: range },
      data: ints,
      written: ints,
      attrSetVma: ints,
      attrSetValue: ints,
      attrAtUnmap: ints,
      attrOwed: ints,
      attrSetAfterUnmap: bools,
      checkpoint: 'bool',
      gcPending: bools,
      gcRunning: bools,
      life: ints,
      mnState: ints,
    },
  },
  locals: {
    object: {
      page: 'int',
      end: 'int',
      value: 'int',
      range: 'int',
      rid: 'int',
      lo: 'int',
      hi: 'int',
      seq: 'int',
      pfns: ints,
      tries: 'int',
      split: 'bool',
      ret: 'int',
      is: 'int',
      ie: 'int',
      dev: 'int',
      alloc: 'int',
      mask: 'int',
      mtries: 'int',
      pdev: ints,
      fpage: 'int',
      cbSkip: 'bool',
      mnNew: 'bool',
      attrGone: 'bool',
      owedAtStart: 'int',
      collected: 'int',
    },
  },
};
