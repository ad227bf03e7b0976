// amdgpu_svm_range_is_valid (V3 07/12), which the fault and SET_ATTR's prefetch both call: a
// range mapped with valid pages needs no get_pages and no commit.

import { pagesOf, pagesValid } from '../../queries.ts';
import type { Range } from '../../state.ts';
import { cite } from '../../sources.ts';
import { V3_07 } from './sources.ts';

export const IS_VALID_CITES = [
  cite(V3_07, 'amdgpu_svm_range_is_valid', '\tdrm_gpusvm_notifier_lock(&svm->gpusvm);\n\tvalid = range->gpu_mapped &&\n\t\trange->pte_flags == pte_flags &&\n\t\trange->attr_flags == attrs->flags &&\n\t\tamdgpu_svm_range_pages_valid(svm, range);'),
  cite(V3_07, 'amdgpu_svm_range_pages_valid', '\tif (base->pages.flags.unmapped || base->pages.flags.partial_unmap)\n\t\treturn false;'),
];

/** gpu_mapped and pages valid on every device slot given, and not (partially) unmapped. */
export function rangeIsValid(r: Range, slots: readonly number[]): boolean {
  return !r.unmapped && !r.partialUnmap && slots.every((slot) => pagesOf(r, slot).mapped && pagesValid(pagesOf(r, slot)));
}
