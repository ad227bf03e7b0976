// Shared by the drivers' attribute ioctls (DOMAIN.md §3.4): setting the attributes of an interval,
// with the ghost record the attribute invariants read. The ioctls themselves are the drivers':
// amdgpu SET_ATTR, xe madvise; so are their prefetches (amdgpu-v3/prefetch-loop.ts,
// xe/vm-bind-prefetch.ts).

import type { Draft } from 'immer';
import { owedAfterUnmap, recordAttrSet, setAttrs } from '../queries.ts';
import type { Range, SvmGlobals, SvmLocals } from '../state.ts';

/** The range crosses the interval's bounds [l.page, l.end). */
export const crosses = (r: Range, l: SvmLocals): boolean => r.start < l.page || r.end > l.end;

/** Set the new attributes on [l.page, l.end), remembering whether an attribute range split. */
export function setAttributes(g: Draft<SvmGlobals>, l: Draft<SvmLocals>): void {
  l.split = setAttrs(g.attrs, l.page, l.end, l.value);
  recordAttrSet(g, l.page, l.end, l.value, l.owedAtStart);
  l.owedAtStart = 0;
}

/** Ghost, at an attribute ioctl's first step: which pages' munmaps had returned with their policy owed. */
export const snapshotOwed = (g: SvmGlobals, l: Draft<SvmLocals>): void => void (l.owedAtStart = owedAfterUnmap(g));

/** What setAttributes touches: the ghost record reads the CPU mappings, and on unmapped VA resets attrAtUnmap. */
export const SET_ATTRIBUTES = { reads: ['pages'], writes: ['attrs', 'attrSetVma', 'attrSetValue', 'attrAtUnmap', 'attrSetAfterUnmap'] } as const;
