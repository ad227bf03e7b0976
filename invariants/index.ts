// The SVM invariants the checker runs on every scenario.

import type { Invariant } from '../explorer/index.ts';
import type { SvmGlobals, SvmLocals } from '../model/state.ts';
import { noDmaOfFreedPage } from './dma-mappings.ts';
import { noStalePte } from './gpu-ptes.ts';
import { rangesDisjoint } from './range-tree.ts';

export const svmInvariants: readonly Invariant<SvmGlobals, SvmLocals>[] = [noStalePte, noDmaOfFreedPage, rangesDisjoint];
