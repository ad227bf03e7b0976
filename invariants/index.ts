// The SVM invariant catalogue. Each module holds one concept; each invariant states itself in
// one line, says where it comes from, and has a broken variant in mutants.ts that violates it.

import type { Invariant } from '../explorer/index.ts';
import type { AttrOnUnmap } from '../model/config.ts';
import type { SvmGlobals, SvmLocals } from '../model/state.ts';
import { SINGLE, type Topology } from '../model/topology.ts';
import { attrsSurviveRangeDestruction, reuseKeepsNewAttrs, setAttrLeavesNoCrossingRange, unmappedAttrPolicy } from './attributes.ts';
import { pteWriteUnderNotifierLock } from './commit.ts';
import { noLostWrite } from './data.ts';
import { copyAfterIdle, devmemAliveWhileReferenced, noMappingToFreedVram, oneOwnerPerPage } from './device-memory.ts';
import { dmaMapAfterReadRetry, noDmaOfFreedPage, unmappedHasNoDma } from './dma-mappings.ts';
import { gcRemovesOnlyUnmapped, rangeRemovedOnce, removedRangeWasZapped } from './gc.ts';
import { invalidateBeforeReturn, noStalePte } from './gpu-ptes.ts';
import { pteHasDmaMapping } from './iommu.ts';
import { attrAliveWhileUsed, attrsDisjointSorted } from './attr-tree.ts';
import { rangeAliveWhileUsed } from './range-lifetime.ts';
import { noDoublePut, noLeakedReference, noUseAfterFree } from './lifetimes.ts';
import { gpusvmEmptyAfterFini, noCallbackAfterNotifierRemoved } from './teardown.ts';
import { rangesDisjoint, rangeTreeUnderLocks, rangeWithinBounds } from './range-tree.ts';

/**
 * Every invariant, for a model whose GC follows `policy` on unmapped VA, with these GPUs and
 * instances, and whose programs' end labels are `idle`.
 */
export function svmInvariants(policy: AttrOnUnmap, topo: Topology = SINGLE, idle: ReadonlySet<string> = new Set()): readonly Invariant<SvmGlobals, SvmLocals>[] {
  return [
    noStalePte,
    invalidateBeforeReturn(topo),
    noDmaOfFreedPage,
    unmappedHasNoDma,
    dmaMapAfterReadRetry(topo),
    pteWriteUnderNotifierLock(topo),
    gcRemovesOnlyUnmapped,
    rangeRemovedOnce,
    removedRangeWasZapped(topo),
    rangesDisjoint,
    rangeTreeUnderLocks(topo),
    rangeWithinBounds,
    rangeAliveWhileUsed,
    attrsSurviveRangeDestruction(policy),
    unmappedAttrPolicy(policy, idle),
    reuseKeepsNewAttrs,
    setAttrLeavesNoCrossingRange,
    noLostWrite,
    oneOwnerPerPage,
    devmemAliveWhileReferenced,
    copyAfterIdle,
    noMappingToFreedVram,
    pteHasDmaMapping(topo),
    attrsDisjointSorted,
    attrAliveWhileUsed,
    gpusvmEmptyAfterFini,
    noCallbackAfterNotifierRemoved,
    noUseAfterFree,
    noDoublePut,
    noLeakedReference(idle),
  ];
}
